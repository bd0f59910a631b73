"""The audit log: every service's AuditEvent rows, for the team that runs the portal."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.models import AuditEvent
from partners.services import partner_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(world):
    partner_update(by=world.user(Role.COORDINATOR), partner=world.partner_a, name="Acme Telecom plc")
    partner_update(by=world.user(Role.PROVISIONING_ADMIN), partner=world.partner_b, name="Betacom Ltd")
    old = AuditEvent.objects.filter(partner=world.partner_b).first()
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=40))
    return AuditEvent.objects.all()


def rows(client, **params):
    response = client.get(reverse("accounts:audit_list"), params)
    assert response.status_code == 200
    records = [row.record for row in response.context["table"].paginated_rows]
    return [(r.actor.username, r.partner.partner_id) for r in records if r.actor and r.partner]


def test_staff_read_and_filter_the_audit_log(client, world, events):
    client.force_login(world.user(Role.MANAGER))
    assert rows(client) == [(Role.COORDINATOR.value, "ACME01"), (Role.PROVISIONING_ADMIN.value, "BETA02")]
    assert rows(client, partner="beta02") == [(Role.PROVISIONING_ADMIN.value, "BETA02")]
    assert rows(client, actor=Role.COORDINATOR.value) == [(Role.COORDINATOR.value, "ACME01")]
    assert rows(client, q="acme") == [(Role.COORDINATOR.value, "ACME01")]
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    assert rows(client, since=since) == [(Role.COORDINATOR.value, "ACME01")]
    assert "Audit" in [item["label"] for item in client.get("/").context["nav_items"]]


@pytest.mark.parametrize("role", [Role.TRAINER, Role.PARTNER_USER])
def test_trainers_and_partner_users_cannot_read_it(client, world, events, role):
    client.force_login(world.user(role))
    assert client.get(reverse("accounts:audit_list")).status_code == 403
    assert client.get(reverse("accounts:audit_export_csv")).status_code == 403


def test_the_csv_export_follows_the_filters(client, world, events):
    client.force_login(world.user(Role.PROVISIONING_ADMIN))
    response = client.get(reverse("accounts:audit_export_csv"), {"partner": "ACME01"})
    body = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert body[0][:3] == ["at", "actor", "action"]
    assert [(row[1], row[6]) for row in body[1:] if row[1]] == [(Role.COORDINATOR.value, "ACME01")]


def test_the_csv_export_streams_every_row_from_one_query_whatever_their_number(client, world, events):
    client.force_login(world.user(Role.MANAGER))

    def export():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("accounts:audit_export_csv"))
            assert response.streaming, "written as the rows come, never built whole in memory"
            body = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        return body, len(queries)

    export()  # warm: sessions, permissions
    few, few_queries = export()
    for n in range(30):
        partner_update(by=world.user(Role.COORDINATOR), partner=world.partner_a, name=f"Acme {n}")
    many, many_queries = export()
    assert len(many) == len(few) + 30
    assert few_queries == many_queries
    newest = many[1]
    assert newest[1:4] == [Role.COORDINATOR.value, "partner.updated", "partners.partner"]
    assert newest[6] == "ACME01" and json.loads(newest[7])["name"][1] == "Acme 29"


def test_the_page_query_count_does_not_grow_with_the_rows(client, world, events):
    client.force_login(world.user(Role.MANAGER))
    client.get(reverse("accounts:audit_list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("accounts:audit_list"))
    for n in range(30):
        partner_update(by=world.user(Role.COORDINATOR), partner=world.partner_a, name=f"Acme {n}")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("accounts:audit_list"))
    assert len(many) == len(few)


def test_a_partner_page_links_staff_to_everything_recorded_for_it(client, world, events):
    client.force_login(world.user(Role.COORDINATOR))
    page = client.get(reverse("onboarding:partner_detail", args=[world.partner_a.pk])).content.decode()
    assert f"{reverse('accounts:audit_list')}?partner=ACME01" in page
    client.force_login(world.user(Role.TRAINER))
    page = client.get(reverse("onboarding:partner_detail", args=[world.partner_a.pk])).content.decode()
    assert 'data-testid="full-audit"' not in page
