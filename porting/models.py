import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField
from django_fsm_log.models import StateLog

from accounts.choices import Role
from accounts.models import SHARED
from accounts.roles import MayRun
from expoe_portal import bounds
from expoe_portal.transitions import logged_transition

from .choices import (
    EDITABLE_STATUSES,
    DocumentKind,
    GbRegion,
    NumberType,
    PlatformStatus,
    PortedNumberStatus,
    PortStatus,
    RejectionCode,
)
from .storage import private_document_storage


class PortingCountry(models.Model):
    """P2, P3, P6: a country we port numbers in, and what a request there must say before submission.

    Reference data (seeded from porting/data/porting_rules.json, edited by staff)."""

    code = models.CharField("country", max_length=2, unique=True, help_text="ISO 3166-1 alpha-2, e.g. GB, DE.")
    name = models.CharField(max_length=100)
    european = models.BooleanField(default=False)
    regions = models.JSONField(
        default=list, blank=True, help_text="Subdivisions whose holidays differ (GB: ENG, SCT, WLS, NIR)."
    )
    required_fields = models.JSONField(default=list, help_text="What must be filled in before submission (P3).")
    required_documents = models.JSONField(
        default=list,
        blank=True,
        help_text="Documents (kinds) a request must have before submission (P3, P6); GB: a signed letter of authority.",
    )

    PARTNER_SCOPE = SHARED

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "porting countries"

    def __str__(self):
        return f"{self.name} ({self.code})"


