from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description
from django_fsm_log.models import StateLog

import expoe_portal.db  # noqa: F401  (registers the `in_values` lookup the services use)
from accounts.choices import Role
from expoe_portal.phone import format_national, validate_e164

from .choices import (
    BUILD_STATUS_BADGES,
    CLOSED_STATUSES,
    HOLDABLE_STATUSES,
    NUMBER_STATUS_BADGES,
    ONBOARDING_STATUS_BADGES,
    OPEN_STATUSES,
    ORDER_STATUS_BADGES,
    SLA_STATE_BADGES,
    AccountPlatform,
    AccountStatus,
    BuildStatus,
    BuildStepName,
    GroupDomain,
    NumberStatus,
    OnboardingStatus,
    OrderStatus,
    SlaState,
    StepStatus,
    TrainingPlatform,
)
from .validators import broadworks_id_validator


class Partner(models.Model):
    """A reseller partner: one BroadWorks service provider/enterprise."""

    partner_id = models.CharField(
        "partner ID",
        max_length=30,
        unique=True,
        validators=[broadworks_id_validator],
        help_text="The BroadWorks service provider/enterprise ID. It cannot change once created.",
    )
    name = models.CharField(max_length=200)
    clone_group_id = models.CharField(
        "clone group ID",
        max_length=30,
        blank=True,
        validators=[broadworks_id_validator],
        help_text="The partner’s own pre-built clone group on BroadWorks (G2).",
    )
    live = models.BooleanField(default=False, help_text="Platform access is live (O6).")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    PARTNER_SCOPE = "pk"

    class Meta:
        ordering = ["partner_id"]
        constraints = [
            # BroadWorks compares IDs case-insensitively in places; two partners differing only in
            # case would collide there.
            models.UniqueConstraint(
                Lower("partner_id"),
                name="partner_id_unique_ignoring_case",
                violation_error_message="A partner with this ID already exists (ignoring case).",
            ),
        ]

    def __str__(self):
        return f"{self.partner_id} — {self.name}"

    @property
    def onboarding_status(self) -> str:
        """The current order's status; selectors annotate `current_order_status` to avoid a query per row."""
        if hasattr(self, "current_order_status"):
            status = self.current_order_status
        else:
            order = self.onboarding_orders.order_by("-signed_order_received_at", "-id").first()
            status = order.status if order else None
        if status is None:
            return OnboardingStatus.LIVE if self.live else OnboardingStatus.NOT_STARTED
        return status

    def get_onboarding_status_display(self) -> str:
        return OnboardingStatus(self.onboarding_status).label

    @property
    def onboarding_status_badge(self) -> str:
        return ONBOARDING_STATUS_BADGES[self.onboarding_status]


class PartnerContact(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=100, blank=True, help_text="For example: primary, technical, billing.")
    email = models.EmailField()
    phone = models.CharField(max_length=20, validators=[validate_e164], help_text="Stored as E.164.")

    PARTNER_SCOPE = "partner"

    class Meta:
        ordering = ["partner_id", "id"]

    def __str__(self):
        return f"{self.name} <{self.email}>"

    @property
    def phone_display(self) -> str:
        return format_national(self.phone)


# --- Who may run each transition ------------------------------------------------------------


