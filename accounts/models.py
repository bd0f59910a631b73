from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone

from expoe_portal.phone import format_national, validate_e164

from .choices import STAFF_ROLES, EscalationLevel, Role

# Models declare how a row reaches its partner, for scoping.scope_for():
#   PARTNER_SCOPE = "partner"  (a lookup path to partners.Partner; "pk" on Partner itself)
#   PARTNER_SCOPE = SHARED     (reference data every signed-in user may read)
SHARED = "__shared__"


class User(AbstractUser):
    role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    partner = models.ForeignKey(
        "partners.Partner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text="Required for, and only for, partner users.",
    )

    PARTNER_SCOPE = "partner"

    class Meta:
        constraints = [
            # A partner user belongs to exactly one partner; staff belong to none.
            models.CheckConstraint(
                condition=(Q(role=Role.PARTNER_USER) & Q(partner__isnull=False))
                | (~Q(role=Role.PARTNER_USER) & Q(partner__isnull=True)),
                name="partner_user_has_exactly_one_partner",
            ),
        ]

    @property
    def is_partner_user(self) -> bool:
        return self.role == Role.PARTNER_USER

    @property
    def is_staff_member(self) -> bool:
        """Provider staff (any staff role) or a superuser: sees every partner."""
        return self.is_superuser or self.role in STAFF_ROLES

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class AuditEvent(models.Model):
    """Who changed what, when. Written by services in the same transaction as the change."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    target_label = models.CharField(max_length=200)
    partner = models.ForeignKey("partners.Partner", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    changes = models.JSONField(default=dict, blank=True)

    PARTNER_SCOPE = "partner"

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_label}"


class EscalationContact(models.Model):
    """E1: who at EXPO.e to contact at each level of the escalation matrix. Editable by managers.

    Kept with the people (accounts) rather than with escalations: every app's emails name the
    UC Provisioning team (level 0), and escalations sit above them all."""

    level = models.PositiveSmallIntegerField(choices=EscalationLevel.choices, unique=True)
    role = models.CharField(max_length=120)
    name = models.CharField(max_length=120)
    phone = models.CharField(max_length=20, validators=[validate_e164], help_text="Stored as E.164.")
    email = models.EmailField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # The matrix is printed in the partner onboarding guide itself, so every signed-in user reads it.
    PARTNER_SCOPE = SHARED

    class Meta:
        db_table = "escalations_escalationcontact"  # made when the matrix lived with escalations
        ordering = ["level"]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=0, level__lte=3), name="escalation_level_0_to_3"),
        ]

    def __str__(self):
        return f"Level {self.level}: {self.name}"

    @property
    def phone_display(self) -> str:
        return format_national(self.phone)


class ApiToken(models.Model):
    """A named API token (issue #17): only a hash of its secret is stored, it expires, and it ends
    when its owner's password, activity, role or partner changes (accounts/token_signals.py).

    The secret is 256 random bits, so one SHA-256 is enough to make the stored hash useless to a
    reader of the database (no salt or slow hash needed: nothing to guess), and it lets a request's
    token be found by an indexed equality lookup."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The token's first characters: enough to recognise it in a list or a config file, not to use it.
    prefix = models.CharField(max_length=16, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField()
    # Written at most once a minute per token (accounts/authentication.py), not on every request.
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_reason = models.CharField(max_length=100, blank=True)

    # Audit rows about a partner user's token belong to that partner.
    PARTNER_SCOPE = "user__partner"

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "revoked_at"])]
        permissions = [("manage_all_apitokens", "List and revoke anyone's API tokens")]

    def __str__(self):
        return f"API token “{self.name}” ({self.prefix}…) of {self.user.username}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
