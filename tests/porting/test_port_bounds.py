"""Bounds on what a port request takes (#17): its text, its dates, how many numbers it names."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from porting.choices import PortStatus
from porting.models import PortRequest

from .walk import complete_data, port_in_state

pytestmark = pytest.mark.django_db

LIST = "/api/v1/port-requests/"
MEGABYTE_ADDRESS = "1 High Street, London EC1A 1BB " + "x" * 2**20


def test_a_megabyte_address_is_refused_by_the_api_with_the_limit(api_as, world):
    client = api_as(world.user(Role.PARTNER_USER))
    response = client.post(LIST, complete_data(registered_address=MEGABYTE_ADDRESS), format="json")
    assert response.status_code == 400
    assert response.json() == {"registered_address": ["Ensure this field has no more than 500 characters."]}
    assert not PortRequest.objects.exists()

    draft = port_in_state(world, PortStatus.DRAFT)
    patched = client.patch(f"{LIST}{draft.pk}/", {"registered_address": MEGABYTE_ADDRESS}, format="json")
    assert patched.status_code == 400 and "500 characters" in patched.json()["registered_address"][0]
    assert PortRequest.objects.get(pk=draft.pk).registered_address == "1 High Street, London EC1A 1BB"


def test_a_megabyte_address_is_refused_by_the_form_beside_the_field(client, world):
    client.force_login(world.user(Role.PARTNER_USER))
    response = client.post(
        reverse("porting:create"),
        {"country": "GB", "numbers": "0113 496 0700", "registered_address": MEGABYTE_ADDRESS},
    )
    assert response.status_code == 200
    assert "Ensure this value has at most 500 characters" in response.content.decode()
    assert not PortRequest.objects.exists()


def test_cancel_by_losing_provider_in_1900_is_refused_by_the_api_naming_the_field(api_as, world):
    accepted = port_in_state(world, PortStatus.ACCEPTED)
    client = api_as(world.user(Role.COORDINATOR))
    response = client.post(
        f"{LIST}{accepted.pk}/transitions/cancel_by_losing_provider/",
        {"reason": "Customer disputed", "at": "1900-01-01"},
        format="json",
    )
    assert response.status_code == 400
    # A date alone is not a time: DRF says so first; a time in 1900 gets the range.
    assert list(response.json()) == ["at"]
    response = client.post(
        f"{LIST}{accepted.pk}/transitions/cancel_by_losing_provider/",
        {"reason": "Customer disputed", "at": "1900-01-01T00:00:00Z"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"at": ["Enter a date from 1 January 2000 on."]}
    assert PortRequest.objects.get(pk=accepted.pk).status == PortStatus.ACCEPTED


def test_cancel_by_losing_provider_in_1900_is_refused_on_the_page(client, world):
    accepted = port_in_state(world, PortStatus.ACCEPTED)
    client.force_login(world.user(Role.COORDINATOR))
    response = client.post(
        reverse("porting:transition", args=[accepted.pk, "cancel_by_losing_provider"]),
        {"cancel_by_losing_provider-reason": "Customer disputed", "cancel_by_losing_provider-at": "1900-01-01T00:00"},
    )
    assert response.status_code == 400
    assert "Enter a date from 1 January 2000 on." in response.content.decode()
    assert PortRequest.objects.get(pk=accepted.pk).status == PortStatus.ACCEPTED


def test_accept_and_complete_dates_far_ahead_are_refused(api_as, world):
    submitted = port_in_state(world, PortStatus.SUBMITTED)
    client = api_as(world.user(Role.COORDINATOR))
    far = (timezone.localdate() + timedelta(days=6 * 366)).isoformat()
    response = client.post(f"{LIST}{submitted.pk}/transitions/accept/", {"accepted_on": far}, format="json")
    assert response.status_code == 400 and "five years from today" in response.json()["accepted_on"][0]
    year_one = client.post(f"{LIST}{submitted.pk}/transitions/accept/", {"accepted_on": "0001-01-01"}, format="json")
    assert year_one.status_code == 400 and "1 January 2000" in year_one.json()["accepted_on"][0]


def test_ten_thousand_numbers_make_one_port_request_and_one_more_is_refused_naming_the_cap(api_as, world):
    client = api_as(world.user(Role.PARTNER_USER))
    block = {"first": "+441134960000", "last": "+441134969999"}
    response = client.post(LIST, complete_data(main_billing_number="+441134960000", numbers=[block]), format="json")
    assert response.status_code == 201, response.content[:500]
    assert len(response.json()["numbers"]) == 10_000

    over = client.post(LIST, complete_data(numbers=[block, "+441134950000"]), format="json")
    assert over.status_code == 400
    assert "one request may name at most 10,000 numbers" in over.json()["numbers"][0]
    listed = client.post(LIST, complete_data(numbers=["+441134960000"] * 10_001), format="json")
    assert listed.status_code == 400
    assert "That is 10,001 items; one request may name at most 10,000 numbers" in listed.json()["numbers"][0]


def test_the_form_refuses_more_numbers_than_the_cap_naming_it(client, world, settings):
    settings.NUMBERS_PER_REQUEST_MAX = 3
    client.force_login(world.user(Role.PARTNER_USER))
    response = client.post(reverse("porting:create"), {"country": "GB", "numbers": "0113 496 0700 - 0113 496 0703"})
    assert response.status_code == 200
    assert "one request may name at most 3 numbers" in response.content.decode()
    assert not PortRequest.objects.exists()


def test_the_service_refuses_a_date_out_of_range_whoever_calls_it(world):
    from django.core.exceptions import ValidationError

    from .walk import run

    accepted = port_in_state(world, PortStatus.ACCEPTED)
    with pytest.raises(ValidationError) as refused:
        run(world, accepted, "cancel_by_losing_provider", at="1900-01-01T00:00:00+00:00")
    assert refused.value.message_dict == {"at": ["Enter a date from 1 January 2000 on."]}
    with pytest.raises(ValidationError) as refused:
        run(world, accepted, "complete", completed_on="1999-12-31")
    assert refused.value.message_dict == {"completed_on": ["Enter a date from 1 January 2000 on."]}
