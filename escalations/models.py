from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.choices import EscalationLevel
from accounts.models import SHARED
from expoe_portal import bounds
from expoe_portal.durations import WORKING, days_text, hours_text

from .choices import CloseReason, SlaClock, SlaState, SubjectType


class SlaPolicy(models.Model):
    """E2: one kind of deadline the portal watches, as data managers can tune.

    Which items it covers and when their clock starts and stops is the job of its source
    (`escalations/sources.py`, named by `source`); the thresholds are here."""

    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    rule = models.CharField(max_length=16, blank=True, help_text="The rule it enforces (O1, P4, ...).")
    source = models.CharField(max_length=64, help_text="The source class that finds its open items.")
    source_arg = models.CharField(max_length=64, blank=True, help_text="For example the onboarding stage.")
    description = models.TextField(blank=True, max_length=bounds.NOTE, help_text="When the clock starts and stops.")
    clock = models.CharField(max_length=16, choices=SlaClock.choices, default=SlaClock.CALENDAR_HOURS)
    target = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Hours (calendar clock) or working days until the deadline; empty when the item sets it.",
    )
    at_risk_hours = models.PositiveIntegerField(default=4, help_text="At risk this many hours before the deadline.")
    breach_start_level = models.PositiveSmallIntegerField(
        choices=[(0, "Level 0"), (1, "Level 1")],
        default=0,
        help_text="The matrix level told first when the deadline passes.",
    )
    climb_every_hours = models.PositiveIntegerField(
        default=24, help_text="Hours after which a breach not acknowledged climbs one more level (up to 3)."
    )
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Policies are reference data; the permission decides who reads them (staff) and edits them (managers).
    PARTNER_SCOPE = SHARED

    class Meta:
        ordering = ["position", "key"]
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        constraints = [
            models.CheckConstraint(condition=Q(breach_start_level__in=[0, 1]), name="sla_breach_starts_at_0_or_1"),
            models.CheckConstraint(condition=Q(climb_every_hours__gte=1), name="sla_climb_interval_positive"),
            models.CheckConstraint(
                condition=Q(clock=SlaClock.ITEM_DEADLINE) | Q(target__gte=1), name="sla_target_set_unless_item_deadline"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def target_display(self) -> str:
        if self.clock == SlaClock.ITEM_DEADLINE:
            return "the item's own deadline"
        if self.clock == SlaClock.WORKING_DAYS:
            return days_text(self.target, WORKING)
        return hours_text(self.target)


class Escalation(models.Model):
    """E2: one open item with a deadline under one policy, and how far up the matrix (E1) it went.

    One row per item episode: an item whose clock restarts (a port resubmitted, P5) closes its row
    and opens another. The state is worked out from `at_risk_at` and `due_at` when read, so it is
    never stale; `level` is what the evaluator has reached and notified."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT, related_name="escalations")
    subject_type = models.CharField(max_length=32, choices=SubjectType.choices)
    subject_id = models.PositiveBigIntegerField()
    subject_label = models.CharField(max_length=200)
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.CASCADE, related_name="escalations"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_escalations",
        help_text="The co-ordinator who owns the item, when it has one.",
    )
    started_at = models.DateTimeField()
    at_risk_at = models.DateTimeField()
    due_at = models.DateTimeField()
    level = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The highest matrix level reached (empty before the breach)."
    )
    breached_at = models.DateTimeField(null=True, blank=True, help_text="When the evaluator first saw the breach.")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledge_note = models.TextField(blank=True, max_length=bounds.NOTE)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=16, choices=CloseReason.choices, blank=True)

    PARTNER_SCOPE = "partner"

    class Meta:
        ordering = ["due_at", "id"]
        permissions = [
            ("view_escalation_dashboard", "Can view the escalation dashboard"),
            ("acknowledge_escalation", "Can acknowledge an escalation"),
        ]
        indexes = [
            models.Index(fields=["closed_at", "due_at"]),
            models.Index(fields=["owner", "closed_at", "due_at"]),
            models.Index(fields=["policy", "closed_at"]),
            models.Index(fields=["breached_at"]),
            # The dashboard's oldest breaches: the first 25 open items in deadline order, read from
            # the index instead of joining and sorting every open item (70 ms at 25,000; #14).
            models.Index(fields=["due_at", "id"], condition=Q(closed_at__isnull=True), name="escalation_open_by_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "subject_type", "subject_id", "started_at"], name="one_escalation_per_item_episode"
            ),
            models.UniqueConstraint(
                fields=["policy", "subject_type", "subject_id"],
                condition=Q(closed_at__isnull=True),
                name="one_open_escalation_per_policy_and_subject",
            ),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=0, level__lte=3), name="escalation_reached_level_0_to_3"
            ),
        ]

    def __str__(self):
        return f"{self.policy.name}: {self.subject_label}"

    @classmethod
    def scope_for_staff(cls, queryset, user):
        """Trainers see the escalations of the partners whose onboarding they are allocated to, as
        they see only those orders; other staff see every escalation."""
        from accounts.choices import Role
        from onboarding.models import OnboardingOrder

        if user.role == Role.TRAINER and not user.is_superuser:
            return queryset.filter(partner_id__in=OnboardingOrder.objects.filter(trainer=user).values("partner_id"))
        return queryset

    def state_at(self, now) -> str:
        """Mirrors `selectors.escalation_state_expression`: at exactly the deadline it is still met."""
        if now > self.due_at:
            return SlaState.BREACHED
        if now >= self.at_risk_at:
            return SlaState.AT_RISK
        return SlaState.ON_TRACK

    @property
    def state(self) -> str:
        from django.utils import timezone

        return getattr(self, "live_state", None) or self.state_at(timezone.now())

    @property
    def state_badge(self) -> str:
        return SlaState(self.state).badge

    def get_state_display(self) -> str:
        return SlaState(self.state).label

    @property
    def current_level(self) -> int:
        """API.md's `level`: the level to contact now; work not yet escalated belongs to level 0."""
        return self.level if self.level is not None else 0

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def subject_url(self) -> str:
        from .sources import subject_url

        return subject_url(self.subject_type, self.subject_id)


class EscalationEvent(models.Model):
    """E2: an escalation reached a level; that level's contact (E1) is told once.

    The unique (escalation, level) constraint is what makes "once" hold when two evaluators run at
    the same moment: only the insert that wins queues the email."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="events")
    level = models.PositiveSmallIntegerField(choices=EscalationLevel.choices)
    at = models.DateTimeField()
    contact_name = models.CharField(max_length=120, blank=True)
    contact_email = models.EmailField(blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    PARTNER_SCOPE = "escalation__partner"

    class Meta:
        ordering = ["escalation_id", "level"]
        constraints = [
            models.UniqueConstraint(fields=["escalation", "level"], name="one_event_per_escalation_level"),
        ]

    def __str__(self):
        return f"Level {self.level} at {self.at:%Y-%m-%d %H:%M}"
