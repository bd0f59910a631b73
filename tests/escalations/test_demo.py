"""`manage.py seed_demo` shows escalations at every state and level (E2), and running it again
changes nothing and tells nobody again."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from escalations.models import Escalation, EscalationEvent

pytestmark = pytest.mark.django_db


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_E2_seed_demo_has_items_at_every_state_and_level(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        output = seed()
    now = timezone.now()
    open_items = list(Escalation.objects.filter(closed_at__isnull=True))
    assert {e.state_at(now) for e in open_items} == {"on_track", "at_risk", "breached"}
    assert {e.level for e in open_items if e.state_at(now) == "breached"} == {0, 1, 2, 3}
    held = Escalation.objects.get(partner__partner_id="FOXTROT06")
    assert (held.level, held.acknowledged_by.username) == (1, "coordinator")
    assert "Open escalations (E2):" in output and "level 1 (acknowledged)" in output
    # Each level reached was told once: HOTEL08 (level 3) climbed through 0, 1, 2 and 3.
    level_emails = [m for m in mail.outbox if m.subject.startswith("[Level ")]  # not the order emails
    assert len(level_emails) == EscalationEvent.objects.count() == 1 + 2 + 3 + 4


def test_E2_seed_demo_twice_changes_no_escalation(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seed()
    before = list(Escalation.objects.order_by("id").values_list("id", "level", "acknowledged_at", "closed_at"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        seed()
    assert list(Escalation.objects.order_by("id").values_list("id", "level", "acknowledged_at", "closed_at")) == before
    assert mail.outbox == []
