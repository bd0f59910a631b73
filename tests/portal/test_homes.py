"""#16: each role's home is a work list. Each count links to the list page that shows exactly its rows
(the same FilterSet), each row carries its deadline, partner users see only their own partner's
items, and a home's query count does not grow with its rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.choices import Role
from escalations.models import Escalation
from escalations.services import escalation_evaluate
from onboarding.choices import OrderStatus
from porting.choices import PortStatus
from tests.factories import PartnerContactFactory, PartnerFactory
from tests.onboarding.walk import new_order, order_in_state
from tests.porting.walk import port_in_state

pytestmark = pytest.mark.django_db


def home(client, user):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return {work.key: work for work in response.context["lists"]}, response


def shown_on(client, link) -> list[str]:
    """The item URLs the list page at `link` shows (every page's objects, by their own URL)."""
    response = client.get(link)
    assert response.status_code == 200
    if "page" in response.context and hasattr(response.context["page"], "paginator"):  # the escalation list
        return sorted(e.subject_url for e in response.context["page"].paginator.object_list)
    return sorted(obj.get_absolute_url() for obj in response.context["filter"].qs)


def assert_counts_link_to_exactly_their_rows(client, lists):
    for work in lists.values():
        assert len(work.rows) == work.count, f"{work.key}: every row is shown here"
        assert shown_on(client, work.link) == sorted(row.url for row in work.rows), work.key


def more_partner(n):
    partner = PartnerFactory(partner_id=f"MORE{n:02d}", name=f"More {n}")
    PartnerContactFactory(partner=partner)
    return partner


# --- The filters the counts link with ----------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "waiting_for"),
    [
        (OrderStatus.RECEIVED, "admin"),
        (OrderStatus.CONFIRMED, "assignment"),
        (OrderStatus.COORDINATOR_ASSIGNED, "coordinator"),
        (OrderStatus.ACCOUNTS_CREATED, "coordinator"),
        (OrderStatus.KICKOFF_ARRANGED, "trainer"),
        (OrderStatus.TRAINING, "trainer"),  # one session of three given: the trainer's move
        (OrderStatus.ON_HOLD, "coordinator"),
    ],
)
def test_the_order_list_filters_by_whose_step_an_order_waits_for(client, world, status, waiting_for):
    order = order_in_state(world, status)
    client.force_login(world.user(Role.MANAGER))
    for who in ("admin", "assignment", "coordinator", "trainer"):
        shown = list(client.get(f"/onboarding/?waiting_for={who}").context["filter"].qs)
        assert shown == ([order] if who == waiting_for else []), who
    assert client.get("/onboarding/?waiting_for=nobody").context["filter"].errors


def test_an_order_whose_training_is_finished_waits_for_its_coordinator_to_go_live(client, world):
    from tests.onboarding.walk import record_remaining_training

    order = record_remaining_training(world, order_in_state(world, OrderStatus.TRAINING))
    client.force_login(world.user(Role.MANAGER))
    assert list(client.get("/onboarding/?waiting_for=coordinator").context["filter"].qs) == [order]
    assert list(client.get("/onboarding/?waiting_for=trainer").context["filter"].qs) == []


def test_the_order_list_filters_open_orders(client, world):
    live = order_in_state(world, OrderStatus.LIVE, partner=more_partner(1))
    received = new_order(world)
    client.force_login(world.user(Role.MANAGER))
    assert list(client.get("/onboarding/?open=true").context["filter"].qs) == [received]
    assert list(client.get("/onboarding/?open=false").context["filter"].qs) == [live]


def test_the_escalation_list_filters_level_0_as_the_dashboard_counts_it_and_owner_none(client, world):
    from tests.escalations.conftest import make_escalation

    coordinator = world.user(Role.COORDINATOR)
    not_yet = make_escalation(world, due_in=-timedelta(hours=1), level=None, n=1)  # breached, not climbed yet
    level_0 = make_escalation(world, due_in=-timedelta(hours=2), level=0, n=2, owner=coordinator)
    make_escalation(world, due_in=-timedelta(hours=30), level=2, n=3)
    client.force_login(world.user(Role.MANAGER))

    def shown(query):
        return sorted(e.pk for e in client.get(f"/escalations/items/?{query}").context["page"].paginator.object_list)

    assert shown("state=breached&level=0") == sorted([not_yet.pk, level_0.pk])
    assert shown("owner=none&state=breached&level=0") == [not_yet.pk]
    assert shown("owner=coordinator") == [level_0.pk]


