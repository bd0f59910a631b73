from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField
from django_fsm_log.models import StateLog

from accounts.choices import Role
from accounts.roles import MayRun
from expoe_portal import bounds
from expoe_portal.transitions import logged_transition
from partners.models import Partner
from partners.validators import broadworks_id_field, unique_ignoring_case

from .choices import BuildKind, BuildStatus, BuildStepName, BulkUploadStatus, GroupDomain, StepStatus


class CustomerGroup(models.Model):
    """An end customer's group on BroadWorks, and everything its build needs: one build request
    (G1-G6, B1, V1-V2, A1-A2, K2, K4, C2-C5). Numbers point at it from the partner's pool (N1)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="customer_groups")
    group_id = broadworks_id_field(
        "group ID", unique=True, help_text="Unique on the platform (G3); usually the end customer's name."
    )
    name = models.CharField(max_length=200, help_text="The end customer's name (G4).")
    domain = models.CharField(max_length=64, choices=GroupDomain.choices, default=GroupDomain.HOSTEDCOMM)
    # G1, G2: what the group is cloned from, fixed when the request is made.
    clone_service_provider_id = models.CharField(max_length=30, blank=True)
    clone_group_id = models.CharField(max_length=30, blank=True)
    extension_length = models.PositiveSmallIntegerField(default=4)
    business_profile_number = models.CharField(max_length=16, blank=True, help_text="B1: one of the group's numbers.")
    # B1: the guide's option ("this number can also be set as a group number to dial out from").
    present_group_number_as_clid = models.BooleanField(
        "present the business profile number as the users' caller ID",
        default=False,
        help_text="Users call out showing the group's number instead of their own (B1).",
    )
    voice_portal_number = models.CharField(max_length=16, blank=True)
    voice_portal_extension = models.CharField(max_length=6, blank=True)
    voice_portal_external_dial_in = models.BooleanField(default=False)
    akixi_licence = models.CharField(max_length=64, blank=True, help_text="K2: blank when not licensed for Akixi.")
    callcabinet_admin_name = models.CharField(max_length=200, blank=True)
    callcabinet_admin_email = models.EmailField(blank=True)
    # Call Cabinet in manual mode (C2-C5): the reference a co-ordinator read off Call Cabinet after
    # creating the Essential customer by hand; the build's step completes with it.
    callcabinet_reference = models.CharField(max_length=100, blank=True)
    # Akixi in manual mode (K2, K3): the partition ID a co-ordinator read off Akixi after creating and
    # synchronising the customer's partition by hand.
    akixi_partition_reference = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True, help_text="When the build was confirmed.")
    # Set when its decommissioning succeeded: the customer is off all three platforms; the record
    # stays, with its history (#15).
    decommissioned_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    PARTNER_SCOPE = "partner"

    class Meta:
        db_table = "onboarding_customergroup"  # made before customers had an app of their own
        ordering = ["partner_id", "group_id"]
        constraints = [unique_ignoring_case("group_id", what="customer group")]

    def __str__(self):
        return f"{self.group_id} — {self.name}"

    def get_absolute_url(self):
        return reverse("customers:group_detail", args=[self.pk])

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

    @property
    def build(self) -> "ServiceBuild | None":
        """The group's first build (its changes are its other builds); None before one is started.
        Read from `builds` as prefetched (prefetch_related("builds")) when it was."""
        return next((b for b in self.builds.all() if b.kind == BuildKind.BUILD), None)

    @property
    def latest_build(self) -> "ServiceBuild | None":
        """Its build or change that came last: what the group's state is now."""
        return max(self.builds.all(), key=lambda b: b.pk, default=None)


class GroupAdmin(models.Model):
    """A2: a group administrator. The password is kept encrypted only until the build has used it,
    or, when it was generated and never shown, until it is revealed once on the hand-over page
    (or the time it is kept for there has passed)."""

    group = models.ForeignKey(CustomerGroup, on_delete=models.CASCADE, related_name="admins")
    first_name = models.CharField(max_length=64)
    last_name = models.CharField(max_length=64)
    # A1: unique platform-wide and case sensitive (BroadWorks compares user IDs exactly).
    user_id = models.CharField("user ID", max_length=161, unique=True)
    password_encrypted = models.TextField(blank=True, max_length=bounds.SYSTEM_TEXT)
    password_generated = models.BooleanField(default=False)
    password_wiped_at = models.DateTimeField(null=True, blank=True)
    # A2: when and to whom a generated password was shown, the one time it is (the preview, the
    # API's reply, a bulk upload's confirmation, a change's page, or the hand-over page).
    password_shown_at = models.DateTimeField(null=True, blank=True, editable=False)
    password_shown_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    PARTNER_SCOPE = "group__partner"

    class Meta:
        db_table = "onboarding_groupadmin"
        ordering = ["group_id", "id"]

    def __str__(self):
        return self.user_id


class AkixiUser(models.Model):
    """K4: a reporting admin user on the customer's own Akixi partition."""

    group = models.ForeignKey(CustomerGroup, on_delete=models.CASCADE, related_name="akixi_users")
    username = models.CharField(max_length=120)
    full_name = models.CharField(max_length=200)
    email = models.EmailField()
    # Akixi in manual mode (K4): when a co-ordinator confirmed they created this user by hand.
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)

    PARTNER_SCOPE = "group__partner"

    class Meta:
        db_table = "onboarding_akixiuser"
        ordering = ["group_id", "id"]
        constraints = [
            models.UniqueConstraint(Lower("username"), name="akixi_username_unique_ignoring_case"),
        ]

    def __str__(self):
        return self.username


