"""Emails to the partner's users about their port requests (submission, acceptance with the port
date, rejection with the reason, cancellation, completion). Partner users get the Partner Portal
URL only (O7)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from expoe_portal.outbox import email_queue

from .models import PortRequest

SUBJECTS = {
    "submitted": "Port request {pk} submitted",
    "accepted": "Port request {pk} accepted: port date {port_date:%d %B %Y}",
    "rejected": "Port request {pk} rejected: please correct and resubmit",
    "cancelled_by_losing_provider": "Port request {pk} cancelled by the losing provider",
    "cancelled": "Port request {pk} cancelled",
    "completed": "Port request {pk} completed",
}


def port_email_recipients(port_request: PortRequest) -> list[str]:
    users = port_request.partner.users.filter(is_active=True).exclude(email="").order_by("username")
    return list(users.values_list("email", flat=True))


def build_port_email(port_request: PortRequest, kind: str) -> EmailMessage:
    context = {
        "port_request": port_request,
        "kind": kind,
        "rejection": port_request.rejections.order_by("-at", "-id").first() if kind == "rejected" else None,
        "partner_portal_url": settings.PARTNER_PORTAL_URL,
    }
    return EmailMessage(
        subject=SUBJECTS[kind].format(pk=port_request.pk, port_date=port_request.port_date),
        body=render_to_string("porting/email/port_request.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=port_email_recipients(port_request),
    )


def port_email_queue(port_request: PortRequest, kind: str) -> None:
    """Inside the transition's transaction: the email goes out after commit, through the outbox."""
    email_queue(build_port_email(port_request, kind), kind=f"port.{kind}")
