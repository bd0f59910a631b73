from django.db import models
from django.utils import timezone

from expoe_portal import bounds

from .choices import CallOutcome, Platform


class ExternalCall(models.Model):
    """One call to a platform: saved as "started" before a call that may change the platform,
    completed after it; a read is saved once, after it returns (integrations.base.recorded_call).

    Request and response are stored redacted (integrations.base.redact): no password, API key
    or token ever reaches this table."""

    platform = models.CharField(max_length=16, choices=Platform.choices)
    operation = models.CharField(max_length=100)
    target = models.CharField(max_length=200, blank=True, help_text="What the call acted on, e.g. ACME01/AlphaWidgets.")
    context = models.CharField(max_length=100, blank=True, help_text="Who asked, e.g. build:12/step:3.")
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.SET_NULL, related_name="external_calls"
    )
    outcome = models.CharField(max_length=16, choices=CallOutcome.choices, default=CallOutcome.STARTED)
    # When the call began: set as the row is made, since a read's row is saved after the call.
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    request = models.JSONField(default=dict, blank=True)
    response = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, max_length=bounds.SYSTEM_TEXT)

    PARTNER_SCOPE = "partner"

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["context", "started_at"]),
            # Health reads each platform's last call.
            models.Index(fields=["platform", "-started_at"], name="externalcall_platform_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.platform}.{self.operation} {self.target}: {self.outcome}"
