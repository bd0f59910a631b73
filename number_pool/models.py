from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

import expoe_portal.db  # noqa: F401  (registers the `in_values` lookup the services use)
from expoe_portal.phone import format_national
from partners.models import Partner

from .choices import NumberStatus


class Number(models.Model):
    """A telephone number in a partner's pool (N1), assigned to at most one of its groups (N2)."""

    e164 = models.CharField("number", max_length=16, unique=True, help_text="E.164, e.g. +442079460000.")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="numbers")
    # A string reference: customers sits above numbers, and numbers never imports it.
    customer_group = models.ForeignKey(
        "customers.CustomerGroup", null=True, blank=True, on_delete=models.PROTECT, related_name="numbers"
    )
    status = models.CharField(max_length=16, choices=NumberStatus.choices, default=NumberStatus.AVAILABLE)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    PARTNER_SCOPE = "partner"

    class Meta:
        db_table = "onboarding_number"  # made before the number pool had an app of its own
        ordering = ["e164"]
        indexes = [
            models.Index(fields=["partner", "status", "e164"]),
            models.Index(fields=["customer_group", "e164"]),
        ]
        constraints = [
            # N1: assigned means "in a group", and only assigned numbers are in one.
            models.CheckConstraint(
                condition=(Q(status=NumberStatus.ASSIGNED) & Q(customer_group__isnull=False))
                | (~Q(status=NumberStatus.ASSIGNED) & Q(customer_group__isnull=True)),
                name="number_assigned_iff_in_a_group",
            ),
        ]

    def __str__(self):
        return self.e164

    @property
    def display(self) -> str:
        return format_national(self.e164)

    @property
    def status_badge(self) -> str:
        return NumberStatus(self.status).badge
