"""E2: the email that tells a matrix contact (E1) that an escalation has reached their level."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone

from .models import EscalationEvent


def send_level_email(*, event_id: int) -> bool:
    """Send the level's email unless it has gone already; True when sent now.

    Only the evaluator run whose insert created the event queues this (so two runs never queue
    it twice); a redelivered task skips a sent email; a worker killed between sending and
    recording sends it again (at least once, as the order emails do, decision 19)."""
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
    message.send()
    EscalationEvent.objects.filter(pk=event.pk, notified_at__isnull=True).update(notified_at=timezone.now())
    return True