class LeadTimeRule(models.Model):
    """P4: working days from acceptance to the port date, for a country and number type.

    A blank number type covers every type in the country; a blank country is the default for
    countries without a rule. `house_rule` marks combinations the guide does not state."""

    country = models.CharField(max_length=2, blank=True, help_text="Blank: every country without its own rule.")
    number_type = models.CharField(
        max_length=16, choices=NumberType.choices, blank=True, help_text="Blank: every type in the country."
    )
    working_days = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(120)])
    house_rule = models.BooleanField(
        default=False, help_text="Our own default: the onboarding guide states no lead time for this case."
    )
    source = models.TextField(blank=True, max_length=bounds.NOTE, help_text="Where the figure comes from.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    PARTNER_SCOPE = SHARED

    class Meta:
        ordering = ["country", "number_type"]
        constraints = [
            models.UniqueConstraint(fields=["country", "number_type"], name="one_lead_time_rule_per_case"),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        where = self.country or "Any other country"
        kind = self.get_number_type_display() if self.number_type else "any number type"
        origin = "house rule" if self.house_rule else "onboarding guide"
        return f"{where}, {kind}: {self.working_days} working days ({origin})"


# --- Port requests (P1-P7) ---------------------------------------------------------------------


def number_digits(main_billing_number: str, numbers: list[str]) -> str:
    """The numbers' digits, a space between numbers: ("+442079460000", ["+442079460001"]) gives
    "442079460000 442079460001", so a number typed in any format is found as a substring of one
    number, never across two."""
    found = (main_billing_number or "", *(numbers or []))
    return " ".join(digits for digits in ("".join(ch for ch in str(n) if ch.isdigit()) for n in found) if digits)


class MayRunForPartner(MayRun):
    """A port transition's `permission=`: its roles, and a partner user only for their own partner."""

    def __call__(self, port_request, user) -> bool:
        if not self.role_may(user):
            return False
        return not user.is_partner_user or user.partner_id == port_request.partner_id


# Partner users ask for ports for their own partner; the UC Provisioning team may do it for them.
REQUESTERS = MayRunForPartner(Role.PARTNER_USER, Role.COORDINATOR, Role.PROVISIONING_ADMIN)
# P1: the team lodges ports with the carrier and records what the carrier says.
CARRIER_EVENTS = MayRunForPartner(Role.COORDINATOR, Role.PROVISIONING_ADMIN)


# The data whose version every change to a port request or its rejections bumps (expoe_portal.cache):
# the dashboard's cached figures are read under it.
PORT_DATA = "porting"


class Provider(models.Model):
    """A telephone provider a port names as its losing provider or range holder (issue #16): a list
    managers keep, so the requests and the lead-time dashboard name each provider one way. A
    provider taken off the list stays on the requests that name it."""

    name = models.CharField(max_length=120)
    active = models.BooleanField(default=True, help_text="Offered in the port request form.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    PARTNER_SCOPE = SHARED

    class Meta:
        ordering = [Lower("name")]
        constraints = [models.UniqueConstraint(Lower("name"), name="provider_name_unique_ignoring_case")]

    def __str__(self):
        return self.name


class PortRequest(ConcurrentTransitionMixin, models.Model):
    """Numbers moving from a losing provider to EXPO.e (P1-P7).

    Transition methods only change fields in memory; porting.services checks, saves, logs and
    notifies. Field names follow API.md (escalations read `status`, `submitted_at`,
    `accepted_on`, `port_date` and `partner`)."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="port_requests")
    customer_group = models.ForeignKey(
        "customers.CustomerGroup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="port_requests",
        help_text="Where the numbers go on completion (optional).",
    )
    country = models.CharField(max_length=2, default="GB", help_text="ISO 3166-1 alpha-2 (P2, P6).")
    region = models.CharField(
        "nation",
        max_length=3,
        blank=True,
        choices=GbRegion.choices,
        help_text="For GB: whose bank holidays apply (P4).",
    )
    number_type = models.CharField(max_length=16, choices=NumberType.choices, blank=True)
    main_billing_number = models.CharField(max_length=16, blank=True, help_text="E.164.")
    numbers = models.JSONField(default=list, blank=True, help_text="E.164 numbers, ranges expanded.")
    # How many numbers the request ports, kept by save(): what the queue and the dashboard sum
    # without reading every request's list (issue #18).
    number_count = models.PositiveIntegerField(default=0, editable=False)
    # A partial acceptance moves the refused numbers into a child request (issue #18).
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The request this one was split from: the numbers the carrier refused in it.",
    )
    # The digits of the main billing number and of every number, a space between numbers: what the
    # queue's number search reads (one column, trigram-indexed on PostgreSQL), kept by save().
    number_digits = models.TextField(blank=True, default="", editable=False, max_length=bounds.NUMBERS_TEXT)
    registered_address = models.TextField(
        blank=True, max_length=bounds.ADDRESS, help_text="Where the numbers are installed, with the postcode."
    )
    # The provider's name when it is on the list (and kept so when the list renames it), else what
    # was typed ("other"): the API's strings and every filter read these.
    losing_provider = models.CharField(max_length=120, blank=True, db_index=True)
    range_holder = models.CharField(max_length=120, blank=True)
    losing_provider_listed = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Empty: other."
    )
    range_holder_listed = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Empty: other."
    )
    risks_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    risks_acknowledged_at = models.DateTimeField(null=True, blank=True)
    status = FSMField(choices=PortStatus.choices, default=PortStatus.DRAFT, protected=True, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True, help_text="The latest (re)submission.")
    submission_count = models.PositiveSmallIntegerField(default=0)
    # Counted by the reject transition, beside the PortRejection row porting.services records, so
    # the dashboard's breakdowns sum a column instead of joining every request to its rejections.
    rejection_count = models.PositiveIntegerField(default=0, editable=False)
    accepted_on = models.DateField(null=True, blank=True)
    lead_time_working_days = models.PositiveSmallIntegerField(null=True, blank=True)
    lead_time_rule = models.CharField(max_length=200, blank=True, help_text="The rule that gave the port date (P4).")
    port_date = models.DateField(null=True, blank=True, db_index=True)
    # P4 (#18): the date the partner asked for, the rule's date at acceptance (kept beside the
    # carrier's confirmed date, `port_date`, so slippage shows), and the working days from the
    # requested date to the confirmed one (negative: earlier), kept so the dashboard aggregates in SQL.
    requested_port_date = models.DateField(
        null=True, blank=True, validators=[bounds.sane_date], help_text="The port date the partner asks for (P4)."
    )
    rule_port_date = models.DateField(null=True, blank=True, help_text="Acceptance + the lead-time rule (P4).")
    slippage_working_days = models.IntegerField(
        null=True, blank=True, help_text="Working days from the requested date to the confirmed one."
    )
    # Kept at acceptance and completion so that the dashboard aggregates in SQL (P4, P5).
    acceptance_days = models.PositiveIntegerField(null=True, blank=True, help_text="Days from submission.")
    completed_on = models.DateField(null=True, blank=True)
    completion_working_days = models.PositiveIntegerField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True, max_length=bounds.NOTE)
    losing_provider_cancelled_at = models.DateTimeField(null=True, blank=True)
    platform_status = models.CharField(
        max_length=16,
        blank=True,
        choices=PlatformStatus.choices,
        help_text="Adding the numbers to the partner on BroadWorks after completion.",
    )
    platform_error = models.TextField(blank=True, max_length=bounds.SYSTEM_TEXT)
    # Durable work (expoe_portal.work) for the BroadWorks step: when it is next due, which worker holds
    # it (a lease its heartbeat renews, so two runs never add numbers at once) and how often it ran.
    platform_attempts = models.PositiveSmallIntegerField(default=0)
    platform_next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    platform_lease_until = models.DateTimeField(null=True, blank=True)
    platform_claimed_by = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    state_logs = GenericRelation(StateLog)

    PARTNER_SCOPE = "partner"

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("view_port_dashboard", "Can see the port lead-time dashboard")]
        indexes = [
            models.Index(fields=["status", "port_date"]),
            models.Index(fields=["country", "status"]),
            # The default ordering (the API's pages): the newest first without sorting every request.
            models.Index(fields=["-created_at", "-id"], name="porting_port_newest_first"),
        ]

    def __str__(self):
        first = self.numbers[0] if self.numbers else "no numbers yet"
        return f"Port {self.pk} ({first})"

    def save(self, *args, **kwargs):
        self.number_digits = number_digits(self.main_billing_number, self.numbers)
        self.number_count = len(self.numbers or [])
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"numbers", "main_billing_number"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "number_digits", "number_count"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("porting:detail", args=[self.pk])

    @property
    def status_badge(self) -> str:
        return PortStatus(self.status).badge

    @property
    def risks_acknowledged(self) -> bool:
        return self.risks_acknowledged_at is not None

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def slippage_text(self) -> str:
        """P4 (#18): how far the confirmed date is from the requested one, in working days."""
        n = self.slippage_working_days
        if n is None:
            return ""
        if n == 0:
            return "confirmed as requested"
        return f"confirmed {abs(n)} working day{'s' if abs(n) != 1 else ''} {'later' if n > 0 else 'earlier'}"

    @property
    def cancellation_deadline(self):
        from .calendar import cancellation_deadline

        return cancellation_deadline(self.port_date) if self.port_date else None

    # --- Transitions (P1, P4, P5, P7) ----------------------------------------------------
    @logged_transition(status, PortStatus.DRAFT, PortStatus.SUBMITTED, who=REQUESTERS, label="Submit", rule="P3")
    def submit(self, *, by, at, description=None):
        self.submitted_at = at
        self.submission_count += 1

    @logged_transition(status, PortStatus.REJECTED, PortStatus.SUBMITTED, who=REQUESTERS, label="Resubmit", rule="P5")
    def resubmit(self, *, by, at, description=None):
        # P5: the clock restarts: only the new submission and its acceptance count.
        self.submitted_at = at
        self.submission_count += 1

    @logged_transition(
        status, PortStatus.SUBMITTED, PortStatus.ACCEPTED, who=CARRIER_EVENTS, label="Record acceptance", rule="P4"
    )
    def accept(self, *, by, accepted_on, working_days, rule_label, port_date, rule_port_date=None, description=None):
        self.accepted_on = accepted_on
        self.lead_time_working_days = working_days
        self.lead_time_rule = rule_label
        self.port_date = port_date  # the carrier's confirmed date, else the rule's (#18)
        self.rule_port_date = rule_port_date or port_date
        self.acceptance_days = max((accepted_on - timezone.localdate(self.submitted_at)).days, 0)

    @logged_transition(
        status, PortStatus.SUBMITTED, PortStatus.REJECTED, who=CARRIER_EVENTS, label="Record rejection", rule="P5"
    )
    def reject(self, *, by, description=None):
        """The rejection itself is a PortRejection row the service writes beside this transition."""
        self.rejection_count += 1

    def _clear_acceptance(self):
        self.accepted_on = None
        self.lead_time_working_days = None
        self.lead_time_rule = ""
        self.port_date = None
        self.rule_port_date = None
        self.slippage_working_days = None
        self.acceptance_days = None

    @logged_transition(
        status,
        PortStatus.ACCEPTED,
        PortStatus.DRAFT,
        who=CARRIER_EVENTS,
        label="Record cancellation by the losing provider",
        rule="P7",
    )
    def cancel_by_losing_provider(self, *, by, at, description=None):
        # P7: the process restarts: back to draft, to be submitted again; no port date any more.
        self._clear_acceptance()
        self.losing_provider_cancelled_at = at

    @logged_transition(status, PortStatus.ACCEPTED, PortStatus.COMPLETED, who=CARRIER_EVENTS, label="Record completion")
    def complete(self, *, by, completed_on, working_days, description=None):
        self.completed_on = completed_on
        self.completion_working_days = working_days
        self.platform_status = PlatformStatus.PENDING
        self.platform_next_attempt_at = timezone.now()

    @logged_transition(
        status,
        [PortStatus.DRAFT, PortStatus.SUBMITTED, PortStatus.ACCEPTED, PortStatus.REJECTED],
        PortStatus.CANCELLED,
        who=CARRIER_EVENTS,
        label="Cancel port request",
    )
    def cancel(self, *, by, reason, at, description=None):
        self.cancelled_at = at
        self.cancel_reason = reason


PORT_TRANSITION_LABELS = {
    t.name: t.custom.get("label", t.name)
    for t in PortRequest._meta.get_field("status").get_all_transitions(PortRequest)
}


class PortedNumber(models.Model):
    """One number of a port request with its own status (issue #18), kept in step with the
    request's `numbers` and its transitions by porting.numbers, in bulk (never a query per number).

    A number the carrier refused at a partial acceptance stays here as `refused`, with the reason,
    on the request it was refused in; it moves on to the child request as `requested`."""

    port_request = models.ForeignKey(PortRequest, on_delete=models.CASCADE, related_name="ported_numbers")
    e164 = models.CharField("number", max_length=16)
    status = models.CharField(max_length=16, choices=PortedNumberStatus.choices, default=PortedNumberStatus.REQUESTED)
    refusal_reason = models.TextField(blank=True, max_length=bounds.NOTE)

    PARTNER_SCOPE = "port_request__partner"

    class Meta:
        ordering = ["port_request_id", "e164"]
        constraints = [
            models.UniqueConstraint(fields=["port_request", "e164"], name="one_row_per_number_of_a_port"),
        ]
        # "Is this number in another open port?" asks by number, across every request.
        indexes = [models.Index(fields=["e164", "status"])]

    def __str__(self):
        return f"{self.e164} ({self.get_status_display()})"

    @property
    def status_badge(self) -> str:
        return PortedNumberStatus(self.status).badge


class PortRejection(models.Model):
    """P5: one rejection by the losing provider or carrier; every one is kept."""

    port_request = models.ForeignKey(PortRequest, on_delete=models.CASCADE, related_name="rejections")
    at = models.DateTimeField(default=timezone.now)
    code = models.CharField(max_length=32, choices=RejectionCode.choices, db_index=True)
    reason = models.TextField(blank=True, max_length=bounds.NOTE)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    PARTNER_SCOPE = "port_request__partner"

    class Meta:
        ordering = ["port_request_id", "at", "id"]

    def __str__(self):
        return f"{self.get_code_display()}: {self.reason}"


class PortDateChange(models.Model):
    """P4 (#18): every change of a request's requested or confirmed port date, with who and why."""

    class Field(models.TextChoices):
        REQUESTED = "requested", "Requested date"
        CONFIRMED = "confirmed", "Confirmed date"

    port_request = models.ForeignKey(PortRequest, on_delete=models.CASCADE, related_name="date_changes")
    field = models.CharField(max_length=16, choices=Field.choices)
    old = models.DateField(null=True, blank=True)
    new = models.DateField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True, max_length=bounds.NOTE)

    PARTNER_SCOPE = "port_request__partner"

    class Meta:
        ordering = ["port_request_id", "at", "id"]

    def __str__(self):
        return f"{self.get_field_display()}: {self.old} -> {self.new}"


def _document_path(document, filename):
    # Never the uploader's file name on disk (it is kept in `original_name` for display).
    extension = Path(filename).suffix.lower()
    return f"porting/{document.port_request.partner_id}/{document.port_request_id}/{uuid.uuid4().hex}{extension}"


class PortDocument(models.Model):
    """A letter of authority or latest bill uploaded to a request; served only through a
    permission-checked view (porting.views.document_download), never from a public URL."""

    port_request = models.ForeignKey(PortRequest, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=32, choices=DocumentKind.choices)
    file = models.FileField(upload_to=_document_path, storage=private_document_storage, max_length=255)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # A letter of authority covers what the request said when it was signed (porting.loa.loa_terms):
    # once the numbers, the address, the losing provider or the end customer change, it no longer does.
    covers = models.CharField(max_length=64, blank=True, editable=False)
    # Signed online (the uploader is the portal user who collected the signature): who signed, as
    # typed, and when and from which address; blank for an uploaded scan.
    signer_name = models.CharField(max_length=bounds.LINE, blank=True)
    signer_position = models.CharField(max_length=bounds.LINE, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_from = models.GenericIPAddressField(null=True, blank=True)

    PARTNER_SCOPE = "port_request__partner"

    class Meta:
        ordering = ["port_request_id", "uploaded_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.original_name}"

    @property
    def signed_online(self) -> bool:
        return self.signed_at is not None


class PortComment(models.Model):
    """A note on a request: internal ones are for EXPO.e staff only; partner users never see them."""

    port_request = models.ForeignKey(PortRequest, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(max_length=bounds.NOTE)
    internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    PARTNER_SCOPE = "port_request__partner"

    class Meta:
        ordering = ["port_request_id", "created_at", "id"]

    def __str__(self):
        return f"Comment by {self.author} on {self.port_request_id}"
