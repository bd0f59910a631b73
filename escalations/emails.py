"""E2: the email that tells a matrix contact (E1) that an escalation has reached their level."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone

from expoe_portal.outbox import email_queue

from .models import EscalationEvent


def level_email_queue(*, event_id: int) -> bool:
    """Queue the level's email in the outbox, unless it went already; True when queued.

    Only the evaluator run whose insert created the event queues this (so two runs never queue
    it twice); the outbox stamps the event's notified_at once it is sent, and a worker killed
    between sending and recording sends it again (at least once, as the order emails do,
    decision 19)."""
    event = EscalationEvent.objects.select_related("escalation__policy", "escalation__owner").get(pk=event_id)
    if event.notified_at is not None or not event.contact_email:
        return False
    escalation = event.escalation
    context = {
        "event": event,
        "escalation": escalation,
        "policy": escalation.policy,
        "item_url": f"{settings.PORTAL_BASE_URL.rstrip('/')}{escalation.subject_url}",
        "dashboard_url": f"{settings.PORTAL_BASE_URL.rstrip('/')}/escalations/",
        "overdue": timezone.now() - escalation.due_at,
    }
    message = EmailMessage(
        subject=render_to_string("escalations/email/level_subject.txt", context).strip(),
        body=render_to_string("escalations/email/level.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[event.contact_email],
    )
    return email_queue(message, kind="escalation.level", stamp=(event, "notified_at")) is not None
