import pytest
from django.utils import timezone

from accounts.choices import Role
from onboarding.choices import OrderStatus
from onboarding.models import OnboardingOrder

from .walk import order_in_state

pytestmark = pytest.mark.django_db


def test_O1_administrator_logs_a_signed_order_on_the_page(client, world):
    client.force_login(world.user(Role.PROVISIONING_ADMIN))
    page = client.get("/onboarding/new/")
    assert [p.partner_id for p in page.context["form"].fields["partner"].queryset] == ["BETA02"]  # ACME01 is live
    received = timezone.localtime().replace(second=0, microsecond=0)
    response = client.post(
        "/onboarding/new/",
        {"partner": world.partner_b.pk, "signed_order_received_at": received.strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )
    order = OnboardingOrder.objects.get()
    assert response.redirect_chain[-1][0] == f"/onboarding/{order.pk}/"
    assert order.signed_order_received_at == received
    assert "Signed order logged for BETA02; confirmation due" in response.content.decode()


def test_order_form_messages_sit_beside_the_fields(client, world):
    client.force_login(world.user(Role.PROVISIONING_ADMIN))
    response = client.post("/onboarding/new/", {"partner": "", "signed_order_received_at": "not a date"})
    body = response.content.decode()
    assert "This field is required." in body and "Enter a valid date/time." in body
    future = (timezone.localtime() + timezone.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/onboarding/new/", {"partner": world.partner_b.pk, "signed_order_received_at": future})
    assert "The signed order cannot arrive in the future." in response.content.decode()
    assert not OnboardingOrder.objects.exists()


def test_order_page_offers_only_what_this_user_may_run_now(client, world):
    order = order_in_state(world, OrderStatus.RECEIVED)
    client.force_login(world.user(Role.PROVISIONING_ADMIN))
    assert [t["name"] for t in client.get(f"/onboarding/{order.pk}/").context["transitions"]] == [
        "confirm",
        "hold",
        "cancel",
    ]
    client.force_login(world.user(Role.MANAGER))
    assert [t["name"] for t in client.get(f"/onboarding/{order.pk}/").context["transitions"]] == [
        "hold",
        "cancel",
    ]


def test_transition_form_errors_are_shown_on_the_order_page(client, world):
    order = order_in_state(world, OrderStatus.ACCOUNTS_CREATED)
    client.force_login(world.user(Role.COORDINATOR))
    response = client.post(
        f"/onboarding/{order.pk}/transitions/arrange_kickoff/",
        {"arrange_kickoff-expected_status": "accounts_created", "arrange_kickoff-kickoff_at": ""},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert body.count("This field is required.") == 2  # kickoff date/time and trainer (O4)
    assert 'class="collapse show mt-2" id="form-arrange_kickoff"' in body


def test_blocked_transition_says_what_it_waits_for(client, world):
    from .walk import new_order, run

    order = new_order(world)
    for name, role in [("confirm", Role.PROVISIONING_ADMIN), ("assign_coordinator", Role.MANAGER)]:
        order = run(world, order, name, role)
    client.force_login(world.user(Role.COORDINATOR))
    rows = {t["name"]: t for t in client.get(f"/onboarding/{order.pk}/").context["transitions"]}
    assert rows["complete_accounts"]["blocked"].startswith("Still to be created: BroadWorks")


def test_trainer_sees_only_allocated_orders(client, world):
    from tests.factories import PartnerContactFactory, PartnerFactory, UserFactory

    allocated = order_in_state(world, OrderStatus.KICKOFF_ARRANGED)
    other_partner = PartnerFactory(partner_id="GAMMA03")
    PartnerContactFactory(partner=other_partner)
    not_allocated = order_in_state(world, OrderStatus.RECEIVED, partner=other_partner)
    client.force_login(world.user(Role.TRAINER))
    rows = client.get("/onboarding/").context["table"].page.object_list
    assert [r.record.pk for r in rows] == [allocated.pk]
    assert client.get(f"/onboarding/{not_allocated.pk}/").status_code == 404
    client.force_login(UserFactory(username="trainer2", role=Role.TRAINER))
    assert client.get(f"/onboarding/{allocated.pk}/").status_code == 404


def test_partner_user_sees_stage_next_step_and_owner_without_buttons(client, world):
    order = order_in_state(world, OrderStatus.KICKOFF_ARRANGED)
    client.force_login(world.user("partner_b_user"))
    page = client.get("/my-partner/")
    stepper = {step["value"]: step["state"] for step in page.context["stepper"]}
    assert stepper["kickoff_arranged"] == "current" and stepper["confirmed"] == "done" and stepper["live"] == "todo"
    assert page.context["next_step"] == {"step": "Training on each platform", "owner": "trainer"}
    detail = client.get(f"/onboarding/{order.pk}/")
    assert detail.status_code == 200 and detail.context["transitions"] == []
    assert "/transitions/" not in detail.content.decode()


def test_the_next_step_is_worded_for_whoever_reads_it(client, world):
    """Partner users read "your accounts"; staff read what to do, about the partner (issue #16)."""
    order = order_in_state(world, OrderStatus.COORDINATOR_ASSIGNED)
    client.force_login(world.user("partner_b_user"))
    partner_page = client.get(f"/onboarding/{order.pk}/").content.decode()
    assert "Your partner accounts are created on BroadWorks, Akixi and Call Cabinet" in partner_page
    client.force_login(world.user(Role.COORDINATOR))
    staff_page = client.get(f"/onboarding/{order.pk}/").content.decode()
    assert "Your partner accounts" not in staff_page
    assert "Create the partner&#x27;s accounts on BroadWorks, Akixi and Call Cabinet" in staff_page


def test_order_list_searches_and_filters(client, world):
    order = order_in_state(world, OrderStatus.CONFIRMED)
    client.force_login(world.user(Role.MANAGER))
    assert [r.record.pk for r in client.get("/onboarding/", {"q": "beta"}).context["table"].page.object_list] == [
        order.pk
    ]
    assert list(client.get("/onboarding/", {"status": "live"}).context["table"].page.object_list) == []
    assert [
        r.record.pk for r in client.get("/onboarding/", {"status": "confirmed"}).context["table"].page.object_list
    ] == [order.pk]


def test_order_list_query_count_does_not_grow(client, world, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import PartnerContactFactory, PartnerFactory

    order_in_state(world, OrderStatus.TRAINING)
    client.force_login(world.user(Role.MANAGER))
    client.get("/onboarding/")
    with CaptureQueriesContext(connection) as few:
        client.get("/onboarding/")
    for n in range(4):
        partner = PartnerFactory(partner_id=f"MORE{n}")
        PartnerContactFactory(partner=partner)
        order_in_state(world, OrderStatus.KICKOFF_ARRANGED, partner=partner)
    with CaptureQueriesContext(connection) as many:
        client.get("/onboarding/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_administrators_home_lists_orders_waiting_for_confirmation_with_their_O1_deadline(client, world):
    from datetime import timedelta

    from .walk import new_order

    order = new_order(world, received_at=timezone.now() - timedelta(hours=49))
    client.force_login(world.user(Role.PROVISIONING_ADMIN))
    lists = {work.key: work for work in client.get("/").context["lists"]}
    to_confirm = lists["orders-to-confirm"]
    assert (to_confirm.count, to_confirm.link) == (1, "/onboarding/?waiting_for=admin")
    assert [(row.url, row.due_at) for row in to_confirm.rows] == [(order.get_absolute_url(), order.confirmation_due_at)]
