"""O1: the order confirmation is due 48 hours after the signed order arrives."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts.choices import Role
from onboarding.models import OnboardingOrder
from onboarding.selectors import onboarding_order_list
from onboarding.services import onboarding_order_create, onboarding_order_transition

pytestmark = pytest.mark.django_db

RECEIVED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # a Monday morning
DUE = RECEIVED + timedelta(hours=48)


@pytest.fixture
def order(world):
    with time_machine.travel(RECEIVED, tick=False):
        return onboarding_order_create(
            by=world.user(Role.PROVISIONING_ADMIN), partner=world.partner_b, signed_order_received_at=RECEIVED
        )


def _state_in_python_and_sql(world, order):
    python = OnboardingOrder.objects.get(pk=order.pk).sla_state
    sql = onboarding_order_list(user=world.user(Role.MANAGER)).get(pk=order.pk).sla
    assert python == sql, "the list's SQL SLA must agree with the model's"
    return python


def test_O1_confirmation_is_due_48_hours_after_the_signed_order(order):
    assert order.confirmation_due_at == DUE


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (RECEIVED, "on_track"),
        (DUE - timedelta(hours=12, seconds=1), "on_track"),
        (DUE - timedelta(hours=12), "at_risk"),  # the at-risk threshold (a setting) starts
        (DUE - timedelta(seconds=1), "at_risk"),  # just before 48 hours
        (DUE, "at_risk"),  # at 48 hours: still within the SLA
        (DUE + timedelta(seconds=1), "breached"),  # just after
        (DUE + timedelta(days=3), "breached"),
    ],
)
def test_O1_sla_state_by_the_clock(world, order, moment, expected):
    with time_machine.travel(moment, tick=False):
        assert _state_in_python_and_sql(world, order) == expected


@pytest.mark.parametrize(
    ("confirmed_at", "expected"),
    [(DUE - timedelta(minutes=1), "met"), (DUE, "met"), (DUE + timedelta(minutes=1), "breached")],
)
def test_O1_confirming_stops_the_clock(world, order, confirmed_at, expected):
    with time_machine.travel(confirmed_at, tick=False):
        onboarding_order_transition(by=world.user(Role.PROVISIONING_ADMIN), order=order, name="confirm")
    with time_machine.travel(DUE + timedelta(days=30), tick=False):
        assert _state_in_python_and_sql(world, order) == expected


def test_O1_at_risk_threshold_is_a_setting(world, order, settings):
    settings.ONBOARDING_SLA_AT_RISK_HOURS = 2
    with time_machine.travel(DUE - timedelta(hours=3), tick=False):
        assert _state_in_python_and_sql(world, order) == "on_track"
    with time_machine.travel(DUE - timedelta(hours=2), tick=False):
        assert _state_in_python_and_sql(world, order) == "at_risk"


def test_O1_order_list_filters_on_sla_state(client, world, order):
    client.force_login(world.user(Role.MANAGER))
    with time_machine.travel(DUE + timedelta(hours=1), tick=False):
        breached = client.get("/onboarding/", {"sla_state": "breached"}).context["table"].page.object_list
        on_track = client.get("/onboarding/", {"sla_state": "on_track"}).context["table"].page.object_list
    assert [row.record.pk for row in breached] == [order.pk]
    assert list(on_track) == []


def test_O1_sla_badge_counts_down_on_the_order_page(client, world, order):
    client.force_login(world.user(Role.PROVISIONING_ADMIN))
    with time_machine.travel(DUE - timedelta(hours=5), tick=False):
        body = client.get(f"/onboarding/{order.pk}/").content.decode()
    assert "At risk" in body and "due in 5 hours" in body
