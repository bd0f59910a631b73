"""Every state change of a port (and of orders and builds, through the same transitions) is an
Event of its partner, written with the change or not at all; `/api/v1/events/?since=` lists them."""

import pytest
from django.db import transaction

from accounts.choices import Role
from events.models import Event
from porting.choices import PortStatus
from tests.porting.walk import new_draft, run

pytestmark = pytest.mark.django_db


def test_each_port_transition_is_an_event_of_its_partner(world):
    port = new_draft(world, signed_loa=True)
    port = run(world, port, "submit", Role.PARTNER_USER)
    port = run(world, port, "accept", Role.COORDINATOR)

    events = list(Event.objects.order_by("id"))
    assert [e.type for e in events] == ["port.submitted", "port.accepted"]
    accepted = events[1]
    assert accepted.partner == world.partner_a
    assert (accepted.object_type, accepted.object_id) == ("port_request", port.pk)
    assert accepted.data["from"] == PortStatus.SUBMITTED and accepted.data["to"] == PortStatus.ACCEPTED
    assert accepted.data["port_date"] == port.port_date.isoformat()
    assert events[0].id < events[1].id


def test_a_rolled_back_change_leaves_no_event(world):
    port = new_draft(world, signed_loa=True)
    with pytest.raises(RuntimeError), transaction.atomic():
        run(world, port, "submit", Role.PARTNER_USER)
        raise RuntimeError("something later in the same use case failed")
    assert not Event.objects.exists()


def test_a_transition_never_saved_leaves_no_event(world):
    port = new_draft(world, signed_loa=True)
    port.submit(by=world.user(Role.PARTNER_USER), at=port.created_at)  # in memory only
    assert not Event.objects.exists()


def test_a_refused_transition_leaves_no_event(world):
    port = new_draft(world, signed_loa=True, risks_acknowledged=False)
    with pytest.raises(Exception):  # noqa: B017 - refused for what is missing (P3); which is not the point
        run(world, port, "submit", Role.PARTNER_USER)
    assert not Event.objects.exists()


def _events_of_both_partners(world):
    a = run(world, new_draft(world, signed_loa=True), "submit", Role.PARTNER_USER)
    b = run(world, new_draft(world, partner=world.partner_b, signed_loa=True), "submit", "partner_b_user")
    a = run(world, a, "accept", Role.COORDINATOR)
    return a, b


def test_events_api_shows_a_partner_user_only_their_partners_events_oldest_first(world, api_as):
    a, b = _events_of_both_partners(world)
    answer = api_as(world.user(Role.PARTNER_USER)).get("/api/v1/events/")
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert [(e["type"], e["object"]["id"]) for e in results] == [("port.submitted", a.pk), ("port.accepted", a.pk)]
    assert {e["partner"] for e in results} == {"ACME01"}
    assert results[0]["object"] == {"type": "port_request", "id": a.pk}
    assert set(results[0]) == {"id", "at", "type", "partner", "object", "data"}

    b_event = Event.objects.get(partner=world.partner_b)
    assert api_as(world.user(Role.PARTNER_USER)).get(f"/api/v1/events/{b_event.pk}/").status_code == 404


def test_events_api_since_lists_only_later_events(world, api_as):
    _events_of_both_partners(world)
    first = Event.objects.filter(partner=world.partner_a).order_by("id").first()
    answer = api_as(world.user(Role.PARTNER_USER)).get(f"/api/v1/events/?since={first.pk}")
    assert [e["type"] for e in answer.json()["results"]] == ["port.accepted"]
    last = Event.objects.order_by("id").last()
    assert api_as(world.user(Role.PARTNER_USER)).get(f"/api/v1/events/?since={last.pk}").json()["results"] == []


def test_staff_see_every_partners_events(world, api_as):
    _events_of_both_partners(world)
    answer = api_as(world.user(Role.MANAGER)).get("/api/v1/events/?page_size=10")
    assert answer.json()["count"] == 3
    assert {e["partner"] for e in answer.json()["results"]} == {"ACME01", "BETA02"}


def test_events_api_paginates(world, api_as):
    _events_of_both_partners(world)
    answer = api_as(world.user(Role.MANAGER)).get("/api/v1/events/?page_size=2")
    body = answer.json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


def test_an_onboarding_stage_change_is_an_event(world):
    from django.utils import timezone

    from onboarding.services import onboarding_order_confirm, onboarding_order_create

    admin = world.user(Role.PROVISIONING_ADMIN)
    order = onboarding_order_create(by=admin, partner=world.partner_b, signed_order_received_at=timezone.now())
    onboarding_order_confirm(by=admin, order=order)
    event = Event.objects.get()
    assert (event.type, event.partner, event.object_type, event.object_id) == (
        "onboarding.stage_changed",
        world.partner_b,
        "onboarding_order",
        order.pk,
    )
    assert (event.data["from"], event.data["to"]) == ("received", "confirmed")


def test_a_build_finishing_is_an_event_naming_its_customer_group(world):
    from customers.models import CustomerGroup, ServiceBuild

    group = CustomerGroup.objects.create(partner=world.partner_a, group_id="AlphaOne", name="Alpha One")
    build = ServiceBuild.objects.create(group=group)
    build.queue(by=world.user(Role.COORDINATOR))
    build.save()
    build.start()
    build.save()
    build.fail(reason="BroadWorks refused the group")
    build.save()
    assert [e.type for e in Event.objects.order_by("id")] == ["build.queued", "build.running", "build.failed"]
    failed = Event.objects.get(type="build.failed")
    assert failed.partner == world.partner_a and failed.object_id == build.pk
    assert failed.data["customer_group"] == group.pk
