from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField
from django_fsm_log.models import StateLog

from accounts.choices import Role
from accounts.roles import MayRun
from expoe_portal import bounds
from expoe_portal.transitions import logged_transition
from partners.models import Partner

from .choices import (
    CLOSED_STATUSES,
    HOLDABLE_STATUSES,
    OPEN_STATUSES,
    AccountPlatform,
    AccountStatus,
    OrderStatus,
    SlaState,
    TrainingPlatform,
)

# --- Who may run each transition ------------------------------------------------------------

ADMIN = MayRun(Role.PROVISIONING_ADMIN)
ADMIN_OR_MANAGER = MayRun(Role.PROVISIONING_ADMIN, Role.MANAGER)
ORDER_COORDINATOR = MayRun(Role.COORDINATOR, own={Role.COORDINATOR: "coordinator"})  # O2, O4, O6
ORDER_TRAINER = MayRun(Role.TRAINER, own={Role.TRAINER: "trainer"})  # O5
HOLDERS = MayRun(Role.PROVISIONING_ADMIN, Role.MANAGER, Role.COORDINATOR, own={Role.COORDINATOR: "coordinator"})


class OnboardingOrder(ConcurrentTransitionMixin, models.Model):
    """A partner's onboarding, from the signed order to go-live (O1-O6).

    Transition methods only change fields in memory; services save, log and send email.
    """

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="onboarding_orders")
    status = FSMField(choices=OrderStatus.choices, default=OrderStatus.RECEIVED, protected=True, db_index=True)
    signed_order_received_at = models.DateTimeField(help_text="When the signed onboarding order arrived (O1).")
    confirmation_due_at = models.DateTimeField(db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coordinated_orders",
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trained_orders",
    )
    kickoff_at = models.DateTimeField(null=True, blank=True)
    went_live_at = models.DateTimeField(null=True, blank=True)
    held_from = models.CharField(max_length=32, choices=OrderStatus.choices, blank=True)
    hold_reason = models.TextField(blank=True, max_length=bounds.NOTE)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True, max_length=bounds.NOTE)
    confirmation_email_sent_at = models.DateTimeField(null=True, blank=True)
    go_live_email_sent_at = models.DateTimeField(null=True, blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # django-fsm-log's rows for this order (its history), so lists can prefetch them.
    state_logs = GenericRelation(StateLog)

    PARTNER_SCOPE = "partner"

    class Meta:
        ordering = ["-signed_order_received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner"],
                condition=~Q(status__in=CLOSED_STATUSES),
                name="one_open_onboarding_order_per_partner",
                violation_error_message="This partner already has an open onboarding order.",
            ),
        ]

    def __str__(self):
        return f"Onboarding of {self.partner.partner_id}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # The partner shows its current (latest) order's status without a join: keep that copy in
        # step whenever any of its orders is saved, in the same transaction.
        latest = OnboardingOrder.objects.filter(partner=OuterRef("pk")).order_by("-signed_order_received_at", "-id")
        Partner.objects.filter(pk=self.partner_id).update(current_order_status=Subquery(latest.values("status")[:1]))

    def get_absolute_url(self):
        return reverse("onboarding:order_detail", args=[self.pk])

    @classmethod
    def scope_for_staff(cls, queryset, user):
        """Trainers see the orders they are allocated to; other staff see every order."""
        if user.role == Role.TRAINER and not user.is_superuser:
            return queryset.filter(trainer=user)
        return queryset

    # --- SLA (O1) -----------------------------------------------------------------------
    @staticmethod
    def confirmation_due_for(received_at):
        return received_at + timedelta(hours=settings.ONBOARDING_CONFIRMATION_SLA_HOURS)

    def sla_state_at(self, now) -> str:
        """O1: the confirmation clock runs from the signed order for 48 hours; it stops when the
        order is confirmed (or cancelled before that)."""
        stopped = self.confirmed_at or self.cancelled_at
        if stopped is not None:
            return SlaState.MET if stopped <= self.confirmation_due_at else SlaState.BREACHED
        if now > self.confirmation_due_at:
            return SlaState.BREACHED
        if now >= self.confirmation_due_at - timedelta(hours=settings.ONBOARDING_SLA_AT_RISK_HOURS):
            return SlaState.AT_RISK
        return SlaState.ON_TRACK

    @property
    def sla_state(self) -> str:
        return self.sla_state_at(timezone.now())

    @property
    def sla_badge(self) -> str:
        return SlaState(self.sla_state).badge

    def get_sla_state_display(self) -> str:
        return SlaState(self.sla_state).label

    @property
    def status_badge(self) -> str:
        return OrderStatus(self.status).badge

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # --- What is still missing --------------------------------------------------------------
    def accounts_outstanding(self) -> list[str]:
        done = {a.platform for a in self.accounts.all() if a.status == AccountStatus.DONE}
        return [label for value, label in AccountPlatform.choices if value not in done]

    def training_outstanding(self) -> list[str]:
        done = {t.platform for t in self.training_sessions.all()}
        return [label for value, label in TrainingPlatform.choices if value not in done]

    # --- Transitions (O1-O6) ----------------------------------------------------------------
    @logged_transition(
        status, OrderStatus.RECEIVED, OrderStatus.CONFIRMED, who=ADMIN, label="Send order confirmation", rule="O1"
    )
    def confirm(self, *, by, description=None, at=None):
        self.confirmed_at = at or timezone.now()

    @logged_transition(
        status,
        OrderStatus.CONFIRMED,
        OrderStatus.COORDINATOR_ASSIGNED,
        who=ADMIN_OR_MANAGER,
        label="Assign co-ordinator",
        rule="O2",
    )
    def assign_coordinator(self, *, by, coordinator, description=None):
        self.coordinator = coordinator

    @logged_transition(
        status,
        OrderStatus.COORDINATOR_ASSIGNED,
        OrderStatus.ACCOUNTS_CREATED,
        who=ORDER_COORDINATOR,
        label="Partner accounts created",
        rule="O2",
    )
    def complete_accounts(self, *, by, description=None):
        pass

    @logged_transition(
        status,
        OrderStatus.ACCOUNTS_CREATED,
        OrderStatus.KICKOFF_ARRANGED,
        who=ORDER_COORDINATOR,
        label="Arrange kickoff",
        rule="O4",
    )
    def arrange_kickoff(self, *, by, kickoff_at, trainer, description=None):
        self.kickoff_at = kickoff_at
        self.trainer = trainer

    @logged_transition(
        status,
        [OrderStatus.KICKOFF_ARRANGED, OrderStatus.TRAINING],
        OrderStatus.TRAINING,
        who=ORDER_TRAINER,
        label="Record training session",
        rule="O5",
    )
    def record_training(self, *, by, description=None):
        """The session itself is a TrainingSession row the service writes beside this transition."""

    @logged_transition(
        status, OrderStatus.TRAINING, OrderStatus.LIVE, who=ORDER_COORDINATOR, label="Go live", rule="O6"
    )
    def go_live(self, *, by, description=None, at=None):
        self.went_live_at = at or timezone.now()
        self.partner.live = True

    @logged_transition(status, HOLDABLE_STATUSES, OrderStatus.ON_HOLD, who=HOLDERS, label="Put on hold")
    def hold(self, *, by, reason, description=None):
        self.held_from = self.status
        self.hold_reason = reason

    @logged_transition(status, OrderStatus.ON_HOLD, RETURN_VALUE(*HOLDABLE_STATUSES), who=HOLDERS, label="Resume")
    def resume(self, *, by, description=None):
        resumed_to, self.held_from, self.hold_reason = self.held_from, "", ""
        return resumed_to

    @logged_transition(status, OPEN_STATUSES, OrderStatus.CANCELLED, who=ADMIN_OR_MANAGER, label="Cancel order")
    def cancel(self, *, by, reason, description=None, at=None):
        self.cancelled_at = at or timezone.now()
        self.cancel_reason = reason


