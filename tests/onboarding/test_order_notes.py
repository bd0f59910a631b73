"""Notes on onboarding transitions are internal to EXPO.e staff unless their author marks them for
the partner: a partner user never reads an internal note, on the order page or in the API."""

import pytest
from django.urls import reverse

from accounts.choices import Role
from onboarding.choices import OrderStatus
from onboarding.models import OnboardingOrder

from .walk import order_in_state, record_all_accounts, run

pytestmark = pytest.mark.django_db

INTERNAL = "Colin takes this one."
SHARED = "Your kickoff call is on Teams."
TRAINING_INTERNAL = "Slow to pick up the Akixi reports."


@pytest.fixture
def order(world):
    order = order_in_state(world, OrderStatus.CONFIRMED)
    run(world, order, "assign_coordinator", Role.MANAGER, note=INTERNAL)
    record_all_accounts(world, order)
    run(world, order, "complete_accounts", Role.COORDINATOR)
    run(world, order, "arrange_kickoff", Role.COORDINATOR, note=SHARED, note_for_partner=True)
    run(world, order, "record_training", Role.TRAINER, platform="akixi", note=TRAINING_INTERNAL)
    return OnboardingOrder.objects.get(pk=order.pk)


def test_partner_user_never_reads_an_internal_note_on_the_order_page(client, world, order):
    client.force_login(world.user("partner_b_user"))
    page = client.get(reverse("onboarding:order_detail", args=[order.pk])).content.decode()
    assert SHARED in page
    assert INTERNAL not in page and TRAINING_INTERNAL not in page
    assert 'name="note_for_partner"' not in page


def test_staff_read_every_note_and_see_which_the_partner_reads(client, world, order):
    client.force_login(world.user(Role.COORDINATOR))
    page = client.get(reverse("onboarding:order_detail", args=[order.pk])).content.decode()
    assert INTERNAL in page and SHARED in page and TRAINING_INTERNAL in page
    assert "Shown to the partner" in page and "Internal" in page


def test_partner_user_never_reads_an_internal_note_in_the_api(api_as, world, order):
    body = api_as(world.user("partner_b_user")).get(f"/api/v1/onboarding-orders/{order.pk}/").json()
    notes = {entry["transition"]: entry["note"] for entry in body["history"]}
    assert notes["assign_coordinator"] is None
    assert notes["arrange_kickoff"] == SHARED
    assert notes["record_training"] == "Akixi call reporting"  # the platform trained on, not the trainer's note
    assert INTERNAL not in str(body) and TRAINING_INTERNAL not in str(body)
    assert body["training"][0]["notes"] == ""

    staff = api_as(world.user(Role.COORDINATOR)).get(f"/api/v1/onboarding-orders/{order.pk}/").json()
    by_transition = {entry["transition"]: entry for entry in staff["history"]}
    assert by_transition["assign_coordinator"]["note"] == INTERNAL
    assert by_transition["assign_coordinator"]["note_for_partner"] is False
    assert by_transition["arrange_kickoff"]["note_for_partner"] is True
    assert staff["training"][0]["notes"] == TRAINING_INTERNAL


def test_a_note_is_marked_for_the_partner_through_the_api(api_as, world):
    order = order_in_state(world, OrderStatus.CONFIRMED)
    response = api_as(world.user(Role.MANAGER)).post(
        f"/api/v1/onboarding-orders/{order.pk}/transitions/assign_coordinator/",
        {"coordinator": "coordinator", "note": "Colin is your co-ordinator.", "note_for_partner": True},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = api_as(world.user("partner_b_user")).get(f"/api/v1/onboarding-orders/{order.pk}/").json()
    assert body["history"][-1]["note"] == "Colin is your co-ordinator."


def test_the_transition_form_marks_a_note_for_the_partner(client, world):
    order = order_in_state(world, OrderStatus.CONFIRMED)
    client.force_login(world.user(Role.MANAGER))
    response = client.post(
        reverse("onboarding:order_transition", args=[order.pk, "assign_coordinator"]),
        {
            "assign_coordinator-coordinator": "coordinator",
            "assign_coordinator-note": "Colin is your co-ordinator.",
            "assign_coordinator-note_for_partner": "on",
            "assign_coordinator-expected_status": "confirmed",
        },
    )
    assert response.status_code == 302
    client.force_login(world.user("partner_b_user"))
    page = client.get(reverse("onboarding:order_detail", args=[order.pk])).content.decode()
    assert "Colin is your co-ordinator." in page
