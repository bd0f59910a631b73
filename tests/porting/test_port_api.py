"""/api/v1/port-requests/ as API.md names it, through the API (P1-P7)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import Role
from porting.choices import PortStatus
from porting.models import PortRequest

from .walk import complete_data, port_in_state

pytestmark = pytest.mark.django_db

LIST = "/api/v1/port-requests/"


def url(port_request, suffix=""):
    return f"{LIST}{port_request.pk}/{suffix}"


def test_P1_partner_user_drafts_and_submits_through_the_api(api_as, world):
    client = api_as(world.user(Role.PARTNER_USER))
    data = complete_data(risks_acknowledged=False)
    response = client.post(LIST, data, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["partner"] == "ACME01" and body["status"] == "draft"
    assert body["numbers"][1:] == [f"+44113496{int(data['numbers'][1]['first'][-4:]) + i:04d}" for i in range(3)]
    assert body["risks_acknowledged"] is False
    assert "risks_acknowledged" in body["missing_for_submission"]

    refused = client.post(url(PortRequest.objects.get(pk=body["id"]), "transitions/submit/"), {}, format="json")
    assert refused.status_code == 400
    assert "risks_acknowledged" in refused.json() and "missing" in refused.json()["non_field_errors"][0]

    patched = client.patch(f"{LIST}{body['id']}/", {"risks_acknowledged": True}, format="json")
    assert patched.status_code == 200 and patched.json()["risks_acknowledged_by"] == "acme_user"
    assert set(patched.json()["missing_for_submission"]) == {"letter_of_authority"}  # GB (P3, P6)
    signing = {"name": "Alex Example", "position": "Director", "consent": True}
    signed = client.post(f"{LIST}{body['id']}/loa/sign/", signing, format="json")
    assert signed.status_code == 201, signed.content
    submitted = client.post(f"{LIST}{body['id']}/transitions/submit/", {"note": "Customer signed LoA"}, format="json")
    assert submitted.status_code == 200, submitted.content
    body = submitted.json()
    assert body["status"] == "submitted" and body["submitted_at"].endswith("Z")
    assert body["history"][-1]["transition"] == "submit" and body["history"][-1]["note"] == "Customer signed LoA"


def test_P3_bad_input_names_the_field(api_as, world):
    client = api_as(world.user(Role.PARTNER_USER))
    response = client.post(LIST, complete_data(numbers=["not a number"], country="XX"), format="json")
    assert response.status_code == 400
    assert "country" in response.json()


def test_P4_accept_returns_the_port_date_and_its_rule(api_as, world):
    submitted = port_in_state(world, PortStatus.SUBMITTED)
    client = api_as(world.user(Role.COORDINATOR))
    names = [t["name"] for t in client.get(url(submitted, "transitions/")).json()]
    assert names == ["accept", "reject", "cancel"]
    response = client.post(
        url(submitted, "transitions/accept/"), {"accepted_on": timezone.localdate().isoformat()}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "accepted" and body["lead_time_working_days"] == 22
    assert body["port_date"] and "22 working days" in body["lead_time_rule"]
    assert body["cancellation_deadline"].endswith("Z")


def test_P5_reject_and_resubmit_through_the_api(api_as, world):
    submitted = port_in_state(world, PortStatus.SUBMITTED)
    team = api_as(world.user(Role.COORDINATOR))
    bad = team.post(url(submitted, "transitions/reject/"), {"code": "nope"}, format="json")
    assert bad.status_code == 400 and "code" in bad.json()
    response = team.post(
        url(submitted, "transitions/reject/"), {"code": "wrong_signatory", "reason": "Not a director"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["rejections"][0]["code"] == "wrong_signatory"
    assert response.json()["rejections"][0]["reason"] == "Not a director"
    partner = api_as(world.user(Role.PARTNER_USER))
    assert partner.patch(url(submitted), {"range_holder": "Openreach"}, format="json").status_code == 200
    again = partner.post(url(submitted, "transitions/resubmit/"), {}, format="json")
    assert again.status_code == 200 and again.json()["status"] == "submitted"


def test_P7_late_cancellation_by_losing_provider_is_400_with_the_reason(api_as, world):
    accepted = port_in_state(world, PortStatus.ACCEPTED)
    PortRequest.objects.filter(pk=accepted.pk).update(port_date=timezone.localdate())
    client = api_as(world.user(Role.COORDINATOR))
    response = client.post(url(accepted, "transitions/cancel_by_losing_provider/"), {"reason": "x"}, format="json")
    assert response.status_code == 400
    assert "48 hours before 00:00" in response.json()["at"][0]
    future = client.post(
        url(accepted, "transitions/cancel_by_losing_provider/"),
        {"reason": "x", "at": (timezone.now() + timedelta(days=30)).isoformat()},
        format="json",
    )
    assert future.status_code == 400 and "future" in future.json()["at"][0]


def test_wrong_state_is_400_transition_not_allowed_and_wrong_role_403(api_as, world):
    draft = port_in_state(world, PortStatus.DRAFT)
    response = api_as(world.user(Role.COORDINATOR)).post(url(draft, "transitions/accept/"), {}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "transition_not_allowed"
    response = api_as(world.user(Role.PARTNER_USER)).post(url(draft, "transitions/cancel/"), {}, format="json")
    assert response.status_code == 403
    assert api_as(world.user(Role.COORDINATOR)).post(url(draft, "transitions/fly/"), {}).status_code == 404


def test_stale_expected_status_is_409(api_as, world):
    submitted = port_in_state(world, PortStatus.SUBMITTED)
    response = api_as(world.user(Role.COORDINATOR)).post(
        url(submitted, "transitions/accept/"), {"expected_status": "draft"}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    assert PortRequest.objects.get(pk=submitted.pk).status == PortStatus.SUBMITTED


def test_partner_b_never_sees_partner_as_requests(api_as, world):
    mine = port_in_state(world, PortStatus.SUBMITTED)
    other = api_as(world.user("partner_b_user"))
    assert other.get(LIST).json()["count"] == 0
    assert other.get(url(mine)).status_code == 404
    assert other.get(url(mine, "transitions/")).status_code == 404
    assert other.post(url(mine, "transitions/cancel/"), {"reason": "x"}).status_code == 404
    assert other.patch(url(mine), {"range_holder": "x"}, format="json").status_code == 404
    created = other.post(LIST, {**complete_data(), "partner": "ACME01"}, format="json")
    assert created.status_code == 400 and "does not exist" in str(created.json()["partner"])


def test_filters_are_query_parameters(api_as, world):
    port_in_state(world, PortStatus.SUBMITTED, losing_provider="Virgin Media")
    accepted = port_in_state(world, PortStatus.ACCEPTED)
    client = api_as(world.user(Role.COORDINATOR))
    assert [r["id"] for r in client.get(LIST, {"status": "accepted"}).json()["results"]] == [accepted.pk]
    assert client.get(LIST, {"losing_provider": "virgin media"}).json()["count"] == 1
    assert client.get(LIST, {"country": "GB"}).json()["count"] == 2
    assert client.get(LIST, {"q": accepted.numbers[2][3:]}).json()["count"] == 1
    assert client.get(LIST, {"due_soon": "true"}).json()["count"] == 0  # 22 working days away
    PortRequest.objects.filter(pk=accepted.pk).update(port_date=timezone.localdate() + timezone.timedelta(days=1))
    assert [r["id"] for r in client.get(LIST, {"in_window": "true"}).json()["results"]] == [accepted.pk]


def test_country_filter_still_works_after_the_schema_is_generated(api_as, world):
    """The schema generator builds the filters' form fields once; the country list must not stick."""
    client = api_as(world.user(Role.COORDINATOR))
    assert client.get("/api/v1/schema/").status_code == 200
    port_in_state(world, PortStatus.DRAFT)
    assert client.get(LIST, {"country": "GB"}).json()["count"] == 1
