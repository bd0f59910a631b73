"""The audit log reads as sentences (issue #16): who did what to which item, and each change as
field: old → new; every action key the services record has its own wording."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.audit_words import VERBS, audit_sentence, changes_text
from accounts.choices import Role
from partners.services import partner_update
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
APPS = ["accounts", "partners", "number_pool", "onboarding", "customers", "porting", "escalations", "reconciliation"]


def recorded_actions() -> set[str]:
    """Every action key written by a service: literal `action="..."` in an audit_record call (or an
    AuditEvent made in bulk), the keys chosen in a variable before it, and the port transitions'
    `port_request.{name}`."""
    found: set[str] = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            text = path.read_text()
            if "audit_record(" not in text and "AuditEvent(" not in text:
                continue
            found |= set(re.findall(r'action(?:,\s*changes)?\s*=\s*"([a-z_]+\.[a-z_]+)"', text))
            found |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', text))
            found |= set(re.findall(r'action, changes = "([a-z_]+\.[a-z_]+)"', text))
    from porting.services import PORT_TRANSITIONS

    found |= {f"port_request.{name}" for name in PORT_TRANSITIONS}
    return found


def test_every_action_the_services_record_has_its_sentence():
    actions = recorded_actions()
    assert {"port_request.accept", "partner.updated", "sla_policy.updated", "build.akixi_users_confirmed"} <= actions
    assert sorted(actions - set(VERBS)) == []


def test_a_port_acceptance_reads_as_the_issue_says():
    sentence = audit_sentence(
        actor="Alan North",
        action="port_request.accept",
        target_label="Port 4 (+441134960000)",
        target_id="4",
        changes={"port_date": "2026-12-31", "rule": "GB, Analogue: 22 working days"},
    )
    assert sentence == "Alan North accepted port 4: port date 31 Dec 2026; lead time GB, Analogue: 22 working days"


def test_changes_read_as_field_old_to_new():
    assert (
        changes_text({"name": ["Acme", "Acme plc"], "live": [False, True]}) == "name: Acme → Acme plc; live: no → yes"
    )
    assert changes_text({"numbers": ["+441", "+442"], "count": 2}) == "numbers +441, +442; count 2"
    assert changes_text({"required_fields": [["numbers"], ["numbers", "range_holder"]]}) == (
        "required fields: numbers → numbers, range_holder"
    )
    assert changes_text({"working_days": [22, None]}) == "working days: 22 → (none)"


def test_an_unknown_action_still_reads_as_a_sentence():
    sentence = audit_sentence(actor="", action="widget.polished", target_label="W1", target_id="1", changes={})
    assert sentence == "The portal did “widget: polished” on W1"


@pytest.mark.django_db
def test_the_audit_page_and_csv_show_sentences(client, world):
    UserFactory._meta.model.objects.filter(pk=world.user(Role.COORDINATOR).pk).update(
        first_name="Colin", last_name="Ward"
    )
    partner_update(by=world.user(Role.COORDINATOR), partner=world.partner_a, name="Acme Telecom plc")
    client.force_login(world.user(Role.MANAGER))
    page = client.get(reverse("accounts:audit_list")).content.decode()
    assert "Colin Ward changed partner ACME01 — Acme Telecom plc: name: Acme Telecom → Acme Telecom plc" in page
    assert "partner.updated" not in page and "{&quot;" not in page
    response = client.get(reverse("accounts:audit_export_csv"))
    body = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    changed = [row for row in body[1:] if row[2] == "partner.updated"]  # (the manager's log-in is there too)
    assert body[0][-1] == "sentence" and len(changed) == 1
    assert (
        changed[0][-1] == "Colin Ward changed partner ACME01 — Acme Telecom plc: name: Acme Telecom → Acme Telecom plc"
    )
