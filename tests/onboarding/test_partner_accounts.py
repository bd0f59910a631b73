"""O2 (K1, C1): the partner's three accounts created on the platforms by tasks."""

import pytest
from django.core.exceptions import PermissionDenied

from accounts.choices import Role
from integrations.base import PermanentError, TransientError
from onboarding import partner_accounts
from onboarding.choices import OrderStatus
from onboarding.models import OnboardingOrder
from partners.models import Partner
from tests.customers.fake_platforms import fake_platforms

from .walk import new_order, run

pytestmark = pytest.mark.django_db


class FakeReseller:
    def __init__(self, calls, fail=None):
        self.calls, self.accounts, self.fail = calls, set(), list(fail or [])

    def reseller_exists(self, partner_id):
        return partner_id in self.accounts

    def add_reseller(self, partner_id, name, email):
        if self.fail:
            raise self.fail.pop(0)
        self.calls.append(("add_reseller", partner_id, email))
        self.accounts.add(partner_id)


@pytest.fixture
def platforms(monkeypatch):
    fake = fake_platforms()
    fake.broadworks.service_providers = set()
    fake.broadworks.service_provider_exists = lambda sp: sp in fake.broadworks.service_providers
    fake.broadworks.add_service_provider = lambda sp, name, domain: fake.broadworks.service_providers.add(sp)
    fake.broadworks.clone_service_provider_id = "ExpoePartner"
    fake.broadworks.clone_groups = {}
    fake.broadworks.group_exists = lambda sp, group_id: (sp, group_id) in fake.broadworks.clone_groups
    fake.broadworks.add_clone_group = lambda group_id, *, template_group_id, name: fake.broadworks.clone_groups.update(
        {("ExpoePartner", group_id): (template_group_id, name)}
    )
    fake.broadworks.authorised = {}
    fake.broadworks.authorise_service_provider = lambda sp, *, template_group_id, extra_user_services=(): (
        fake.broadworks.authorised.update({sp: (template_group_id, extra_user_services)})
    )
    fake.broadworks.portal_logins = {}  # user ID -> (service provider, the password it was last given)
    fake.broadworks.passwords_given = {}  # user ID -> every password it was given, in order

    def give_password(sp, user_id, password):
        fake.broadworks.portal_logins[user_id] = (sp, password)
        fake.broadworks.passwords_given.setdefault(user_id, []).append(password)

    fake.broadworks.portal_login_exists = lambda user_id: user_id in fake.broadworks.portal_logins
    fake.broadworks.add_portal_login = lambda sp, *, user_id, first_name, last_name, password: give_password(
        sp, user_id, password
    )
    fake.broadworks.reset_portal_login_password = lambda user_id, *, password: give_password(
        fake.broadworks.portal_logins[user_id][0], user_id, password
    )
    fake.akixi = FakeReseller(fake.calls)
    fake.callcabinet = FakeReseller(fake.calls)
    monkeypatch.setattr("integrations.platforms.get_platforms", lambda: fake)
    return fake


@pytest.fixture
def order(world):
    order = new_order(world)
    for name, role in [("confirm", Role.PROVISIONING_ADMIN), ("assign_coordinator", Role.MANAGER)]:
        order = run(world, order, name, role)
    return order


