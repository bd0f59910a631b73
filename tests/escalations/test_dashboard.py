"""E2: the managers' escalation dashboard, its CSV export, the acknowledge page, the SLA policy
pages and the co-ordinator's own items on the home page."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from escalations.models import Escalation, SlaPolicy
from escalations.selectors import _bump_version
from escalations.services import escalation_evaluate

from .conftest import allocate_trainer, make_escalation

pytestmark = pytest.mark.django_db


def test_E2_dashboard_counts_by_policy_and_level(client, world, items):
    client.force_login(world.user(Role.MANAGER))
    response = client.get(reverse("escalations:dashboard"))
    assert response.status_code == 200
    totals = response.context["totals"]
    assert (totals["at_risk"], totals["breached"], totals["levels"]) == (1, 3, [1, 1, 0, 1])
    rows = {row["policy"].key: row for row in response.context["by_policy"]}
    assert rows["O1-order-confirmation"] | {"policy": None} == {
        "policy": None,
        "on_track": 1,
        "at_risk": 1,
        "breached": 2,
        "levels": [1, 0, 0, 1],
    }
    assert rows["build-failed-or-stuck"]["levels"] == [0, 1, 0, 0]


def test_E2_dashboard_lists_the_oldest_breach_first_linking_to_its_item(client, world, items):
    client.force_login(world.user(Role.MANAGER))
    response = client.get(reverse("escalations:dashboard"))
    breaches = response.context["breaches"]
    assert [e.subject_label for e in breaches] == [
        "Onboarding of ITEM004",
        "Onboarding of ITEM005",
        "Onboarding of ITEM003",
    ]
    html = response.content.decode()
    assert html.index("ITEM004") < html.index("ITEM003")
    assert 'href="/onboarding/1004/"' in html
    assert "Dan Baines-Holmes" in html, "the oldest breach names the level 3 contact"


def test_E2_dashboard_shows_each_coordinators_open_items_and_breaches(client, world, items):
    client.force_login(world.user(Role.MANAGER))
    rows = client.get(reverse("escalations:dashboard")).context["coordinators"]
    by_name = {row["name"]: (row["open"], row["at_risk"], row["breached"]) for row in rows}
    assert by_name[world.user(Role.COORDINATOR).display_name] == (2, 1, 1)
    assert by_name["Not assigned"] == (3, 0, 2)


def test_E2_dashboard_draws_12_weeks_of_breaches_as_svg(client, world, items):
    Escalation.objects.filter(subject_id=1004).update(breached_at=timezone.now() - timedelta(weeks=3))
    Escalation.objects.filter(subject_id=1005).update(breached_at=timezone.now() - timedelta(weeks=20))  # too old
    client.force_login(world.user(Role.MANAGER))
    response = client.get(reverse("escalations:dashboard"))
    trend = response.context["trend"]
    assert len(trend) == 12
    assert sum(week["count"] for week in trend) == 2
    assert trend[-1]["count"] == 1 and trend[-4]["count"] == 1
    svg = re.search(r"<svg.*?</svg>", response.content.decode(), re.S).group(0)
    assert svg.count("<rect") == 12
    assert "<script" not in svg and "style=" not in svg


def dashboard_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("escalations:dashboard")).status_code == 200
    return len(queries)


def test_E2_dashboard_query_count_does_not_grow_with_the_items(client, world, items):
    client.force_login(world.user(Role.MANAGER))
    client.get(reverse("escalations:dashboard"))  # warm: sessions, permissions
    _bump_version()  # as after a change: the figures are counted again
    few = dashboard_queries(client)
    few_cached = dashboard_queries(client)
    coordinator = world.user(Role.COORDINATOR)
    for n in range(10, 70):
        make_escalation(
            world,
            policy_key=["O1-order-confirmation", "stage-confirmed", "build-failed-or-stuck"][n % 3],
            due_in=timedelta(hours=n % 7 - 4),
            level=(n % 4) if n % 7 < 4 else None,
            owner=coordinator if n % 2 else None,
            n=n,
        )
    _bump_version()
    many = dashboard_queries(client)
    many_cached = dashboard_queries(client)
    assert few == many == 12, "the policies and every figure in two queries, the oldest breaches and at risk in two"
    assert few_cached == many_cached == few - 4, "cached: the figures, the oldest breaches and those at risk with them"


def test_E2_dashboard_figures_follow_a_change_at_once(client, world, django_capture_on_commit_callbacks):
    from onboarding.services import onboarding_order_create

    def figures():
        totals = client.get(reverse("escalations:dashboard")).context["totals"]
        return totals["breached"], totals["levels"]

    client.force_login(world.user(Role.MANAGER))
    assert figures() == (0, [0, 0, 0, 0])  # and now cached
    with django_capture_on_commit_callbacks(execute=True):
        onboarding_order_create(
            by=world.user(Role.PROVISIONING_ADMIN),
            partner=world.partner_b,
            signed_order_received_at=timezone.now() - timedelta(hours=50),
        )
        escalation_evaluate()
    assert figures() == (1, [1, 0, 0, 0]), "the evaluator's new breach counts at once"
    with django_capture_on_commit_callbacks(execute=True):
        escalation_evaluate(now=timezone.now() + timedelta(days=1))  # 26 hours late: level 2 (O1 climbs every 12)
    assert figures() == (1, [0, 0, 1, 0]), "and so does its climb"


def test_E2_dashboard_cache_keeps_each_users_scope(client, world, items):
    """Figures cached for a manager are never served to a partner user, nor one partner's to another."""
    dashboard = Permission.objects.get(codename="view_escalation_dashboard")
    acme, beta = world.user(Role.PARTNER_USER), world.user("partner_b_user")
    for user in (acme, beta):
        user.user_permissions.add(dashboard)

    def totals(user):
        client.force_login(user)
        response = client.get(reverse("escalations:dashboard"))
        assert response.status_code == 200
        data = response.context
        return data["totals"]["breached"], data["totals"]["levels"], [e.subject_label for e in data["breaches"]]

    manager_view = totals(world.user(Role.MANAGER))
    assert manager_view[0] == 3
    for _ in range(2):  # the second time from the cache
        assert totals(acme) == (1, [0, 0, 0, 1], ["Onboarding of ITEM004"])
        assert totals(beta) == (2, [1, 1, 0, 0], ["Onboarding of ITEM005", "Onboarding of ITEM003"])
    assert totals(world.user(Role.MANAGER)) == manager_view
    allocate_trainer(world, world.partner_a)
    trainer = world.user(Role.TRAINER)
    trainer.user_permissions.add(dashboard)
    assert totals(trainer)[0] == 1, "a trainer counts only the partners allocated to them"


