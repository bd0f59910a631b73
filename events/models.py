"""Events (what happened to a partner's objects) and the webhook endpoints they are delivered to."""

from datetime import UTC

from django.conf import settings
from django.db import models
from django.utils import timezone

from expoe_portal import bounds

from .choices import DeliveryStatus


class Event(models.Model):
    """One state change of an onboarding order, a build or a port, written in the transaction that
    made it (events.recording). Ids increase; pollers ask for those after the last they saw."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(default=timezone.now)
    type = models.CharField(max_length=64, db_index=True)
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="events")
    object_type = models.CharField(max_length=32)
    object_id = models.PositiveBigIntegerField()
    data = models.JSONField(default=dict, blank=True)

    PARTNER_SCOPE = "partner"

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["partner", "id"], name="events_partner_id")]

    def __str__(self):
        return f"Event {self.pk} ({self.type})"

    def as_payload(self) -> dict:
        """The event as the API lists it and as a webhook carries it."""
        return {
            "id": self.pk,
            "at": self.at.astimezone(UTC).isoformat(),
            "type": self.type,
            "partner": self.partner.partner_id,
            "object": {"type": self.object_type, "id": self.object_id},
            "data": self.data,
        }


class WebhookEndpoint(models.Model):
    """A partner's HTTPS endpoint for the event types it chose (or `*`). Its secret signs every
    delivery, so it is kept encrypted (expoe_portal.vault), shown once, when created."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    secret_encrypted = models.TextField(max_length=bounds.LINE * 2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    PARTNER_SCOPE = "partner"

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"Webhook endpoint {self.url}"

    def wants(self, event_type: str) -> bool:
        return "*" in self.events or event_type in self.events


class WebhookDelivery(models.Model):
    """One attempt to deliver an event to an endpoint: a row of the webhook work queue
    (events.delivery). A failed attempt queues the next one; redelivering queues another."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    attempt = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(null=True, blank=True, help_text="When this attempt was made.")
    created_at = models.DateTimeField(default=timezone.now)
    redelivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The durable work queue's columns (expoe_portal.work): a failed attempt's next_attempt_at
    # says when the attempt after it runs (empty once delivery gave up).
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Times a worker took this attempt.")

    PARTNER_SCOPE = "endpoint__partner"

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self):
        return f"Delivery {self.pk} of event {self.event_id} (attempt {self.attempt})"
