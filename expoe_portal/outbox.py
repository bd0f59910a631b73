"""Every email the portal sends goes through this outbox.

A service writes the message (rendered then, from the state it has just changed) as an
OutboundEmail row in its own transaction; after commit a task sends it. The row says when it is
due, so an email whose retry message died with a worker is still sent: the sweeper wakes it. A
worker killed between sending and recording sends it again (at least once, decision 19): better
than a confirmation that silently never leaves.
"""

import logging
import smtplib
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone

from .choices import EmailStatus
from .models import OutboundEmail
from .work import WORKER_STOPPED_EACH_TIME, WorkQueue, new_token, retry_delay

logger = logging.getLogger(__name__)

EMAILS = WorkQueue(
    name="emails",
    model=OutboundEmail,
    task="expoe_portal.tasks.send_email",
    runnable=Q(status=EmailStatus.PENDING),
)
# What a mail server that is down or busy raises; anything else is a fault in the message itself.
TRANSIENT_MAIL_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError)


def email_queue(message: EmailMessage, *, kind: str, stamp: tuple[Model, str] | None = None) -> OutboundEmail | None:
    """Keep `message` for sending after the current transaction commits; None when it has nobody to
    go to. `stamp` = (row, field): that field of that row is set to the time the email is sent."""
    if not message.to:
        return None
    html = next((content for content, mime in getattr(message, "alternatives", []) if mime == "text/html"), "")
    stamp_row, stamp_field = stamp if stamp else (None, "")
    # A lazy (translated) subject or body is saved as its text; django-stubs' text fields take no Promise.
    email = OutboundEmail.objects.create(  # type: ignore[misc]
        kind=kind,
        subject=message.subject,
        body=message.body,
        html_body=html,
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        to=list(message.to),
        stamp_model=stamp_row._meta.label if stamp_row is not None else "",
        stamp_id=str(stamp_row.pk) if stamp_row is not None else "",
        stamp_field=stamp_field,
        **EMAILS.due_now(),
    )
    EMAILS.wake(email.pk)
    return email


def _message(email: OutboundEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.body, from_email=email.from_email, to=list(email.to)
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    return message


def email_send(*, email_id: int, delivery: str = "") -> str:
    """Send one queued email; returns what happened (for logs and tests)."""
    token = new_token(delivery)
    if not EMAILS.claim(email_id, token=token):
        return "nothing to do: sent, failed, or another worker has it"
    email = OutboundEmail.objects.get(pk=email_id)
    if email.attempts > settings.EMAIL_MAX_ATTEMPTS:
        EMAILS.finish(
            email_id, token=token, status=EmailStatus.FAILED, last_error=f"Gave up: {WORKER_STOPPED_EACH_TIME}"
        )
        return "failed: " + WORKER_STOPPED_EACH_TIME
    try:
        with EMAILS.heartbeat(email_id, token):
            _message(email).send()
    except TRANSIENT_MAIL_ERRORS as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if email.attempts >= settings.EMAIL_MAX_ATTEMPTS:
            EMAILS.finish(email_id, token=token, status=EmailStatus.FAILED, last_error=f"Gave up: {error}")
            logger.error("email %s (%s) not sent after %s attempts: %s", email_id, email.kind, email.attempts, error)
            return f"failed: {error}"
        delay = retry_delay(email.attempts, base=settings.EMAIL_RETRY_BASE_DELAY, cap=settings.EMAIL_RETRY_MAX_DELAY)
        EMAILS.retry_later(email_id, token=token, delay=delay, wake_args=(email_id,), last_error=error)
        return f"retrying in {delay} s: {error}"
    with transaction.atomic():
        now = timezone.now()
        if EMAILS.finish(email_id, token=token, status=EmailStatus.SENT, sent_at=now, last_error=""):
            _stamp(email, now)
    return "sent"


def _stamp(email: OutboundEmail, when: datetime) -> None:
    if email.stamp_model and email.stamp_field:
        model = apps.get_model(email.stamp_model)
        model.objects.filter(pk=email.stamp_id, **{f"{email.stamp_field}__isnull": True}).update(
            **{email.stamp_field: when}
        )