def test_E2_csv_export_lists_open_escalations_most_overdue_first(client, world, items):
    client.force_login(world.user(Role.MANAGER))
    response = client.get(reverse("escalations:export_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 5
    assert (rows[0]["subject"], rows[0]["state"], rows[0]["level"], rows[0]["partner"]) == (
        "Onboarding of ITEM004",
        "breached",
        "3",
        "ACME01",
    )
    assert rows[-1]["state"] == "on_track" and rows[-1]["level"] == "0"


def export_csv(client):
    """The export's rows and the number of queries it took, the streamed body read to its end."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("escalations:export_csv"))
        assert response.streaming, "written as the rows come, never built whole in memory"
        body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body))), len(queries)


def test_E2_csv_export_reads_every_row_in_one_query_whatever_their_number(client, world, items):
    client.force_login(world.user(Role.MANAGER))
    export_csv(client)  # warm: sessions, permissions
    few, few_queries = export_csv(client)
    for n in range(10, 70):
        make_escalation(world, due_in=timedelta(hours=n - 40), level=0 if n < 40 else None, n=n)
    many, many_queries = export_csv(client)
    assert (len(few), len(many)) == (5, 65)
    assert few_queries == many_queries
    assert list(many[0]) == [
        "policy",
        "rule",
        "subject_type",
        "subject_id",
        "subject",
        "partner",
        "owner",
        "started_at",
        "due_at",
        "state",
        "level",
        "acknowledged_by",
        "acknowledged_at",
        "acknowledge_note",
    ]


def test_E2_csv_export_writes_each_column_as_before(client, world, items):
    breach = items[2]
    escalation = Escalation.objects.get(pk=breach.pk)
    Escalation.objects.filter(pk=breach.pk).update(
        acknowledged_by=world.user(Role.COORDINATOR),
        acknowledged_at=escalation.due_at + timedelta(minutes=30),
        acknowledge_note="=Called them",
    )
    client.force_login(world.user(Role.MANAGER))
    rows, _ = export_csv(client)
    row = next(row for row in rows if row["subject_id"] == str(breach.subject_id))
    assert row == {
        "policy": "O1-order-confirmation",
        "rule": "O1",
        "subject_type": "onboarding_order",
        "subject_id": "1003",
        "subject": "Onboarding of ITEM003",
        "partner": "BETA02",
        "owner": Role.COORDINATOR.value,
        "started_at": escalation.started_at.isoformat(),
        "due_at": escalation.due_at.isoformat(),
        "state": "breached",
        "level": "0",
        "acknowledged_by": Role.COORDINATOR.value,
        "acknowledged_at": (escalation.due_at + timedelta(minutes=30)).isoformat(),
        "acknowledge_note": "'=Called them",  # never a formula in a spreadsheet
    }
    unassigned = next(row for row in rows if row["subject_id"] == "1001")
    assert (unassigned["owner"], unassigned["acknowledged_by"], unassigned["acknowledged_at"]) == ("", "", "")


def test_E2_csv_export_keeps_a_trainers_scope(client, world, items):
    allocate_trainer(world, world.partner_a)
    client.force_login(world.user(Role.TRAINER))
    Permission.objects.get(codename="view_escalation_dashboard").user_set.add(world.user(Role.TRAINER))
    rows, _ = export_csv(client)
    assert [row["subject"] for row in rows] == ["Onboarding of ITEM004"]


def test_E2_only_managers_open_the_dashboard_and_export(client, world):
    for role in (Role.COORDINATOR, Role.PROVISIONING_ADMIN, Role.TRAINER, Role.PARTNER_USER):
        client.force_login(world.user(role))
        assert client.get(reverse("escalations:dashboard")).status_code == 403, role
        assert client.get(reverse("escalations:export_csv")).status_code == 403, role


def test_E2_acknowledge_page_records_who_when_and_the_note(client, world, items):
    breach = items[2]
    client.force_login(world.user(Role.COORDINATOR))
    page = client.get(reverse("escalations:acknowledge", args=[breach.pk])).content.decode()
    assert 'data-confirm="Acknowledge this breach? It stays at level 0' in page
    response = client.post(
        reverse("escalations:acknowledge", args=[breach.pk]), {"note": "Called the partner"}, follow=True
    )
    assert "Acknowledged: Onboarding of ITEM003 stays at level 0." in response.content.decode()
    breach.refresh_from_db()
    assert breach.acknowledged_by == world.user(Role.COORDINATOR)
    assert breach.acknowledge_note == "Called the partner"
    again = client.post(reverse("escalations:acknowledge", args=[breach.pk]), {"note": "again"}, follow=True)
    assert "acknowledged this escalation at" in again.content.decode()


def test_E2_acknowledge_needs_a_note_and_a_role_that_may(client, world, items):
    breach = items[2]
    client.force_login(world.user(Role.COORDINATOR))
    response = client.post(reverse("escalations:acknowledge", args=[breach.pk]), {"note": ""})
    assert "This field is required." in response.content.decode()
    client.force_login(world.user(Role.TRAINER))
    assert client.post(reverse("escalations:acknowledge", args=[breach.pk]), {"note": "x"}).status_code == 404
    allocate_trainer(world, breach.partner)  # now in their scope
    assert client.post(reverse("escalations:acknowledge", args=[breach.pk]), {"note": "x"}).status_code == 403
    breach.refresh_from_db()
    assert breach.acknowledged_at is None


def test_E2_a_manager_edits_a_policy_on_its_page(client, world):
    policy = SlaPolicy.objects.get(key="build-failed-or-stuck")
    client.force_login(world.user(Role.MANAGER))
    form = {"target": 6, "at_risk_hours": 2, "breach_start_level": 1, "climb_every_hours": 8, "active": "on"}
    response = client.post(reverse("escalations:policy_edit", args=[policy.pk]), form, follow=True)
    assert "“Customer build finished” saved" in response.content.decode()
    policy.refresh_from_db()
    assert (policy.target, policy.at_risk_hours, policy.breach_start_level, policy.climb_every_hours) == (6, 2, 1, 8)


def test_E2_coordinators_see_their_own_items_and_timers_on_the_home_page(client, world, items):
    client.force_login(world.user(Role.COORDINATOR))
    html = client.get(reverse("home")).content.decode()
    table = re.search(r'data-testid="work-escalations-mine".*?</section>', html, re.S).group(0)
    assert "ITEM002" in table and "ITEM003" in table
    assert "ITEM001" not in table and "ITEM004" not in table, "only the co-ordinator's own items"
    assert "due in 4" in table and "overdue by 2" in table
    assert 'href="/escalations/items/?owner=coordinator"' in table
    client.force_login(world.user(Role.MANAGER))
    assert 'data-testid="work-escalations-mine"' not in client.get(reverse("home")).content.decode()


def test_E2_the_navigation_shows_escalations_to_managers_only(client, world):
    for role, shown in ((Role.MANAGER, True), (Role.COORDINATOR, False)):
        client.force_login(world.user(role))
        labels = [item["label"] for item in client.get(reverse("home")).context["nav_items"]]
        assert ("Escalations" in labels) is shown


def test_E2_the_evaluators_items_reach_the_dashboard(client, world):
    from onboarding.services import onboarding_order_create

    onboarding_order_create(
        by=world.user(Role.PROVISIONING_ADMIN),
        partner=world.partner_b,
        signed_order_received_at=timezone.now() - timedelta(hours=50),
    )
    escalation_evaluate()
    client.force_login(world.user(Role.MANAGER))
    response = client.get(reverse("escalations:dashboard"))
    assert response.context["totals"]["breached"] == 1
    assert response.context["breaches"][0].level == 0


def test_E2_a_policy_with_the_items_own_deadline_has_no_target_to_edit(client, world):
    client.force_login(world.user(Role.MANAGER))
    o1 = client.get(reverse("escalations:policy_edit", args=[SlaPolicy.objects.get(key="O1-order-confirmation").pk]))
    assert "target" not in o1.context["form"].fields
    build = client.get(reverse("escalations:policy_edit", args=[SlaPolicy.objects.get(key="build-failed-or-stuck").pk]))
    assert build.context["form"].fields["target"].label == "Hours allowed"
    ports = client.get(reverse("escalations:policy_edit", args=[SlaPolicy.objects.get(key="port-acceptance").pk]))
    assert ports.context["form"].fields["target"].label == "Working days allowed"
