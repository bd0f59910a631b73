"""The onboarding order's emails (O1 confirmation, O6 go-live), plain text and HTML, and the
partner's invitation to its Partner Portal login (O2).

O7: messages to partner users carry the Partner Portal URL and never the End Customer Portal
URL; both come from settings, never from literals in templates.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from accounts.models import EscalationContact
from expoe_portal.outbox import email_queue
from partners.models import Partner, PartnerContact

from .models import OnboardingOrder

EMAILS = {
    # kind: (template stem, the order field that records it was sent)
    "confirmation": ("onboarding/email/confirmation", "confirmation_email_sent_at"),
    "go_live": ("onboarding/email/go_live", "go_live_email_sent_at"),
}


def order_email_recipients(order: OnboardingOrder, kind: str) -> list[str]:
    """Confirmation: the partner's contacts. Go-live: the partner's users (their contacts when it
    has no users yet), so that the people who will use the portal hear it is open."""
    contacts = [c.email for c in order.partner.contacts.all()]
    if kind == "go_live":
        users = list(order.partner.users.filter(is_active=True).exclude(email="").values_list("email", flat=True))
        recipients = users or contacts
    else:
        recipients = contacts
    return sorted(set(recipients), key=recipients.index)


def _message(stem: str, to: list[str], **context: object) -> EmailMultiAlternatives:
    """Subject, plain text and HTML from the templates `stem`*, with what every onboarding email
    shows: the Partner Portal URL (O7) and the team's number."""
    context = {
        "partner_portal_url": settings.PARTNER_PORTAL_URL,
        "team_contact": EscalationContact.objects.filter(level=0).first(),
        **context,
    }
    message = EmailMultiAlternatives(
        subject=render_to_string(f"{stem}_subject.txt", context).strip(),
        body=render_to_string(f"{stem}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    message.attach_alternative(render_to_string(f"{stem}.html", context), "text/html")
    return message


def build_order_email(order: OnboardingOrder, kind: str) -> EmailMultiAlternatives:
    stem, _ = EMAILS[kind]
    return _message(stem, order_email_recipients(order, kind), order=order, partner=order.partner)


def order_email_queue(order: OnboardingOrder, kind: str) -> bool:
    """Inside the transition's transaction: the email goes out after commit, through the outbox,
    which stamps the order's "sent at" field once it has gone. False when there is nobody to tell
    or it went already."""
    _, sent_field = EMAILS[kind]
    if getattr(order, sent_field) is not None:
        return False
    return email_queue(build_order_email(order, kind), kind=f"onboarding.{kind}", stamp=(order, sent_field)) is not None


def portal_invitation(
    partner: Partner, contact: PartnerContact, *, login_id: str, password: str
) -> EmailMultiAlternatives:
    """O2, O7: the partner's login to the Partner Self-Service Portal, on the Partner Portal URL.

    It carries the password, so it is sent at once by the worker that set it and never through
    the outbox, which keeps every message it sends (decision 75)."""
    return _message(
        "onboarding/email/portal_invitation",
        [contact.email],
        partner=partner,
        contact=contact,
        login_id=login_id,
        password=password,
    )
