"""O2 (K1, C1): the partner's accounts on the three platforms, created by tasks.

The order's co-ordinator starts it; one task per platform reads the platform first and creates only
what is missing (on BroadWorks: the service provider and the partner's clone group), then records
the account (reference, when) on the order; when all three are done the order moves on to "Partner
accounts created" by itself. Recording by hand stays possible.

Each account being created is a unit of durable work (expoe_portal.work): its row says when the next
attempt is due and which worker holds it, so a retry whose message died with its worker is woken by
the sweeper, and a worker that dies mid-call is noticed when its lease lapses."""

import logging
import smtplib

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.services import audit_record
from expoe_portal import vault
from expoe_portal.transitions import TransitionRefused
from expoe_portal.work import WORKER_STOPPED_EACH_TIME, WorkQueue, new_token, retry_delay
from integrations.base import PermanentError, TransientError
from partners.models import Partner, PartnerContact

from .choices import AccountPlatform, AccountStatus, OrderStatus
from .emails import portal_invitation
from .models import ORDER_COORDINATOR, OnboardingAccount, OnboardingOrder

logger = logging.getLogger(__name__)

PARTNER_ACCOUNTS = WorkQueue(
    name="partner accounts",
    model=OnboardingAccount,
    task="onboarding.tasks.provision_partner_account",
    runnable=Q(status=AccountStatus.IN_PROGRESS),
    wake_args=("order_id", "platform"),
)


class AccountsRefused(TransitionRefused):
    """The order is not at the stage where its partner accounts are made."""


def order_for_accounts(*, by, order: OnboardingOrder) -> OnboardingOrder:
    """O2: the order, fresh, when `by` may create or record its partner accounts now: only its
    co-ordinator, only while a co-ordinator is assigned."""
    order = OnboardingOrder.objects.select_related("partner").get(pk=order.pk)
    if not ORDER_COORDINATOR(order, by):
        raise PermissionDenied("Only the order's co-ordinator creates and records its partner accounts.")
    if order.status != OrderStatus.COORDINATOR_ASSIGNED:
        raise AccountsRefused(
            f"Partner accounts are made while a co-ordinator is assigned, not while the order is "
            f"“{order.get_status_display()}”."
        )
    return order


def accounts_provision_start(*, by, order: OnboardingOrder) -> list[str]:
    """Queue the creation of every account not yet done; returns the platforms queued."""
    with transaction.atomic():
        order = order_for_accounts(by=by, order=order)
        queued = list(
            order.accounts.exclude(status=AccountStatus.DONE).values_list("platform", flat=True).order_by("platform")
        )
        order.accounts.filter(platform__in=queued).update(
            status=AccountStatus.IN_PROGRESS, error="", attempts=0, **PARTNER_ACCOUNTS.due_now()
        )
        for platform in queued:
            PARTNER_ACCOUNTS.wake(order.pk, platform)
        audit_record(
            actor=by,
            action="partner_accounts.queued",
            target=order,
            changes={"platforms": queued},
        )
    return queued


def _create_on_platform(order: OnboardingOrder, platform: str, platforms) -> str:
    partner = order.partner
    contact = partner.primary_contact
    contact_email = contact.email if contact else ""
    if platform == AccountPlatform.BROADWORKS:
        bw = platforms.broadworks
        if not bw.service_provider_exists(partner.partner_id):
            bw.add_service_provider(partner.partner_id, partner.name, "hostedcomm.com")
        if settings.BROADWORKS_AUTHORISE_SERVICE_PROVIDER:
            bw.authorise_service_provider(
                partner.partner_id,
                template_group_id=settings.BROADWORKS_CLONE_TEMPLATE_GROUP_ID,
                extra_user_services=tuple(settings.BROADWORKS_EXTRA_USER_SERVICES),
            )
        clone_group_id = _clone_group(partner, bw)
        login_id = _portal_login(partner, contact, bw)
        return f"{partner.partner_id}; clone group {clone_group_id}; Partner Portal login {login_id}"
    gateway = platforms.akixi if platform == AccountPlatform.AKIXI else platforms.callcabinet
    if not gateway.reseller_exists(partner.partner_id):
        gateway.add_reseller(partner.partner_id, partner.name, contact_email)
    return partner.partner_id


def _clone_group(partner: Partner, bw) -> str:
    """G1, G2: the partner's clone group in the clone service provider, copied from EXPO.e's master
    template (BROADWORKS_CLONE_TEMPLATE_GROUP_ID); its ID is recorded on the partner for builds."""
    clone_group_id = partner.clone_group_id or f"{partner.partner_id}-CLONE"[:30]
    if not bw.group_exists(bw.clone_service_provider_id, clone_group_id):
        bw.add_clone_group(
            clone_group_id,
            template_group_id=settings.BROADWORKS_CLONE_TEMPLATE_GROUP_ID,
            name=f"{partner.name} clone template"[:80],
        )
    if not partner.clone_group_id:
        Partner.objects.filter(pk=partner.pk, clone_group_id="").update(clone_group_id=clone_group_id)
    return clone_group_id