def test_O2_the_coordinator_creates_all_three_accounts_and_the_stage_completes(
    world, order, platforms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queued = partner_accounts.accounts_provision_start(by=world.user(Role.COORDINATOR), order=order)
    assert queued == ["akixi", "broadworks", "callcabinet"]
    order = OnboardingOrder.objects.get(pk=order.pk)
    assert order.status == OrderStatus.ACCOUNTS_CREATED
    assert {a.platform: (a.status, a.reference) for a in order.accounts.all()} == {
        "akixi": ("done", "BETA02"),
        "broadworks": ("done", "BETA02; clone group BETA02-CLONE; Partner Portal login BETA02-admin"),
        "callcabinet": ("done", "BETA02"),
    }
    assert platforms.broadworks.service_providers == {"BETA02"}
    # Authorised for what its clone template uses, and call recording besides (C6).
    assert platforms.broadworks.authorised == {"BETA02": ("EXPOE-MASTER-CLONE", ("Call Recording",))}
    # G1, G2: its clone group, copied from EXPO.e's master template in the clone service provider.
    assert platforms.broadworks.clone_groups == {
        ("ExpoePartner", "BETA02-CLONE"): ("EXPOE-MASTER-CLONE", "Betacom clone template")
    }
    assert ("add_reseller", "BETA02", "ops@betacom.invalid") in platforms.calls  # K1, C1: welcome email goes there


def test_O2_an_account_that_exists_is_not_created_again(world, order, platforms, django_capture_on_commit_callbacks):
    platforms.akixi.accounts.add("BETA02")
    with django_capture_on_commit_callbacks(execute=True):
        partner_accounts.accounts_provision_start(by=world.user(Role.COORDINATOR), order=order)
    assert [c for c in platforms.calls if c[0] == "add_reseller"] == [("add_reseller", "BETA02", "ops@betacom.invalid")]


def test_O2_a_refusal_is_shown_on_the_account_and_the_stage_waits(
    world, order, platforms, django_capture_on_commit_callbacks
):
    platforms.callcabinet.fail = [PermanentError("Call Cabinet: PartnerId already used by another reseller")]
    with django_capture_on_commit_callbacks(execute=True):
        partner_accounts.accounts_provision_start(by=world.user(Role.COORDINATOR), order=order)
    order = OnboardingOrder.objects.get(pk=order.pk)
    failed = order.accounts.get(platform="callcabinet")
    assert (failed.status, failed.error) == ("failed", "Call Cabinet: PartnerId already used by another reseller")
    assert order.status == OrderStatus.COORDINATOR_ASSIGNED
    with django_capture_on_commit_callbacks(execute=True):  # fixed: start again, only the failed one runs
        assert partner_accounts.accounts_provision_start(by=world.user(Role.COORDINATOR), order=order) == [
            "callcabinet"
        ]
    assert OnboardingOrder.objects.get(pk=order.pk).status == OrderStatus.ACCOUNTS_CREATED


def test_O2_transient_errors_are_retried(world, order, platforms, django_capture_on_commit_callbacks):
    platforms.akixi.fail = [TransientError("503"), TransientError("503")]
    with django_capture_on_commit_callbacks(execute=True):
        partner_accounts.accounts_provision_start(by=world.user(Role.COORDINATOR), order=order)
    akixi = OnboardingOrder.objects.get(pk=order.pk).accounts.get(platform="akixi")
    assert (akixi.status, akixi.attempts, akixi.lease_until) == ("done", 3, None)


def test_O2_an_account_retry_whose_message_was_lost_is_woken_by_the_sweeper(
    world, order, platforms, settings, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    platforms.akixi.fail = [TransientError("503")]
    with django_capture_on_commit_callbacks(execute=False) as sent:
        partner_accounts.accounts_provision_start(by=world.user(Role.COORDINATOR), order=order)
    assert len(sent) == 3, "one message per platform"
    assert partner_accounts.accounts_provision_run(order_id=order.pk, platform="akixi").startswith("retrying")
    akixi = order.accounts.get(platform="akixi")
    assert (akixi.status, akixi.attempts) == ("in_progress", 1) and akixi.next_attempt_at > timezone.now()
    # The retry's countdown message died with its worker; the row is still due.
    akixi.next_attempt_at = timezone.now() - timedelta(seconds=settings.WORK_REQUEUE_AFTER + 1)
    akixi.save(update_fields=["next_attempt_at"])
    with django_capture_on_commit_callbacks(execute=True):
        assert partner_accounts.PARTNER_ACCOUNTS.sweep() == [(order.pk, "akixi")]
    akixi.refresh_from_db()
    assert (akixi.status, akixi.attempts, akixi.reference) == ("done", 2, "BETA02")
    assert [c for c in platforms.calls if c[0] == "add_reseller"].count(
        ("add_reseller", "BETA02", "ops@betacom.invalid")
    ) == 1


def test_O2_an_account_whose_worker_died_every_time_gives_up_with_the_reason(world, order, platforms, settings):
    from onboarding.models import OnboardingAccount

    order.accounts.update(status="in_progress", attempts=settings.PLATFORM_WORK_MAX_ATTEMPTS)
    result = partner_accounts.accounts_provision_run(order_id=order.pk, platform="akixi")
    assert result.startswith("failed: Gave up after 7 attempts")
    akixi = OnboardingAccount.objects.get(order=order, platform="akixi")
    assert akixi.status == "failed" and "stopped each time" in akixi.error


def test_O2_only_the_orders_coordinator_and_only_at_that_stage(world, order, platforms):
    with pytest.raises(PermissionDenied):
        partner_accounts.accounts_provision_start(by=world.user(Role.MANAGER), order=order)
    confirmed = OnboardingOrder.objects.get(pk=order.pk)
    OnboardingOrder.objects.filter(pk=order.pk).update(status="accounts_created")
    with pytest.raises(partner_accounts.AccountsRefused):
        partner_accounts.accounts_provision_start(by=world.user(Role.COORDINATOR), order=confirmed)


def test_O2_the_order_page_offers_it_to_the_coordinator(
    client, world, order, platforms, django_capture_on_commit_callbacks
):
    client.force_login(world.user(Role.COORDINATOR))
    assert "Create them on the platforms" in client.get(f"/onboarding/{order.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/onboarding/{order.pk}/accounts/create/", follow=True)
    assert "Creating 3 partner account(s)" in response.content.decode()
    assert OnboardingOrder.objects.get(pk=order.pk).status == OrderStatus.ACCOUNTS_CREATED


def test_O2_a_partner_without_a_clone_group_id_gets_one_recorded(
    world, order, platforms, django_capture_on_commit_callbacks
):
    Partner.objects.filter(pk=world.partner_b.pk).update(clone_group_id="")
    with django_capture_on_commit_callbacks(execute=True):
        partner_accounts.accounts_provision_start(by=world.user(Role.COORDINATOR), order=order)
    assert Partner.objects.get(pk=world.partner_b.pk).clone_group_id == "BETA02-CLONE"
    assert ("ExpoePartner", "BETA02-CLONE") in platforms.broadworks.clone_groups


def test_O2_an_existing_clone_group_is_not_copied_again(world, order, platforms, django_capture_on_commit_callbacks):
    platforms.broadworks.clone_groups[("ExpoePartner", "BETA02-CLONE")] = ("made by hand", "Betacom")
    with django_capture_on_commit_callbacks(execute=True):
        partner_accounts.accounts_provision_start(by=world.user(Role.COORDINATOR), order=order)
    assert platforms.broadworks.clone_groups == {("ExpoePartner", "BETA02-CLONE"): ("made by hand", "Betacom")}


def test_O2_the_partner_gets_its_portal_login_by_an_invitation_and_its_password_is_kept_nowhere(
    world, order, platforms, django_capture_on_commit_callbacks, mailoutbox, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        partner_accounts.accounts_provision_start(by=world.user(Role.COORDINATOR), order=order)
    sp, password = platforms.broadworks.portal_logins["BETA02-admin"]
    assert sp == "BETA02" and len(password) >= 12
    (invitation,) = [m for m in mailoutbox if "Partner Portal login" in m.subject]
    assert invitation.to == ["ops@betacom.invalid"]
    body = invitation.body
    assert "Login: BETA02-admin" in body and f"Password: {password}" in body
    assert "https://ucaasprov.hostedcomm.com/app/#!/" in body  # O7: the Partner Portal URL
    assert "ucaas.hostedcomm.com" not in body.replace("ucaasprov.hostedcomm.com", "")  # never the customers' one
    partner = Partner.objects.get(pk=world.partner_b.pk)
    assert (partner.portal_login_id, partner.portal_invited_to) == ("BETA02-admin", "ops@betacom.invalid")
    assert partner.portal_invited_at is not None
    # Nowhere else: no database row, no outbox message, no log line.
    from django.db import connection

    from expoe_portal.models import OutboundEmail

    assert not OutboundEmail.objects.filter(body__contains=password).exists()
    with connection.cursor() as cursor:
        for table in ("onboarding_partner", "onboarding_onboardingaccount", "integrations_externalcall"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - our own table names
            assert password not in str(cursor.fetchall()), table
    assert password not in caplog.text
    # The partner's page says which login it has and where its invitation went (never the password).
    from django.test import Client

    staff = Client()
    staff.force_login(world.user(Role.COORDINATOR))
    page = staff.get(f"/partners/{partner.pk}/").content.decode()
    assert "BETA02-admin" in page and "Invitation sent" in page and "ops@betacom.invalid" in page
    assert password not in page


def test_O2_an_invitation_that_could_not_be_sent_goes_again_with_a_new_password(
    world, order, platforms, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    sent = []

    def fail_once(message, *args, **kwargs):
        if not sent:
            sent.append("failed")
            raise OSError("mail server down")
        return original(message, *args, **kwargs)

    from django.core.mail import EmailMessage

    original = EmailMessage.send
    monkeypatch.setattr(EmailMessage, "send", fail_once)
    with django_capture_on_commit_callbacks(execute=True):
        partner_accounts.accounts_provision_start(by=world.user(Role.COORDINATOR), order=order)
    # The first attempt set a password and could not send it; the retry (run at once here) set
    # another and sent that one.
    broadworks = OnboardingOrder.objects.get(pk=order.pk).accounts.get(platform="broadworks")
    assert sent == ["failed"] and (broadworks.status, broadworks.attempts) == ("done", 2)
    first, second = platforms.broadworks.passwords_given["BETA02-admin"]
    assert first != second, "the password that went nowhere is replaced"
    (invitation,) = [m for m in mailoutbox if "Partner Portal login" in m.subject]
    assert f"Password: {second}" in invitation.body and first not in invitation.body


def test_O2_without_a_contact_the_portal_login_waits_with_a_clear_reason(
    world, order, platforms, django_capture_on_commit_callbacks
):
    world.partner_b.contacts.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        partner_accounts.accounts_provision_start(by=world.user(Role.COORDINATOR), order=order)
    broadworks = OnboardingOrder.objects.get(pk=order.pk).accounts.get(platform="broadworks")
    assert broadworks.status == "failed" and "has no contact to send its Partner Portal login to" in broadworks.error
    assert platforms.broadworks.portal_logins == {}