def test_the_group_list_filters_builds_not_finished(client, world):
    from customers.models import ServiceBuild
    from customers.services import customer_group_create
    from tests.customers.build_request_data import stock_pool, valid_request

    stock_pool(world)
    group, _secrets = customer_group_create(
        by=world.user(Role.COORDINATOR), partner=world.partner_a, data=valid_request()
    )
    ServiceBuild.objects.create(group=group, status="running")
    client.force_login(world.user(Role.COORDINATOR))
    assert list(client.get("/customers/?build=open").context["filter"].qs) == [group]
    ServiceBuild.objects.filter(group=group).update(status="succeeded")
    assert list(client.get("/customers/?build=open").context["filter"].qs) == []


# --- The homes ---------------------------------------------------------------------------------


@pytest.fixture
def work(world):
    """Something on every list: orders at each step, late and at-risk confirmations, ports in
    every state, and the evaluator's escalations for them."""
    late = new_order(world, partner=more_partner(1), received_at=timezone.now() - timedelta(hours=60))
    order_in_state(world, OrderStatus.CONFIRMED, partner=more_partner(2))
    mine = order_in_state(world, OrderStatus.ACCOUNTS_CREATED, partner=more_partner(3))
    training = order_in_state(world, OrderStatus.KICKOFF_ARRANGED)  # partner B
    ports = {state: port_in_state(world, state) for state in (PortStatus.SUBMITTED, PortStatus.REJECTED)}
    ports[PortStatus.DRAFT] = port_in_state(world, PortStatus.DRAFT)
    escalation_evaluate()
    return {"late": late, "mine": mine, "training": training, **ports}


def test_the_coordinators_home_lists_their_next_actions_with_deadlines(client, world, work):
    lists, _ = home(client, world.user(Role.COORDINATOR))
    assert list(lists) == [
        "orders-mine",
        "builds-failed",
        "builds-waiting",
        "ports-submitted",
        "ports-due-soon",
        "escalations-mine",
    ]
    assert [row.url for row in lists["orders-mine"].rows] == [work["mine"].get_absolute_url()]
    assert lists["orders-mine"].link == "/onboarding/?coordinator=coordinator&waiting_for=coordinator"
    stage = Escalation.objects.get(subject_type="onboarding_order", subject_id=work["mine"].pk, closed_at__isnull=True)
    assert lists["orders-mine"].rows[0].due_at == stage.due_at, "the deadline of the stage it waits in"
    submitted = lists["ports-submitted"].rows[0]
    assert submitted.url == work[PortStatus.SUBMITTED].get_absolute_url() and submitted.due_at is not None
    assert_counts_link_to_exactly_their_rows(client, lists)


def test_the_administrators_home_lists_every_coordinators_work_and_the_confirmations(client, world, work):
    lists, _ = home(client, world.user(Role.PROVISIONING_ADMIN))
    assert [row.url for row in lists["orders-to-confirm"].rows] == [work["late"].get_absolute_url()]
    assert lists["orders-to-confirm"].rows[0].state == "breached"
    assert lists["orders-coordinators"].count == 1 and lists["orders-unassigned"].count == 1
    assert_counts_link_to_exactly_their_rows(client, lists)


def test_the_managers_home_names_breached_and_at_risk_items_and_each_coordinators_load(client, world, work):
    lists, response = home(client, world.user(Role.MANAGER))
    assert [row.label for row in lists["escalations-breached"].rows] == ["Onboarding of MORE01 (More 1)"]
    assert lists["orders-unassigned"].count == 1
    (load,) = response.context["load"]
    assert (load["name"], load["orders"]) == (world.user(Role.COORDINATOR).display_name, 2)
    assert len(shown_on(client, load["orders_link"])) == 2
    assert len(shown_on(client, load["items_link"])) == load["open"] > 0
    assert_counts_link_to_exactly_their_rows(client, lists)


