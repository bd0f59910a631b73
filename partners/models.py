from django.db import models

from expoe_portal.phone import format_national, validate_e164

from .choices import NOT_STARTED, ONBOARDING_STATUSES, OrderStatus
from .validators import broadworks_id_field, unique_ignoring_case


class Partner(models.Model):
    """A reseller partner: one BroadWorks service provider/enterprise."""

    partner_id = broadworks_id_field(
        "partner ID",
        unique=True,
        help_text="The BroadWorks service provider/enterprise ID. It cannot change once created.",
    )
    name = models.CharField(max_length=200)
    clone_group_id = broadworks_id_field(
        "clone group ID", blank=True, help_text="The partner’s own pre-built clone group on BroadWorks (G2)."
    )
    live = models.BooleanField(default=False, help_text="Platform access is live (O6).")
    mfa_required = models.BooleanField(
        "two-factor authentication required",
        default=False,
        help_text="Every user of this partner must set up a second factor (an authenticator app or a passkey).",
    )
    # The status of the partner's current (latest) onboarding order, blank before its first order;
    # kept by the onboarding app whenever an order is saved, so lists need no join to the orders.
    current_order_status = models.CharField(max_length=32, blank=True, editable=False)
    # O2: the partner's own login to the Partner Self-Service Portal (a BroadWorks service provider
    # administrator) and when its invitation went to which contact. Its password is kept nowhere.
    portal_login_id = models.CharField("Partner Portal login", max_length=161, blank=True, editable=False)
    portal_invited_at = models.DateTimeField(null=True, blank=True, editable=False)
    portal_invited_to = models.EmailField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    PARTNER_SCOPE = "pk"

    class Meta:
        db_table = "onboarding_partner"  # made before partners had an app of their own
        ordering = ["partner_id"]
        constraints = [unique_ignoring_case("partner_id", what="partner")]

    def __str__(self):
        return f"{self.partner_id} — {self.name}"

    @property
    def onboarding_status(self) -> str:
        """The current order's status; before the first order, live or not started."""
        if self.current_order_status:
            return self.current_order_status
        return OrderStatus.LIVE if self.live else NOT_STARTED

    @property
    def primary_contact(self) -> "PartnerContact | None":
        """The contact whose role says primary, else the first one."""
        contacts = list(self.contacts.all())
        return next((c for c in contacts if "primary" in c.role.lower()), contacts[0] if contacts else None)

    def get_onboarding_status_display(self) -> str:
        return dict(ONBOARDING_STATUSES)[self.onboarding_status]

    @property
    def onboarding_status_badge(self) -> str:
        status = self.onboarding_status
        return "secondary" if status == NOT_STARTED else OrderStatus(status).badge


class PartnerContact(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=100, blank=True, help_text="For example: primary, technical, billing.")
    email = models.EmailField()
    phone = models.CharField(max_length=20, validators=[validate_e164], help_text="Stored as E.164.")

    PARTNER_SCOPE = "partner"

    class Meta:
        db_table = "onboarding_partnercontact"
        ordering = ["partner_id", "id"]

    def __str__(self):
        return f"{self.name} <{self.email}>"

    @property
    def phone_display(self) -> str:
        return format_national(self.phone)
