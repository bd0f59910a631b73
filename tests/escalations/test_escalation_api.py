"""API.md: /api/v1/escalations/ — open deadline items with subject, policy, due_at, state, level
and contact; scoped like everything else; an `acknowledge` action (E2)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import Role
from escalations.models import Escalation

from .conftest import allocate_trainer, make_escalation

pytestmark = pytest.mark.django_db


def test_E2_api_lists_open_items_with_the_contract_fields(api_as, world, items):
    response = api_as(world.user(Role.MANAGER)).get("/api/v1/escalations/")
    assert response.status_code == 200
    assert response.data["count"] == 5
    first = response.json()["results"][0]
    assert first["subject"] == {
        "type": "onboarding_order",
        "id": 1004,
        "label": "Onboarding of ITEM004",
        "url": "/onboarding/1004/",
    }
    assert first["policy"] == "O1-order-confirmation"
    assert first["state"] == "breached"
    assert first["level"] == 3
    assert first["contact"]["name"] == "Dan Baines-Holmes" and first["contact"]["level"] == 3
    assert first["due_at"].endswith("Z") or first["due_at"].endswith("+00:00"), "API times are UTC"
    assert first["partner"] == "ACME01"
    on_track = response.json()["results"][-1]
    assert (on_track["state"], on_track["level"], on_track["contact"]["level"]) == ("on_track", 0, 0)


def test_E2_api_filters_by_state_policy_and_level(api_as, world, items):
    client = api_as(world.user(Role.MANAGER))
    assert client.get("/api/v1/escalations/?state=breached").data["count"] == 3
    assert client.get("/api/v1/escalations/?state=at_risk").data["count"] == 1
    assert client.get("/api/v1/escalations/?policy=build-failed-or-stuck").data["count"] == 1
    assert client.get("/api/v1/escalations/?level=3").data["count"] == 1
    assert client.get("/api/v1/escalations/?partner=acme01").data["count"] == 1


def test_E2_api_partner_users_see_only_their_own_partners_items(api_as, world, items):
    mine = api_as(world.user(Role.PARTNER_USER)).get("/api/v1/escalations/")
    assert [row["partner"] for row in mine.data["results"]] == ["ACME01"]
    other = Escalation.objects.get(subject_id=1003)  # partner B's
    assert api_as(world.user(Role.PARTNER_USER)).get(f"/api/v1/escalations/{other.pk}/").status_code == 404


def test_E2_api_closed_escalations_are_not_listed(api_as, world, items):
    Escalation.objects.filter(subject_id=1003).update(closed_at=timezone.now(), close_reason="resolved")
    assert api_as(world.user(Role.MANAGER)).get("/api/v1/escalations/").data["count"] == 4


def test_E2_api_acknowledge_holds_the_level_and_a_second_one_is_409(api_as, world, items):
    breach = Escalation.objects.get(subject_id=1003)
    client = api_as(world.user(Role.COORDINATOR))
    response = client.post(f"/api/v1/escalations/{breach.pk}/acknowledge/", {"note": "Called them"})
    assert response.status_code == 200, response.data
    assert response.data["acknowledged"]["by"] == Role.COORDINATOR.value
    assert response.data["acknowledged"]["note"] == "Called them"
    again = api_as(world.user(Role.MANAGER)).post(f"/api/v1/escalations/{breach.pk}/acknowledge/", {"note": "x"})
    assert again.status_code == 409 and again.data["code"] == "conflict"


def test_E2_api_acknowledge_refusals(api_as, world, items):
    breach = Escalation.objects.get(subject_id=1003)
    at_risk = Escalation.objects.get(subject_id=1002)
    own = Escalation.objects.get(subject_id=1004)
    assert api_as(world.user(Role.MANAGER)).post(f"/api/v1/escalations/{breach.pk}/acknowledge/", {}).data == {
        "note": ["This field is required."]
    }
    refused = api_as(world.user(Role.MANAGER)).post(f"/api/v1/escalations/{at_risk.pk}/acknowledge/", {"note": "x"})
    assert refused.status_code == 400
    assert refused.data == {"note": ["Only a breach can be acknowledged; this item is at risk."]}
    trainer = api_as(world.user(Role.TRAINER))
    # Not allocated to this partner's onboarding: outside the trainer's scope altogether.
    assert trainer.post(f"/api/v1/escalations/{breach.pk}/acknowledge/", {"note": "x"}).status_code == 404
    allocate_trainer(world, breach.partner)
    assert trainer.post(f"/api/v1/escalations/{breach.pk}/acknowledge/", {"note": "x"}).status_code == 403
    partner = api_as(world.user(Role.PARTNER_USER))
    assert partner.post(f"/api/v1/escalations/{own.pk}/acknowledge/", {"note": "x"}).status_code == 403
    assert partner.post(f"/api/v1/escalations/{breach.pk}/acknowledge/", {"note": "x"}).status_code == 404


def test_E2_api_query_count_does_not_grow_with_the_page(api_as, world, items):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_as(world.user(Role.MANAGER))
    client.get("/api/v1/escalations/")  # warm: the user's permissions
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/escalations/").data["count"] == 5
    for n in range(100, 140):
        make_escalation(world, due_in=timedelta(hours=n - 120), level=None if n > 120 else 1, n=n)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/escalations/").data["count"] == 45
    assert len(few) == len(many) == 3, [q["sql"][:60] for q in many.captured_queries]


def test_E2_trainers_see_only_the_escalations_of_partners_they_are_allocated_to(api_as, world, items):
    trainer = api_as(world.user(Role.TRAINER))
    assert trainer.get("/api/v1/escalations/").data["count"] == 0
    allocate_trainer(world, world.partner_a)
    listed = trainer.get("/api/v1/escalations/").data
    assert [row["subject"]["id"] for row in listed["results"]] == [1004]  # partner A's only
