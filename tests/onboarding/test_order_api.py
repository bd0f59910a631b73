from datetime import timedelta

import pytest
from django.utils import timezone
from django_fsm_log.models import StateLog

from accounts.choices import Role
from onboarding.choices import OrderStatus
from onboarding.models import OnboardingOrder

from .walk import order_in_state

pytestmark = pytest.mark.django_db

LIST = "/api/v1/onboarding-orders/"


def url(order, suffix=""):
    return f"{LIST}{order.pk}/{suffix}"


def test_administrator_logs_a_signed_order_by_partner_id(api_as, world):
    received = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)
    response = api_as(world.user(Role.PROVISIONING_ADMIN)).post(
        LIST, {"partner": "BETA02", "signed_order_received_at": received.isoformat(), "note": "Via DocuSign"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["partner"] == "BETA02" and body["status"] == "received" and body["sla_state"] == "on_track"
    assert body["confirmation_due_at"] == (received + timedelta(hours=48)).isoformat().replace("+00:00", "Z")
    assert body["history"][0]["to"] == "received" and body["history"][0]["note"] == "Via DocuSign"
    assert body["signed_order_received_at"].endswith("Z"), "the API speaks UTC"


@pytest.mark.parametrize(
    ("payload", "field", "fragment"),
    [
        ({"partner": "NOPE"}, "partner", "does not exist"),
        ({"partner": "ACME01"}, "partner", "already live"),
        ({"signed_order_received_at": "yesterday"}, "signed_order_received_at", "Datetime has wrong format"),
        (
            {"signed_order_received_at": (timezone.now() + timedelta(days=30)).isoformat()},
            "signed_order_received_at",
            "future",
        ),
        # #17: a typo in the year is told the range (expoe_portal.bounds.sane_date).
        ({"signed_order_received_at": "2999-01-01T00:00:00Z"}, "signed_order_received_at", "five years from today"),
        ({"signed_order_received_at": "1900-01-01T00:00:00Z"}, "signed_order_received_at", "1 January 2000"),
    ],
)
def test_bad_order_input_is_400_naming_the_field(api_as, world, payload, field, fragment):
    data = {"partner": "BETA02", "signed_order_received_at": timezone.now().isoformat(), **payload}
    response = api_as(world.user(Role.PROVISIONING_ADMIN)).post(LIST, data)
    assert response.status_code == 400
    assert fragment in str(response.json()[field])
    assert not OnboardingOrder.objects.exists()


def test_only_administrators_create_orders(api_as, world):
    data = {"partner": "BETA02", "signed_order_received_at": timezone.now().isoformat()}
    for role in (Role.COORDINATOR, Role.MANAGER, Role.PARTNER_USER):
        assert api_as(world.user(role)).post(LIST, data).status_code == 403


def test_partner_user_sees_only_their_own_orders(api_as, world):
    mine = order_in_state(world, OrderStatus.RECEIVED, partner=world.partner_b)
    client = api_as(world.user("partner_b_user"))
    assert [o["id"] for o in client.get(LIST).json()["results"]] == [mine.pk]
    assert client.get(url(mine, "transitions/")).json() == []
    assert client.post(url(mine, "transitions/confirm/"), {}).status_code == 403
    other = api_as(world.user(Role.PARTNER_USER))
    assert other.get(url(mine)).status_code == 404
    assert other.get(LIST).json()["count"] == 0


def test_transitions_list_what_the_caller_may_run_now(api_as, world):
    order = order_in_state(world, OrderStatus.RECEIVED)
    names = {o["name"] for o in api_as(world.user(Role.PROVISIONING_ADMIN)).get(url(order, "transitions/")).json()}
    assert names == {"confirm", "hold", "cancel"}
    names = {o["name"] for o in api_as(world.user(Role.MANAGER)).get(url(order, "transitions/")).json()}
    assert names == {"hold", "cancel"}


def test_running_a_transition_returns_the_updated_order(api_as, world):
    order = order_in_state(world, OrderStatus.CONFIRMED)
    response = api_as(world.user(Role.MANAGER)).post(
        url(order, "transitions/assign_coordinator/"),
        {"coordinator": "coordinator", "note": "Colin has capacity"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "coordinator_assigned" and body["coordinator"] == "coordinator"
    assert body["history"][-1] == {
        "at": body["history"][-1]["at"],
        "by": "manager",
        "from": "confirmed",
        "to": "coordinator_assigned",
        "transition": "assign_coordinator",
        "note": "Colin has capacity",
        "note_for_partner": False,
    }


def test_transition_fields_are_validated_with_field_messages(api_as, world):
    order = order_in_state(world, OrderStatus.ACCOUNTS_CREATED)
    response = api_as(world.user(Role.COORDINATOR)).post(
        url(order, "transitions/arrange_kickoff/"), {"kickoff_at": "soon", "trainer": "nobody"}
    )
    assert response.status_code == 400
    body = response.json()
    assert "Enter a valid date/time." in body["kickoff_at"]
    assert "Select a valid choice." in body["trainer"][0]
    assert OnboardingOrder.objects.get(pk=order.pk).status == OrderStatus.ACCOUNTS_CREATED


def test_wrong_state_is_400_with_a_code(api_as, world):
    order = order_in_state(world, OrderStatus.CONFIRMED)
    # Confirmed an hour ago: a moment ago would be a lost race (409, test_concurrent_transitions.py).
    StateLog.objects.for_(order).update(timestamp=timezone.now() - timedelta(hours=1))
    response = api_as(world.user(Role.PROVISIONING_ADMIN)).post(url(order, "transitions/confirm/"), {})
    assert response.status_code == 400
    assert response.json()["code"] == "transition_not_allowed"


def test_wrong_role_is_403(api_as, world):
    order = order_in_state(world, OrderStatus.RECEIVED)
    response = api_as(world.user(Role.TRAINER)).post(url(order, "transitions/confirm/"), {})
    # The trainer is not allocated to this order, so it is not even visible to them.
    assert response.status_code == 404
    response = api_as(world.user(Role.COORDINATOR)).post(url(order, "transitions/confirm/"), {})
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_a_stale_expected_status_is_409_conflict(api_as, world):
    order = order_in_state(world, OrderStatus.RECEIVED)
    client = api_as(world.user(Role.PROVISIONING_ADMIN))
    first = client.post(url(order, "transitions/confirm/"), {"expected_status": "received"})
    second = client.post(url(order, "transitions/hold/"), {"expected_status": "received", "reason": "wait"})
    assert first.status_code == 200
    assert second.status_code == 409 and second.json()["code"] == "conflict"
    assert OnboardingOrder.objects.get(pk=order.pk).status == OrderStatus.CONFIRMED


def test_unknown_transition_is_404(api_as, world):
    order = order_in_state(world, OrderStatus.RECEIVED)
    assert api_as(world.user(Role.PROVISIONING_ADMIN)).post(url(order, "transitions/teleport/"), {}).status_code == 404


def test_O2_coordinator_records_accounts_through_the_api(api_as, world):
    from .walk import new_order, run

    order = new_order(world)
    for name, role in [("confirm", Role.PROVISIONING_ADMIN), ("assign_coordinator", Role.MANAGER)]:
        order = run(world, order, name, role)
    client = api_as(world.user(Role.COORDINATOR))
    response = client.post(url(order, "accounts/akixi/"), {"reference": "AKX-99"})
    assert response.status_code == 200
    akixi = next(a for a in response.json()["accounts"] if a["platform"] == "akixi")
    assert akixi == {**akixi, "status": "done", "reference": "AKX-99", "completed_by": "coordinator"}
    assert client.post(url(order, "accounts/akixi/"), {"reference": ""}).status_code == 400
    assert client.post(url(order, "accounts/fax/"), {"reference": "x"}).json() == {
        "platform": ["“fax” is not a partner account platform."]
    }


def test_O2_the_coordinator_starts_the_accounts_through_the_api_as_the_page_does(
    api_as, world, django_capture_on_commit_callbacks
):
    from .walk import new_order, run

    order = new_order(world)
    for name, role in [("confirm", Role.PROVISIONING_ADMIN), ("assign_coordinator", Role.MANAGER)]:
        order = run(world, order, name, role)
    refused = api_as(world.user(Role.MANAGER)).post(url(order, "accounts/create/"))
    assert refused.status_code == 403
    # What wakes the workers waits for the commit (the work itself: test_partner_accounts.py).
    with django_capture_on_commit_callbacks(execute=False) as wakes:
        response = api_as(world.user(Role.COORDINATOR)).post(url(order, "accounts/create/"))
    assert response.status_code == 202, response.content
    assert {a["platform"]: a["status"] for a in response.json()["accounts"]} == {
        "akixi": "in_progress",
        "broadworks": "in_progress",
        "callcabinet": "in_progress",
    }
    assert len(wakes) == 3, "one message per platform"
    OnboardingOrder.objects.filter(pk=order.pk).update(status=OrderStatus.KICKOFF_ARRANGED)
    too_late = api_as(world.user(Role.COORDINATOR)).post(url(order, "accounts/create/"))
    assert too_late.status_code == 400 and "while a co-ordinator is assigned" in str(too_late.json())


def test_filters_by_status_and_coordinator(api_as, world):
    from tests.factories import PartnerContactFactory, PartnerFactory

    confirmed = order_in_state(world, OrderStatus.CONFIRMED)
    other = PartnerFactory(partner_id="GAMMA03")
    PartnerContactFactory(partner=other)
    assigned = order_in_state(world, OrderStatus.COORDINATOR_ASSIGNED, partner=other)
    client = api_as(world.user(Role.MANAGER))
    assert [o["id"] for o in client.get(LIST, {"status": "confirmed"}).json()["results"]] == [confirmed.pk]
    assert [o["id"] for o in client.get(LIST, {"coordinator": "coordinator"}).json()["results"]] == [assigned.pk]
    assert [o["id"] for o in client.get(LIST, {"partner": "gamma03"}).json()["results"]] == [assigned.pk]


def test_order_list_query_count_does_not_grow(api_as, world):
    from tests.factories import PartnerContactFactory, PartnerFactory

    client = api_as(world.user(Role.MANAGER))
    order_in_state(world, OrderStatus.TRAINING)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(LIST)  # warm the permission cache outside the count
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for n in range(4):
        partner = PartnerFactory(partner_id=f"MORE{n}")
        PartnerContactFactory(partner=partner)
        order_in_state(world, OrderStatus.TRAINING, partner=partner)
    with CaptureQueriesContext(connection) as many:
        assert client.get(LIST).json()["count"] == 5
    assert len(many.captured_queries) == len(few.captured_queries)
