from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from accounts.models import SHARED

from .choices import NumberType


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
    source = models.TextField(blank=True, help_text="Where the figure comes from.")
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