class OnboardingAccount(models.Model):
    """O2: one partner account on one platform, tracked with its reference and who completed it.

    Recorded by hand by the co-ordinator today; the integrations complete the same rows."""

    order = models.ForeignKey(OnboardingOrder, on_delete=models.CASCADE, related_name="accounts")
    platform = models.CharField(max_length=32, choices=AccountPlatform.choices)
    status = models.CharField(max_length=16, choices=AccountStatus.choices, default=AccountStatus.PENDING)
    reference = models.CharField(max_length=120, blank=True, help_text="The account's ID on the platform.")
    error = models.TextField(blank=True, max_length=bounds.SYSTEM_TEXT)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    # Durable work (expoe_portal.work): while the account is being created on its platform, when the
    # next attempt is due and which worker holds it; a lost retry message is woken by the sweeper.
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)

    PARTNER_SCOPE = "order__partner"

    class Meta:
        ordering = ["order_id", "platform"]
        constraints = [
            models.UniqueConstraint(fields=["order", "platform"], name="one_account_per_platform_per_order"),
        ]

    def __str__(self):
        return f"{self.get_platform_display()}: {self.get_status_display()}"


class TrainingSession(models.Model):
    """O5: training given on one platform."""

    order = models.ForeignKey(OnboardingOrder, on_delete=models.CASCADE, related_name="training_sessions")
    platform = models.CharField(max_length=32, choices=TrainingPlatform.choices)
    held_on = models.DateField()
    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True, max_length=bounds.NOTE)
    notes_for_partner = models.BooleanField(default=False, help_text="The trainer marked the notes for the partner.")
    recorded_at = models.DateTimeField(auto_now_add=True)

    PARTNER_SCOPE = "order__partner"

    class Meta:
        ordering = ["order_id", "held_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "platform"], name="one_training_session_per_platform"),
        ]

    def __str__(self):
        return f"{self.get_platform_display()} on {self.held_on:%d %b %Y}"

    def notes_for(self, user) -> str:
        """The session's notes as this user may read them: internal ones never reach a partner user."""
        if getattr(user, "is_partner_user", False) and not self.notes_for_partner:
            return ""
        return self.notes


# name -> label of every onboarding transition, for messages and the API's transition list.
TRANSITION_LABELS = {
    t.name: t.custom.get("label", t.name)
    for t in OnboardingOrder._meta.get_field("status").get_all_transitions(OnboardingOrder)
}