class MayRun:
    """A transition's `permission=`: the roles that run it; for the roles named in `own`, only the
    person the order names (its co-ordinator, its trainer) and not every holder of the role."""

    def __init__(self, *roles, own=None):
        self.roles = frozenset(roles)
        self.own = own or {}

    def role_may(self, user) -> bool:
        return bool(user and user.is_authenticated and user.is_active and user.role in self.roles)

    def __call__(self, order, user) -> bool:
        if not self.role_may(user):
            return False
        field = self.own.get(user.role)
        return field is None or getattr(order, f"{field}_id") == user.pk


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
    hold_reason = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
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
        return SLA_STATE_BADGES[self.sla_state]

    def get_sla_state_display(self) -> str:
        return SlaState(self.sla_state).label

    @property
    def status_badge(self) -> str:
        return ORDER_STATUS_BADGES[self.status]

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
    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=OrderStatus.RECEIVED,
        target=OrderStatus.CONFIRMED,
        permission=ADMIN,
        custom={"label": "Send order confirmation", "rule": "O1"},
    )
    def confirm(self, *, by, description=None, at=None):
        self.confirmed_at = at or timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=OrderStatus.CONFIRMED,
        target=OrderStatus.COORDINATOR_ASSIGNED,
        permission=ADMIN_OR_MANAGER,
        custom={"label": "Assign co-ordinator", "rule": "O2"},
    )
    def assign_coordinator(self, *, by, coordinator, description=None):
        self.coordinator = coordinator

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=OrderStatus.COORDINATOR_ASSIGNED,
        target=OrderStatus.ACCOUNTS_CREATED,
        permission=ORDER_COORDINATOR,
        custom={"label": "Partner accounts created", "rule": "O2"},
    )
    def complete_accounts(self, *, by, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=OrderStatus.ACCOUNTS_CREATED,
        target=OrderStatus.KICKOFF_ARRANGED,
        permission=ORDER_COORDINATOR,
        custom={"label": "Arrange kickoff", "rule": "O4"},
    )
    def arrange_kickoff(self, *, by, kickoff_at, trainer, description=None):
        self.kickoff_at = kickoff_at
        self.trainer = trainer

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=[OrderStatus.KICKOFF_ARRANGED, OrderStatus.TRAINING],
        target=OrderStatus.TRAINING,
        permission=ORDER_TRAINER,
        custom={"label": "Record training session", "rule": "O5"},
    )
    def record_training(self, *, by, description=None):
        """The session itself is a TrainingSession row the service writes beside this transition."""

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=OrderStatus.TRAINING,
        target=OrderStatus.LIVE,
        permission=ORDER_COORDINATOR,
        custom={"label": "Go live", "rule": "O6"},
    )
    def go_live(self, *, by, description=None, at=None):
        self.went_live_at = at or timezone.now()
        self.partner.live = True

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=HOLDABLE_STATUSES,
        target=OrderStatus.ON_HOLD,
        permission=HOLDERS,
        custom={"label": "Put on hold"},
    )
    def hold(self, *, by, reason, description=None):
        self.held_from = self.status
        self.hold_reason = reason

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=OrderStatus.ON_HOLD,
        target=RETURN_VALUE(*HOLDABLE_STATUSES),
        permission=HOLDERS,
        custom={"label": "Resume"},
    )
    def resume(self, *, by, description=None):
        resumed_to, self.held_from, self.hold_reason = self.held_from, "", ""
        return resumed_to

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=OPEN_STATUSES,
        target=OrderStatus.CANCELLED,
        permission=ADMIN_OR_MANAGER,
        custom={"label": "Cancel order"},
    )
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
    error = models.TextField(blank=True)
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
    notes = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    PARTNER_SCOPE = "order__partner"

    class Meta:
        ordering = ["order_id", "held_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "platform"], name="one_training_session_per_platform"),
        ]

    def __str__(self):
        return f"{self.get_platform_display()} on {self.held_on:%d %b %Y}"


# name -> label of every onboarding transition, for messages and the API's transition list.
TRANSITION_LABELS = {
    t.name: t.custom.get("label", t.name)
    for t in OnboardingOrder._meta.get_field("status").get_all_transitions(OnboardingOrder)
}


class CustomerGroup(models.Model):
    """An end customer's group on BroadWorks, and everything its build needs: one build request
    (G1-G6, B1, V1-V2, A1-A2, K2, K4, C2-C5). Numbers point at it from the partner's pool (N1)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="customer_groups")
    group_id = models.CharField(
        "group ID",
        max_length=30,
        unique=True,
        validators=[broadworks_id_validator],
        help_text="Unique on the platform (G3); usually the end customer's name.",
    )
    name = models.CharField(max_length=200, help_text="The end customer's name (G4).")
    domain = models.CharField(max_length=64, choices=GroupDomain.choices, default=GroupDomain.HOSTEDCOMM)
    # G1, G2: what the group is cloned from, fixed when the request is made.
    clone_service_provider_id = models.CharField(max_length=30, blank=True)
    clone_group_id = models.CharField(max_length=30, blank=True)
    extension_length = models.PositiveSmallIntegerField(default=4)
    business_profile_number = models.CharField(max_length=16, blank=True, help_text="B1: one of the group's numbers.")
    voice_portal_number = models.CharField(max_length=16, blank=True)
    voice_portal_extension = models.CharField(max_length=6, blank=True)
    voice_portal_external_dial_in = models.BooleanField(default=False)
    akixi_licence = models.CharField(max_length=64, blank=True, help_text="K2: blank when not licensed for Akixi.")
    callcabinet_admin_name = models.CharField(max_length=200, blank=True)
    callcabinet_admin_email = models.EmailField(blank=True)
    # Call Cabinet in manual mode (C2-C5): the reference a co-ordinator read off Call Cabinet after
    # creating the Essential customer by hand; the build's step completes with it.
    callcabinet_reference = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True, help_text="When the build was confirmed.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    PARTNER_SCOPE = "partner"

    class Meta:
        ordering = ["partner_id", "group_id"]
        constraints = [
            models.UniqueConstraint(
                Lower("group_id"),
                name="group_id_unique_ignoring_case",
                violation_error_message="A customer group with this ID already exists (ignoring case).",
            ),
        ]

    def __str__(self):
        return f"{self.group_id} — {self.name}"

    def get_absolute_url(self):
        return reverse("onboarding:group_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.submitted_at is None

    @property
    def has_callcabinet(self) -> bool:
        return bool(self.callcabinet_admin_email)

    @property
    def dealer_code(self) -> str:
        """C3: the Call Cabinet dealer and billing codes are the customer's reference (group ID)."""
        return self.group_id

    billing_code = dealer_code


