from django.db import models
from django_fsm_log.models import StateLog

from . import bounds
from .choices import EmailStatus, ProcessKind


class Heartbeat(models.Model):
    """A background process saying it is alive: each worker on a timer, beat on its ticks. `/healthz`
    and the system page read them; a process that stops writing is gone (or stuck)."""

    kind = models.CharField(max_length=16, choices=ProcessKind.choices)
    name = models.CharField(max_length=200, help_text="The worker's node name, or beat's host.")
    pid = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="one_heartbeat_per_process")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.name}: {self.last_seen:%Y-%m-%d %H:%M:%S}"


class OutboundEmail(models.Model):
    """One email, written in the same transaction as the change it tells of and sent by a worker
    afterwards (expoe_portal.outbox). Its row, not a broker message, says it is still to be sent,
    so an email survives a worker killed with its retry in hand. Bodies never carry a password."""

    kind = models.CharField(max_length=64, help_text="What it tells, e.g. port.accepted.")
    subject = models.CharField(max_length=998)
    body = models.TextField(max_length=bounds.EMAIL_BODY)
    html_body = models.TextField(blank=True, max_length=bounds.EMAIL_BODY)
    from_email = models.CharField(max_length=254)
    to = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    last_error = models.TextField(blank=True, max_length=bounds.SYSTEM_TEXT)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Once sent, the time is also written to this field of this row (e.g. an onboarding order's
    # confirmation_email_sent_at), so the page that shows "sent at" needs no join to the outbox.
    stamp_model = models.CharField(max_length=100, blank=True, help_text="app_label.ModelName")
    stamp_id = models.CharField(max_length=64, blank=True)
    stamp_field = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.kind} to {', '.join(self.to)}: {self.get_status_display()}"


class SharedNote(models.Model):
    """What partner users may read of one history entry (a django-fsm-log StateLog row) of an
    onboarding order or a port request.

    A transition's note is internal to EXPO.e staff unless its author marks it for the partner;
    what the transition itself tells the partner (a rejection's reason, the platform trained on)
    is always theirs. An entry without this row shows partner users no note at all."""

    state_log = models.OneToOneField(StateLog, on_delete=models.CASCADE, primary_key=True, related_name="shared_note")
    text = models.TextField(blank=True, max_length=bounds.NOTE, help_text="The entry's note as partner users read it.")
    note_for_partner = models.BooleanField(default=False, help_text="Its author marked the note for the partner.")

    def __str__(self):
        return f"Shared note of history entry {self.state_log_id}"