BUILDERS = MayRun(Role.PROVISIONING_ADMIN, Role.COORDINATOR, Role.PARTNER_USER)


class ServiceBuild(ConcurrentTransitionMixin, models.Model):
    """One run of steps on a customer group, each step its own task: the group's first build, or a
    change made after it (#15), on the same engine (customers.builds).

    Transition methods only change fields in memory; customers.builds saves them and queues work."""

    group = models.ForeignKey(CustomerGroup, on_delete=models.CASCADE, related_name="builds")
    kind = models.CharField(max_length=16, choices=BuildKind.choices, default=BuildKind.BUILD)
    # A change's own values (the numbers it adds or takes off), for its steps and its page; never
    # a password.
    details = models.JSONField(default=dict, blank=True)
    summary = models.CharField(max_length=200, blank=True, help_text="What a change does, in a line.")
    status = FSMField(choices=BuildStatus.choices, default=BuildStatus.DRAFT, protected=True, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    last_error = models.TextField(blank=True, max_length=bounds.SYSTEM_TEXT)
    state_logs = GenericRelation(StateLog)

    PARTNER_SCOPE = "group__partner"

    class Meta:
        db_table = "onboarding_servicebuild"
        constraints = [
            models.UniqueConstraint(
                fields=["group"], condition=models.Q(kind=BuildKind.BUILD), name="one_first_build_per_group"
            ),
            # One thing at a time on a group: a change waits until the build or change before it has
            # succeeded or been cancelled (a failed one is retried or cancelled first).
            models.UniqueConstraint(
                fields=["group"],
                condition=models.Q(status__in=[BuildStatus.QUEUED, BuildStatus.RUNNING, BuildStatus.FAILED]),
                name="one_open_build_or_change_per_group",
            ),
        ]

    def __str__(self):
        what = "Build" if self.kind == BuildKind.BUILD else f"Change ({self.summary})"
        return f"{what} of {self.group.group_id}: {self.get_status_display()}"

    @property
    def status_badge(self) -> str:
        return BuildStatus(self.status).badge

    @logged_transition(status, [BuildStatus.DRAFT, BuildStatus.FAILED], BuildStatus.QUEUED, who=BUILDERS, label="Build")
    def queue(self, *, by, description=None):
        self.queued_at = timezone.now()
        self.cancel_requested = False
        self.last_error = ""

    @logged_transition(status, BuildStatus.QUEUED, BuildStatus.RUNNING)
    def start(self, *, by=None, description=None):
        self.started_at = self.started_at or timezone.now()

    @logged_transition(status, BuildStatus.RUNNING, BuildStatus.SUCCEEDED)
    def succeed(self, *, by=None, description=None):
        self.finished_at = timezone.now()

    @logged_transition(status, [BuildStatus.QUEUED, BuildStatus.RUNNING], BuildStatus.FAILED)
    def fail(self, *, reason, by=None, description=None):
        self.finished_at = timezone.now()
        self.last_error = reason

    @logged_transition(
        status,
        [BuildStatus.DRAFT, BuildStatus.QUEUED, BuildStatus.RUNNING, BuildStatus.FAILED],
        BuildStatus.CANCELLED,
        who=BUILDERS,
        label="Cancel build",
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
    last_error = models.TextField(blank=True, max_length=bounds.SYSTEM_TEXT)
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
        db_table = "onboarding_buildstep"
        ordering = ["build_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["build", "position"], name="one_step_per_position"),
            models.UniqueConstraint(fields=["build", "name"], name="one_step_per_name"),
        ]

    def __str__(self):
        return f"{self.get_name_display()}: {self.get_status_display()}"


class BulkUpload(models.Model):
    """A spreadsheet of customers, one per row (#15), checked as a whole before anything is built:
    confirmed only when no row has an error, and then once (a compare-and-set on the status)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="bulk_uploads")
    filename = models.CharField(max_length=255)
    status = models.CharField(
        max_length=16, choices=BulkUploadStatus.choices, default=BulkUploadStatus.CHECKED, db_index=True
    )
    row_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0, help_text="Rows with at least one error.")
    # The file's header, in order: names a cell (F3) in a message about a row after the file is gone.
    columns = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    PARTNER_SCOPE = "partner"

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Bulk upload {self.pk} ({self.filename}) for {self.partner.partner_id}"

    def get_absolute_url(self):
        return reverse("customers:bulk_detail", args=[self.pk])

    @property
    def status_badge(self) -> str:
        return BulkUploadStatus(self.status).badge

    @property
    def can_confirm(self) -> bool:
        return self.status == BulkUploadStatus.CHECKED and self.error_count == 0 and self.row_count > 0


class BulkRow(models.Model):
    """One customer of a bulk upload: its build request as read from the row (never a password:
    the spreadsheet has none, A2), what was wrong with it cell by cell, and once confirmed its group."""

    upload = models.ForeignKey(BulkUpload, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(help_text="The row's number in the spreadsheet (the header is row 1).")
    data = models.JSONField(default=dict, help_text="The build request, in customers.build_request's shape.")
    # [{"column": "business_profile_number", "cell": "F3", "message": "..."}]
    errors = models.JSONField(default=list, blank=True)
    group = models.ForeignKey(CustomerGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="bulk_rows")

    PARTNER_SCOPE = "upload__partner"

    class Meta:
        ordering = ["upload_id", "line"]
        constraints = [models.UniqueConstraint(fields=["upload", "line"], name="one_bulk_row_per_line")]

    def __str__(self):
        return f"Row {self.line} of bulk upload {self.upload_id}"