def portal_login_id(partner: Partner) -> str:
    """The partner's Partner Portal login: a service provider administrator's user ID has no
    domain part (OCI-P's UserId)."""
    return f"{partner.partner_id}-admin"


def _portal_login(partner: Partner, contact: PartnerContact | None, bw) -> str:
    """O2, O7: the partner's own login to the Partner Self-Service Portal, and its invitation to
    the primary contact. The password is made here, sent to BroadWorks and in the invitation, and
    kept nowhere: if the invitation is not known to have gone, a retry sets a new password and
    sends it again."""
    if partner.portal_invited_at is not None:
        return partner.portal_login_id
    if contact is None:
        raise PermanentError(
            "O2: the partner has no contact to send its Partner Portal login to; add its primary contact, then retry."
        )
    login_id = partner.portal_login_id or portal_login_id(partner)
    password = vault.generate_password()
    if bw.portal_login_exists(login_id):
        bw.reset_portal_login_password(login_id, password=password)
    else:
        first, _, last = contact.name.partition(" ")
        bw.add_portal_login(
            partner.partner_id, user_id=login_id, first_name=first, last_name=last or first, password=password
        )
    Partner.objects.filter(pk=partner.pk).update(portal_login_id=login_id)
    try:
        portal_invitation(partner, contact, login_id=login_id, password=password).send()
    except (OSError, smtplib.SMTPException) as exc:
        # The password went with nothing: the retry sets a new one and sends that.
        raise TransientError(f"The Partner Portal invitation to {contact.email} could not be sent: {exc}") from exc
    Partner.objects.filter(pk=partner.pk).update(portal_invited_at=timezone.now(), portal_invited_to=contact.email)
    logger.info("O2: Partner Portal login %s for %s sent to %s", login_id, partner.partner_id, contact.email)
    return login_id


def accounts_provision_run(*, order_id: int, platform: str, delivery: str = "", platforms=None) -> str:
    """One platform's account: create what is missing, record the outcome (never raises for a
    platform refusal: the account shows it, and the co-ordinator can start again). Transient
    errors are retried with backoff, up to PLATFORM_WORK_MAX_ATTEMPTS."""
    from integrations.base import IntegrationError, calling_for
    from integrations.platforms import get_platforms

    account = OnboardingAccount.objects.filter(order_id=order_id, platform=platform).first()
    if account is None or account.status == AccountStatus.DONE:
        return "already done"
    token = new_token(delivery)
    if not PARTNER_ACCOUNTS.claim(account.pk, token=token):
        return "nothing to do: not queued, or another worker has it"
    account.refresh_from_db()
    if account.attempts > settings.PLATFORM_WORK_MAX_ATTEMPTS:
        error = f"Gave up after {account.attempts} attempts: {WORKER_STOPPED_EACH_TIME}"
        PARTNER_ACCOUNTS.finish(account.pk, token=token, status=AccountStatus.FAILED, error=error)
        return f"failed: {error}"
    order = OnboardingOrder.objects.select_related("partner").get(pk=order_id)
    try:
        with (
            PARTNER_ACCOUNTS.heartbeat(account.pk, token),
            calling_for(f"order:{order.pk}/account:{platform}", partner=order.partner),
        ):
            reference = _create_on_platform(order, platform, platforms or get_platforms())
    except IntegrationError as exc:
        if exc.permanent or account.attempts >= settings.PLATFORM_WORK_MAX_ATTEMPTS:
            error = str(exc) if exc.permanent else f"Gave up after {account.attempts} attempts: {exc}"
            PARTNER_ACCOUNTS.finish(account.pk, token=token, status=AccountStatus.FAILED, error=error)
            return f"failed: {error}"
        delay = retry_delay(account.attempts)
        PARTNER_ACCOUNTS.retry_later(
            account.pk, token=token, delay=delay, wake_args=(order_id, platform), error=f"{exc} (retrying)"
        )
        return f"retrying in {delay} s: {exc}"
    with transaction.atomic():
        if not PARTNER_ACCOUNTS.finish(
            account.pk,
            token=token,
            status=AccountStatus.DONE,
            reference=reference,
            error="",
            completed_at=timezone.now(),
        ):
            return "taken back from this run; the run that has it records it"
        _complete_stage_when_all_done(order.pk)
    return "done"


def _complete_stage_when_all_done(order_id: int) -> None:
    order = OnboardingOrder.objects.select_for_update().get(pk=order_id)
    if order.status == OrderStatus.COORDINATOR_ASSIGNED and not order.accounts_outstanding():
        order.complete_accounts(by=None, description="All three partner accounts were created on the platforms.")
        order.save()
