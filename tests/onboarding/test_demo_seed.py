"""`manage.py seed_demo` shows onboarding at several stages (O1-O6), built through the services,
and running it again changes nothing."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_fsm_log.models import StateLog

from accounts.demo import DEMO_PASSWORD, DEMO_USERS
from accounts.models import AuditEvent
from escalations.demo import DEMO_LATE_ORDERS
from onboarding.choices import AccountPlatform, AccountStatus, OrderStatus, SlaState, TrainingPlatform
from onboarding.models import OnboardingAccount, OnboardingOrder, TrainingSession
from partners.models import Partner
from tests.factories import PartnerContactFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def seed():
    call_command("seed_demo", stdout=StringIO())


def order_of(partner_id) -> OnboardingOrder:
    return OnboardingOrder.objects.select_related("partner", "coordinator", "trainer").get(
        partner__partner_id=partner_id
    )


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Partner, OnboardingOrder, StateLog, OnboardingAccount, TrainingSession, AuditEvent)
    }


def test_seed_demo_twice_is_idempotent(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seed()
    first, statuses = counts(), dict(OnboardingOrder.objects.values_list("partner__partner_id", "status"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        seed()
    assert counts() == first
    assert dict(OnboardingOrder.objects.values_list("partner__partner_id", "status")) == statuses
    assert mail.outbox == []  # nothing moved, so no email goes out again
    # The four demo stages, plus the escalation demo's late orders (escalations/demo.py).
    assert first["OnboardingOrder"] == 4 + len(DEMO_LATE_ORDERS) and first["StateLog"] > first["OnboardingOrder"]


def test_seed_demo_shows_each_onboarding_stage():
    seed()
    late = [partner_id for partner_id, *_ in DEMO_LATE_ORDERS]  # the escalation demo's (E2)
    statuses = dict(
        OnboardingOrder.objects.exclude(partner__partner_id__in=late).values_list("partner__partner_id", "status")
    )
    assert statuses == {
        "ACME01": OrderStatus.LIVE,
        "BETA02": OrderStatus.KICKOFF_ARRANGED,
        "GLOBEX03": OrderStatus.RECEIVED,
        "DELTA04": OrderStatus.CONFIRMED,
    }
    assert set(Partner.objects.filter(live=True).values_list("partner_id", flat=True)) == {"ACME01"}


def test_seed_demo_beta_has_its_kickoff_and_trainer_O4():
    seed()
    order = order_of("BETA02")
    assert order.coordinator.username == "coordinator" and order.trainer.username == "trainer"
    assert order.kickoff_at > timezone.now()
    assert order.accounts_outstanding() == []  # O2 done before the kickoff
    assert not order.training_sessions.exists()


def test_seed_demo_globex_confirmation_is_at_risk_O1():
    seed()
    order = order_of("GLOBEX03")
    now = timezone.now()
    assert now - timedelta(hours=41) < order.signed_order_received_at <= now - timedelta(hours=39)
    assert order.sla_state == SlaState.AT_RISK


def test_seed_demo_delta_awaits_a_coordinator():
    seed()
    order = order_of("DELTA04")
    assert order.partner.name == "Delta Voice Ltd"
    assert order.confirmed_at is not None and order.coordinator is None
    assert order.sla_state == SlaState.MET


def test_seed_demo_acme_is_live_with_a_complete_history_O6():
    seed()
    order = order_of("ACME01")
    assert order.partner.live and order.partner.clone_group_id == "ACME01-CLONE"
    assert order.went_live_at is not None and order.sla_state == SlaState.MET
    assert {(a.platform, a.status) for a in order.accounts.all()} == {
        (p, AccountStatus.DONE) for p in AccountPlatform.values
    }
    assert sorted(order.training_sessions.values_list("platform", flat=True)) == sorted(TrainingPlatform.values)
    assert [log.transition for log in StateLog.objects.for_(order).order_by("timestamp", "id")] == [
        "log_signed_order",
        "confirm",
        "assign_coordinator",
        "complete_accounts",
        "arrange_kickoff",
        "record_training",
        "record_training",
        "record_training",
        "go_live",
    ]


def test_seed_demo_walks_an_older_live_acme_without_an_order_to_live():
    """A database seeded before orders existed has ACME01 live with no order."""
    PartnerContactFactory(partner=PartnerFactory(partner_id="ACME01", name="Acme Telecom Ltd", live=True))
    seed()
    order = order_of("ACME01")
    assert order.status == OrderStatus.LIVE and order.partner.live


def test_seed_demo_logins_still_work(client):
    seed()
    for username, *_ in DEMO_USERS:
        response = client.post(reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        client.post(reverse("accounts:logout"))


def test_seed_demo_stocks_the_live_partners_pool_and_customer_groups():
    from customers.models import CustomerGroup
    from number_pool.models import Number

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    acme = Partner.objects.get(partner_id="ACME01")
    assert Number.objects.filter(partner=acme, status="available").count() >= 50
    groups = CustomerGroup.objects.filter(partner=acme)
    assert groups.count() == 3
    assert all(g.numbers.filter(e164=g.business_profile_number).exists() for g in groups), "B1 holds"
