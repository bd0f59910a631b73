from django.conf import settings
from django.db import models

from accounts.models import SHARED
from expoe_portal.phone import format_national, validate_e164

from .choices import EscalationLevel


class EscalationContact(models.Model):
    """E1: who to contact at each level of the escalation matrix. Editable by managers."""

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
        ordering = ["level"]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=0, level__lte=3), name="escalation_level_0_to_3"),
        ]

    def __str__(self):
        return f"Level {self.level}: {self.name}"

    @property
    def phone_display(self) -> str:
        return format_national(self.phone)
