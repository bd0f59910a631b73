"""E2 for ports: the losing provider answers a submitted port within 2 working days (P1, in the
number's own calendar, P4), a resubmission restarts that clock (P5), and an accepted port is
completed by its port date (P4)."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from accounts.choices import Role
from escalations.models import Escalation
from porting.choices import PortStatus
from porting.models import PortRequest

from .helpers import evaluate_at, open_escalation, state_and_level

pytestmark = pytest.mark.django_db
SECOND = timedelta(seconds=1)


def submitted_port(world, submitted_at, region="ENG"):
    return PortRequest.objects.create(
        partner=world.partner_a,
        country="GB",
        region=region,
        main_billing_number="+442079460100",
        status=PortStatus.SUBMITTED,
        submitted_at=submitted_at,
        submission_count=1,
    )


FRIDAY = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)  # GMT: UK time is UTC
ACCEPTANCE_DUE = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # Monday and Tuesday are the two working days


@pytest.mark.parametrize(
    ("moment", "state", "level"),
    [
        (ACCEPTANCE_DUE - timedelta(hours=4) - SECOND, "on_track", None),
        (ACCEPTANCE_DUE - timedelta(hours=4), "at_risk", None),
        (ACCEPTANCE_DUE, "at_risk", None),
        (ACCEPTANCE_DUE + SECOND, "breached", 0),
        (ACCEPTANCE_DUE + timedelta(hours=24) - SECOND, "breached", 0),
        (ACCEPTANCE_DUE + timedelta(hours=24), "breached", 1),
    ],
)
def test_P1_losing_provider_answers_within_2_working_days(world, moment, state, level):
    port = submitted_port(world, FRIDAY)
    evaluate_at(moment)
    assert open_escalation("port-acceptance", port.pk).due_at == ACCEPTANCE_DUE, "the weekend does not count"
    assert state_and_level(world.user(Role.MANAGER), "port-acceptance", port.pk, moment) == (state, level)


@pytest.mark.parametrize(
    ("submitted", "region", "due"),
    [
        # Christmas Day (Fri) and the Boxing Day substitute (Mon 28th) are skipped.
        (datetime(2026, 12, 24, 10, 0, tzinfo=UTC), "ENG", datetime(2026, 12, 30, 10, 0, tzinfo=UTC)),
        # Easter: Good Friday and Easter Monday off in England; Easter Monday worked in Scotland (BST).
        (datetime(2026, 4, 2, 9, 0, tzinfo=UTC), "ENG", datetime(2026, 4, 8, 9, 0, tzinfo=UTC)),
        (datetime(2026, 4, 2, 9, 0, tzinfo=UTC), "SCT", datetime(2026, 4, 7, 9, 0, tzinfo=UTC)),
    ],
)
def test_P4_acceptance_working_days_skip_the_nations_bank_holidays(world, submitted, region, due):
    port = submitted_port(world, submitted, region=region)
    evaluate_at(submitted + timedelta(hours=1))
    assert open_escalation("port-acceptance", port.pk).due_at == due


def test_P5_a_resubmission_restarts_the_acceptance_clock(world, django_capture_on_commit_callbacks):
    port = submitted_port(world, FRIDAY)
    evaluate_at(ACCEPTANCE_DUE + SECOND, django_capture_on_commit_callbacks)
    resubmitted = ACCEPTANCE_DUE + timedelta(hours=3)
    PortRequest.objects.filter(pk=port.pk).update(submitted_at=resubmitted, submission_count=2)
    evaluate_at(resubmitted + timedelta(minutes=5), django_capture_on_commit_callbacks)
    episodes = Escalation.objects.filter(policy__key="port-acceptance", subject_id=port.pk).order_by("id")
    assert [(e.close_reason, e.level) for e in episodes] == [("restarted", 0), ("", None)]
    assert episodes[1].started_at == resubmitted
    assert len(mail.outbox) == 1, "the old episode's breach was told once; the new one has not breached"


def test_P1_acceptance_closes_the_acceptance_escalation(world):
    port = submitted_port(world, FRIDAY)
    evaluate_at(ACCEPTANCE_DUE + SECOND)
    PortRequest.objects.filter(pk=port.pk).update(
        status=PortStatus.ACCEPTED, accepted_on=date(2026, 3, 10), port_date=date(2026, 4, 9)
    )
    evaluate_at(ACCEPTANCE_DUE + timedelta(hours=1))
    assert Escalation.objects.get(policy__key="port-acceptance").close_reason == "resolved"
    assert open_escalation("port-date", port.pk).due_at == datetime(2026, 4, 9, 23, 0, tzinfo=UTC)


# The port date is in British Summer Time: the end of 1 April UK time is 23:00 UTC on 1 April.
PORT_DUE = datetime(2026, 4, 1, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "state", "level"),
    [
        (PORT_DUE - timedelta(hours=24) - SECOND, "on_track", None),
        (PORT_DUE - timedelta(hours=24), "at_risk", None),  # from 00:00 UK time on the port date
        (PORT_DUE, "at_risk", None),  # any time on the port date is in time
        (PORT_DUE + SECOND, "breached", 1),  # a missed port date starts at the team leader (level 1)
        (PORT_DUE + timedelta(hours=12) - SECOND, "breached", 1),
        (PORT_DUE + timedelta(hours=12), "breached", 2),
        (PORT_DUE + timedelta(hours=24), "breached", 3),
    ],
)
def test_P4_port_completed_by_its_port_date(world, moment, state, level):
    port = PortRequest.objects.create(
        partner=world.partner_b,
        country="GB",
        region="ENG",
        status=PortStatus.ACCEPTED,
        submitted_at=datetime(2026, 2, 27, 9, 0, tzinfo=UTC),
        accepted_on=date(2026, 3, 2),
        port_date=date(2026, 4, 1),
    )
    evaluate_at(moment)
    escalation = open_escalation("port-date", port.pk)
    assert escalation.subject_type == "port_request"
    assert escalation.subject_label == f"Port {port.pk}: numbers to come (BETA02)"
    assert escalation.subject_url == f"/ports/{port.pk}/", "the dashboard links to the port request's page"
    assert state_and_level(world.user(Role.MANAGER), "port-date", port.pk, moment) == (state, level)


def test_P4_completing_the_port_closes_it(world):
    port = PortRequest.objects.create(
        partner=world.partner_b,
        status=PortStatus.ACCEPTED,
        accepted_on=date(2026, 3, 2),
        port_date=date(2026, 4, 1),
    )
    evaluate_at(PORT_DUE + SECOND)
    with time_machine.travel(PORT_DUE + timedelta(hours=2), tick=False):
        PortRequest.objects.filter(pk=port.pk).update(status=PortStatus.COMPLETED, completed_on=date(2026, 4, 2))
    evaluate_at(PORT_DUE + timedelta(hours=3))
    assert Escalation.objects.get(policy__key="port-date").close_reason == "resolved"
