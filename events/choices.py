from django.db import models


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Failed"


# The event types partners may subscribe to (API.md, "/api/v1/events/"); a transition a later issue
# adds is recorded under `<noun>.<state it reaches>` and may be subscribed to by name or with `*`.
EVENT_TYPES = [
    "onboarding.stage_changed",
    "build.queued",
    "build.running",
    "build.succeeded",
    "build.failed",
    "build.cancelled",
    "port.submitted",
    "port.accepted",
    "port.rejected",
    "port.completed",
    "port.cancelled",
    "port.returned_to_draft",
]
ALL_EVENTS = "*"