def test_the_trainers_home_lists_their_sessions_only(client, world, work):
    lists, response = home(client, world.user(Role.TRAINER))
    assert list(lists) == ["orders-training"]
    (row,) = lists["orders-training"].rows
    assert row.url == work["training"].get_absolute_url() and "kickoff" in row.detail and row.due_at
    html = response.content.decode()
    assert "failed" not in html.lower() and "Ports" not in html.split("<main")[-1]
    assert_counts_link_to_exactly_their_rows(client, lists)


def test_a_partner_users_home_shows_their_next_step_and_ports_that_need_them_only(client, world, work):
    lists, response = home(client, world.user(Role.PARTNER_USER))  # partner A's
    assert [row.url for row in lists["ports-rejected"].rows] == [work[PortStatus.REJECTED].get_absolute_url()]
    assert [row.url for row in lists["ports-draft"].rows] == [work[PortStatus.DRAFT].get_absolute_url()]
    assert response.context["partner"] == world.partner_a
    assert_counts_link_to_exactly_their_rows(client, lists)
    lists, response = home(client, world.users["partner_b_user"])
    assert lists["ports-rejected"].count == lists["ports-draft"].count == 0, "partner A's ports are not theirs"
    assert response.context["next_step"] == {"step": "Training on each platform", "owner": "trainer"}
    assert "ACME01" not in response.content.decode()
    assert_counts_link_to_exactly_their_rows(client, lists)


def test_a_zero_is_not_an_alarm(client, world):
    _, response = home(client, world.user(Role.COORDINATOR))
    html = response.content.decode()
    assert "text-bg-danger" not in html and "No build has failed." in html


# --- Queries -----------------------------------------------------------------------------------

USERS = [Role.PROVISIONING_ADMIN, Role.COORDINATOR, Role.MANAGER, Role.TRAINER, Role.PARTNER_USER]
# Session and user, then each list's rows (a count only where more rows exist than are shown), the
# rows' deadlines in one query, and what the page itself reads (permissions, navigation).
QUERIES = {
    Role.PROVISIONING_ADMIN: 18,
    Role.COORDINATOR: 18,
    Role.MANAGER: 14,
    Role.TRAINER: 11,
    Role.PARTNER_USER: 17,
}


def queries(client, user) -> int:
    client.force_login(user)
    client.get("/")  # warm: permissions
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured)


def test_the_homes_cost_a_fixed_number_of_queries_whatever_their_rows(client, world, work):
    counts = {role: queries(client, world.user(role)) for role in USERS}
    assert counts == QUERIES
    for n in range(4, 16):  # more than a list shows
        new_order(world, partner=more_partner(n), received_at=timezone.now() - timedelta(hours=60))
        port_in_state(world, PortStatus.REJECTED)
        port_in_state(world, PortStatus.SUBMITTED)
    escalation_evaluate()
    more = {role: queries(client, world.user(role)) for role in USERS}
    lists, _ = home(client, world.user(Role.PROVISIONING_ADMIN))
    assert lists["orders-to-confirm"].count == 13 and len(lists["orders-to-confirm"].rows) == 10
    # A list with more rows than it shows adds its count query, and no more.
    assert more == {role: counts[role] + extra for role, extra in MORE_COUNTS.items()}


MORE_COUNTS = {
    Role.PROVISIONING_ADMIN: 2,  # orders to confirm, ports submitted
    Role.COORDINATOR: 1,  # ports submitted
    Role.MANAGER: 1,  # breached
    Role.TRAINER: 0,
    Role.PARTNER_USER: 1,  # ports rejected
}


def test_a_breached_item_due_on_a_day_says_how_long_it_is_overdue():
    """A port date is a day: once breached, the row counts from that day's end (it read "overdue by"
    with nothing after it)."""
    from datetime import date
    from types import SimpleNamespace

    from django.template.loader import render_to_string
    from django.utils import timezone

    from expoe_portal.homes import WorkRow

    row = WorkRow(label="Port 4", url="/ports/4/", due_on=date(2026, 11, 1), state="breached")
    work = SimpleNamespace(key="ports", title="Ports", link="/ports/", count=1, rows=[row], more=0)
    html = render_to_string("homes/_work_list.html", {"work": work, "now": timezone.now()})
    timer = html.split('data-testid="timer">')[1].split("</span>")[0]
    assert timer.startswith("overdue by ") and len(timer) > len("overdue by ") + 3, timer