class GroupAdmin(models.Model):
    """A2: a group administrator. The password is kept encrypted only until the build has used it."""

    group = models.ForeignKey(CustomerGroup, on_delete=models.CASCADE, related_name="admins")
    first_name = models.CharField(max_length=64)
    last_name = models.CharField(max_length=64)
    # A1: unique platform-wide and case sensitive (BroadWorks compares user IDs exactly).
    user_id = models.CharField("user ID", max_length=161, unique=True)
    password_encrypted = models.TextField(blank=True)
    password_generated = models.BooleanField(default=False)
    password_wiped_at = models.DateTimeField(null=True, blank=True)

    PARTNER_SCOPE = "group__partner"

    class Meta:
        ordering = ["group_id", "id"]

    def __str__(self):
        return self.user_id


class AkixiUser(models.Model):
    """K4: a reporting admin user on the customer's own Akixi partition."""

    group = models.ForeignKey(CustomerGroup, on_delete=models.CASCADE, related_name="akixi_users")
    username = models.CharField(max_length=120)
    full_name = models.CharField(max_length=200)
    email = models.EmailField()

    PARTNER_SCOPE = "group__partner"

    class Meta:
        ordering = ["group_id", "id"]
        constraints = [
            models.UniqueConstraint(Lower("username"), name="akixi_username_unique_ignoring_case"),
        ]

    def __str__(self):
        return self.username


class Number(models.Model):
    """A telephone number in a partner's pool (N1), assigned to at most one of its groups (N2)."""

    e164 = models.CharField("number", max_length=16, unique=True, help_text="E.164, e.g. +442079460000.")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="numbers")
    customer_group = models.ForeignKey(
        CustomerGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="numbers"
    )
    status = models.CharField(max_length=16, choices=NumberStatus.choices, default=NumberStatus.AVAILABLE)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    PARTNER_SCOPE = "partner"

    class Meta:
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
        return NUMBER_STATUS_BADGES[self.status]


# --- The customer build (runs the build request on the platforms) -------------------------------

BUILDERS = MayRun(Role.PROVISIONING_ADMIN, Role.COORDINATOR, Role.PARTNER_USER)


class ServiceBuild(ConcurrentTransitionMixin, models.Model):
    """One customer group's build: its steps run in order, each as its own task.

    Transition methods only change fields in memory; onboarding.builds saves them and queues work."""

    group = models.OneToOneField(CustomerGroup, on_delete=models.CASCADE, related_name="build")
    status = FSMField(choices=BuildStatus.choices, default=BuildStatus.DRAFT, protected=True, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    last_error = models.TextField(blank=True)
    state_logs = GenericRelation(StateLog)

    PARTNER_SCOPE = "group__partner"

    def __str__(self):
        return f"Build of {self.group.group_id}: {self.get_status_display()}"

    @property
    def status_badge(self) -> str:
        return BUILD_STATUS_BADGES[self.status]

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=[BuildStatus.DRAFT, BuildStatus.FAILED],
        target=BuildStatus.QUEUED,
        permission=BUILDERS,
        custom={"label": "Build"},
    )
    def queue(self, *, by, description=None):
        self.queued_at = timezone.now()
        self.cancel_requested = False
        self.last_error = ""

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=BuildStatus.QUEUED, target=BuildStatus.RUNNING)
    def start(self, *, by=None, description=None):
        self.started_at = self.started_at or timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=BuildStatus.RUNNING, target=BuildStatus.SUCCEEDED)
    def succeed(self, *, by=None, description=None):
        self.finished_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=[BuildStatus.QUEUED, BuildStatus.RUNNING], target=BuildStatus.FAILED)
    def fail(self, *, reason, by=None, description=None):
        self.finished_at = timezone.now()
        self.last_error = reason

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=[BuildStatus.DRAFT, BuildStatus.QUEUED, BuildStatus.RUNNING, BuildStatus.FAILED],
        target=BuildStatus.CANCELLED,
        permission=BUILDERS,
        custom={"label": "Cancel build"},
    )
    def cancel(self, *, by=None, description=None):
        self.finished_at = timezone.now()


class BuildStep(models.Model):
    """One step of a build: checks the platform first and creates only what is missing."""

    build = models.ForeignKey(ServiceBuild, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=32, choices=BuildStepName.choices)
    status = models.CharField(max_length=16, choices=StepStatus.choices, default=StepStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    external_reference = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Durable work (expoe_portal.work). When the step is next due: set when it becomes the build's next
    # step, and to now + backoff on a retry; empty while an earlier step still has to run.
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Renewed by its worker's heartbeat while the step runs; a lapsed lease means the worker died.
    lease_until = models.DateTimeField(null=True, blank=True, db_index=True)
    # The id of the task message that claimed the step. A message comes back only when the worker
    # holding it died, so a delivery that finds its own id on a running step may take it back at once.
    claimed_by = models.CharField(max_length=64, blank=True)

    PARTNER_SCOPE = "build__group__partner"

    class Meta:
        ordering = ["build_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["build", "position"], name="one_step_per_position"),
            models.UniqueConstraint(fields=["build", "name"], name="one_step_per_name"),
        ]

    def __str__(self):
        return f"{self.get_name_display()}: {self.get_status_display()}"
