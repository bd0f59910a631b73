"""E2 at scale: the evaluator reads plain rows in a fixed number of queries whatever the number of
items, and a run that finds nothing changed writes nothing (#14)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from escalations.models import Escalation, EscalationEvent
from escalations.selectors import data_version
from escalations.services import escalation_evaluate
from porting.choices import PortStatus
from porting.models import PortRequest

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


FRIDAY = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)  # GMT: UK time is UTC
ACCEPTANCE_DUE = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # P1: Monday and Tuesday are the two working days


def submitted_ports(world, n, *, hours_ago=None, submitted=None):
    """`n` ports waiting for the losing provider (P1: due 2 working days on), submitted `hours_ago`."""
    submitted = submitted or timezone.now() - timedelta(hours=hours_ago)
    PortRequest.objects.bulk_create(
        PortRequest(
            partner=[world.partner_a, world.partner_b][i % 2],
            country="GB",
            region=["ENG", "SCT"][i % 2],
            main_billing_number=f"+4420794601{i:02d}",
            status=PortStatus.SUBMITTED,
            submitted_at=submitted,
            submission_count=1,
        )
        for i in range(n)
    )


def evaluate_counting(moment, **kwargs):
    """Run the evaluator at `moment`; its result and the SQL it sent."""
    with time_machine.travel(moment, tick=False), CaptureQueriesContext(connection) as queries:
        result = escalation_evaluate(now=moment, **kwargs)
    return result, [query["sql"] for query in queries.captured_queries]


def writes_in(statements):
    return [sql[:80] for sql in statements if sql.lstrip().upper().startswith(WRITES)]


def test_E2_the_evaluators_queries_do_not_grow_with_the_items(world):
    now = timezone.now()
    evaluate_counting(now)  # warm: content types are looked up once per process
    submitted_ports(world, 2, hours_ago=1)
    opening_few, opening_few_sql = evaluate_counting(now)
    steady_few, steady_few_sql = evaluate_counting(now)
    assert (opening_few.opened, steady_few.writes) == (2, 0)

    submitted_ports(world, 40, hours_ago=1)
    opening_many, opening_many_sql = evaluate_counting(now)
    steady_many, steady_many_sql = evaluate_counting(now)
    assert (opening_many.opened, steady_many.writes) == (40, 0)
    assert len(opening_many_sql) == len(opening_few_sql), "opening 40 escalations costs what opening 2 does"
    assert len(steady_many_sql) == len(steady_few_sql), "a steady run reads 42 items as it reads 2"


def test_E2_climbing_and_closing_many_breaches_costs_what_a_few_do(world):
    """Quiet runs (no emails, whose outbox rows are one each by design): recording the levels of
    2 or 40 breaches, and closing them when their ports are answered, is the same SQL."""
    evaluate_counting(FRIDAY)  # warm: content types are looked up once per process
    costs = []
    for n in (2, 40):
        PortRequest.objects.all().delete()
        submitted_ports(world, n, submitted=FRIDAY)
        opened, opened_sql = evaluate_counting(ACCEPTANCE_DUE + timedelta(hours=1), notify=False)
        assert (opened.opened, len(opened.events)) == (n, n), "each breach reaches level 0"
        later, later_sql = evaluate_counting(ACCEPTANCE_DUE + timedelta(hours=25), notify=False)
        assert (later.raised, len(later.events)) == (n, n), "and a day later level 1"
        PortRequest.objects.update(status=PortStatus.ACCEPTED, accepted_on=None, port_date=None)
        closed, closed_sql = evaluate_counting(ACCEPTANCE_DUE + timedelta(hours=26), notify=False)
        assert closed.closed == n
        costs.append((len(opened_sql), len(later_sql), len(closed_sql)))
    assert costs[0] == costs[1]


def test_E2_a_steady_run_writes_nothing_and_leaves_the_dashboards_cache(world, django_capture_on_commit_callbacks):
    now = timezone.now()
    submitted_ports(world, 5, hours_ago=24 * 10)  # breached: levels reached and recorded
    submitted_ports(world, 5, hours_ago=1)
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = evaluate_counting(now)
    assert first.opened == 10 and first.events
    rows_before = list(Escalation.objects.order_by("id").values_list("id", "level", "due_at", "at_risk_at"))
    events_before = EscalationEvent.objects.count()
    version = data_version()

    with django_capture_on_commit_callbacks(execute=True):
        steady, statements = evaluate_counting(now)

    assert (steady.opened, steady.closed, steady.updated, steady.raised, steady.events) == (0, 0, 0, 0, [])
    assert writes_in(statements) == []
    assert list(Escalation.objects.order_by("id").values_list("id", "level", "due_at", "at_risk_at")) == rows_before
    assert EscalationEvent.objects.count() == events_before
    assert data_version() == version, "nothing changed, so the dashboard's cached figures stay valid"


def test_E2_a_changed_item_is_the_only_row_written(world, django_capture_on_commit_callbacks):
    now = timezone.now()
    submitted_ports(world, 6, hours_ago=1)
    with django_capture_on_commit_callbacks(execute=True):
        evaluate_counting(now)
    version = data_version()
    renumbered = PortRequest.objects.order_by("id").first()
    PortRequest.objects.filter(pk=renumbered.pk).update(main_billing_number="+442079469999")

    with django_capture_on_commit_callbacks(execute=True):
        result, statements = evaluate_counting(now)

    assert (result.opened, result.closed, result.updated) == (0, 0, 1)
    assert len(writes_in(statements)) == 1
    escalation = Escalation.objects.get(subject_id=renumbered.pk, closed_at__isnull=True)
    assert escalation.subject_label == f"Port {renumbered.pk}: +442079469999 (ACME01)"
    assert data_version() != version, "the dashboard's cached figures are stale"


def test_E2_a_resubmitted_port_closes_its_escalation_and_opens_another(world):
    now = timezone.now()
    submitted_ports(world, 3, hours_ago=1)
    evaluate_counting(now)
    port = PortRequest.objects.order_by("id").first()
    resubmitted = now - timedelta(minutes=5)
    PortRequest.objects.filter(pk=port.pk).update(submitted_at=resubmitted, submission_count=2)

    result, _ = evaluate_counting(now)

    assert (result.opened, result.closed, result.updated) == (1, 1, 0)
    episodes = Escalation.objects.filter(subject_id=port.pk, policy__key="port-acceptance").order_by("id")
    assert [(e.close_reason, e.started_at) for e in episodes] == [
        ("restarted", port.submitted_at),
        ("", resubmitted),
    ]
