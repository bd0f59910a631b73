"""E2: the managers' escalation dashboard, its CSV export, the acknowledge page, the SLA policy
pages and the co-ordinator's own items on the home page."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from escalations.models import Escalation, SlaPolicy
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


def test_E2_dashboard_query_count_does_not_grow_with_the_items(client, world, items):
    client.force_login(world.user(Role.MANAGER))
    client.get(reverse("escalations:dashboard"))  # warm: sessions, permissions
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("escalations:dashboard")).status_code == 200
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
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("escalations:dashboard")).status_code == 200
    assert len(few) == len(many) == 13, [q["sql"][:80] for q in many.captured_queries]


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
    table = re.search(r'data-testid="my-escalations".*?</table>', html, re.S).group(0)
    assert "ITEM002" in table and "ITEM003" in table
    assert "ITEM001" not in table and "ITEM004" not in table, "only the co-ordinator's own items"
    assert "due in 4" in table and "overdue by 2" in table
    client.force_login(world.user(Role.MANAGER))
    assert 'data-testid="my-escalations"' not in client.get(reverse("home")).content.decode()


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
