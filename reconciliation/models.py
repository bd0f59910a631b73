from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from customers.models import CustomerGroup, ServiceBuild
from expoe_portal.rules import without_rule_ids
from partners.models import Partner

from .choices import Aspect, DriftState, Platform, RunTrigger


class ReconciliationRun(models.Model):
    """One reconciliation: when, over which customers, what it found, and what it could not check.
    A customer whose reads failed is listed in `errors` and the run goes on (#15)."""

    trigger = models.CharField(max_length=16, choices=RunTrigger.choices, default=RunTrigger.NIGHTLY)
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="Empty: every partner."
    )
    group = models.ForeignKey(
        CustomerGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="One customer."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    groups_checked = models.PositiveIntegerField(default=0)
    drift_new = models.PositiveIntegerField(default=0)
    drift_still = models.PositiveIntegerField(default=0, help_text="Open drift seen again.")
    drift_resolved = models.PositiveIntegerField(default=0)
    # Platform -> how many customers it was not checked for (manual mode, or its reads failed).
    not_checked = models.JSONField(default=dict, blank=True)
    # [{"group", "platform", "error"}], the first few hundred; `error_count` counts them all.
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)

    PARTNER_SCOPE = "partner"

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"Reconciliation of {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def scope_label(self) -> str:
        if self.group_id:
            return f"customer {self.group.group_id}"
        return f"partner {self.partner.partner_id}" if self.partner_id else "every partner"

    def summary(self) -> str:
        skipped = ", ".join(f"{Platform(p).label} {n}" for p, n in sorted(self.not_checked.items()))
        return (
            f"{self.groups_checked} customer{'' if self.groups_checked == 1 else 's'} checked ({self.scope_label}): "
            f"{self.drift_new} new drift, "
            f"{self.drift_still} still open, {self.drift_resolved} resolved; "
            f"not checked: {skipped or 'none'}; errors: {self.error_count}"
        )


class Drift(models.Model):
    """A difference between our record of a customer and what a platform says, read-only (#15).
    One open row per (group, aspect), updated by later runs and resolved by the first run that finds
    both sides equal. `ours` and `theirs` have the same shape: equal means no drift."""

    group = models.ForeignKey(CustomerGroup, on_delete=models.CASCADE, related_name="drift")
    platform = models.CharField(max_length=16, choices=Platform.choices)
    aspect = models.CharField(max_length=32, choices=Aspect.choices)
    ours = models.JSONField(null=True, help_text="What our records say.")
    theirs = models.JSONField(null=True, help_text="What the platform says (null: it has none).")
    rule = models.CharField(max_length=8, blank=True, help_text="The rule it breaks (K4, C2): an escalation.")
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    last_run = models.ForeignKey(ReconciliationRun, null=True, on_delete=models.SET_NULL, related_name="+")
    # The change that was queued to repair it (customers' build engine); it resolves at the next run.
    repair = models.ForeignKey(ServiceBuild, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    PARTNER_SCOPE = "group__partner"

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "aspect"], condition=Q(resolved_at__isnull=True), name="one_open_drift_per_aspect"
            ),
        ]
        indexes = [models.Index(fields=["resolved_at", "platform"]), models.Index(fields=["rule", "resolved_at"])]

    def __str__(self):
        return f"{self.group.group_id}: {without_rule_ids(self.get_aspect_display())}"

    def get_absolute_url(self):
        return reverse("reconciliation:drift_detail", args=[self.pk])

    @property
    def state(self) -> str:
        return DriftState.OPEN if self.resolved_at is None else DriftState.RESOLVED

    @property
    def state_badge(self) -> str:
        return DriftState(self.state).badge

    def get_state_display(self) -> str:
        return DriftState(self.state).label
