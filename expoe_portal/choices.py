from django.db import models


class ProcessKind(models.TextChoices):
    WORKER = "worker", "Worker"
    BEAT = "beat", "Beat (scheduler)"


class EmailStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class BadgeChoices(models.TextChoices):
    """Choices whose members also name the Bootstrap badge colour they are shown in, beside their
    value and label, so a status's colour is decided in one place: `DONE = "done", "success", "Done"`
    (value, badge, label; a member without a badge is "secondary")."""

    badge: str

    def __new__(cls, value: str, badge: str = "secondary") -> "BadgeChoices":
        member = str.__new__(cls, value)
        member._value_ = value
        member.badge = badge
        return member


class SlaState(BadgeChoices):
    """Where an SLA clock stands: an onboarding order's (O1) or an escalation's (E2). "Met" is for
    a clock stopped in time; only orders show it (an escalation whose item is done is closed)."""

    ON_TRACK = "on_track", "success", "On track"
    AT_RISK = "at_risk", "warning", "At risk"
    BREACHED = "breached", "danger", "Breached"
    MET = "met", "secondary", "Met"
