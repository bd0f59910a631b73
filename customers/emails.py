"""Telling people a customer build needs them: it failed (the requester and the partner's
co-ordinator, with the platform's reason), or a step waits for a co-ordinator to do it by hand
(Call Cabinet in manual mode). Plain text, links to the build's page, never a password."""

from django.conf import settings
from django.core.mail import EmailMessage

from accounts.models import EscalationContact
from expoe_portal.outbox import email_queue
from onboarding.models import OnboardingOrder

from .choices import BuildKind
from .models import ServiceBuild


def _coordinator_emails(partner) -> list[str]:
    order = (
        OnboardingOrder.objects.filter(partner=partner, coordinator__isnull=False)
        .exclude(coordinator__email="")
        .order_by("-id")
        .select_related("coordinator")
        .first()
    )
    if order is not None:
        return [order.coordinator.email]
    team = EscalationContact.objects.filter(level=0).first()  # E1 level 0: the UC Provisioning team
    return [team.email] if team else []


# C6: what the partner does once a group that records calls is built.
CALL_RECORDING_NEXT_STEP = (
    "Next for the partner: in the Partner Portal, apply call-recording licences to the users whose "
    "calls are to be recorded; recording starts once the licences are applied."
)


def build_email_recipients(build: ServiceBuild, kind: str) -> list[str]:
    recipients = _coordinator_emails(build.group.partner)
    if kind in ("failed", "succeeded") and build.requested_by and build.requested_by.email:
        recipients = [build.requested_by.email, *recipients]
    return list(dict.fromkeys(recipients))


def build_email_queue(*, build_id: int, kind: str) -> bool:
    """Inside the transaction that records the success, the failure or the wait: sent after commit
    (outbox)."""
    build = ServiceBuild.objects.select_related("group__partner", "requested_by").get(pk=build_id)
    group = build.group
    link = f"{settings.PORTAL_BASE_URL.rstrip('/')}{group.get_absolute_url()}"
    if kind == "succeeded":
        subject = f"Customer built: {group.group_id} ({group.partner.partner_id})"
        body = (
            f"{group.name} ({group.group_id}) for {group.partner.name} is built on every platform.\n\n"
            + (
                f"{CALL_RECORDING_NEXT_STEP}\nPartner Portal: {settings.PARTNER_PORTAL_URL}\n\n"
                if group.has_callcabinet
                else ""
            )
            + f"What was built, step by step: {link}\n"
        )
    elif kind == "failed":
        what = "build" if build.kind == BuildKind.BUILD else "change"
        subject = f"Customer {what} failed: {group.group_id} ({group.partner.partner_id})"
        body = (
            f"The {what} of {group.name} ({group.group_id}) for {group.partner.name} stopped"
            + (f" ({build.summary})" if build.summary else "")
            + ".\n\n"
            f"Reason: {build.last_error}\n\n"
            f"Once the cause is fixed, retry it from the failed step: {link}\n"
        )
    else:
        subject = f"Customer build waiting for you: {group.group_id} ({group.partner.partner_id})"
        body = (
            f"The build of {group.name} ({group.group_id}) for {group.partner.name} waits for a co-ordinator "
            "to create the Essential customer in Call Cabinet by hand.\n\n"
            f"The page lists exactly what to type, then confirm it there with the customer reference: {link}\n"
        )
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, build_email_recipients(build, kind))
    return email_queue(message, kind=f"build.{kind}") is not None
