"""E2: the evaluator, by the clock. Each policy at just before, at and just after each threshold;
breaches climb the matrix (E1) one level per interval up to 3 and notify each level once."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from accounts.choices import Role
from customers.choices import BuildStatus
from customers.models import CustomerGroup, ServiceBuild
from escalations.models import Escalation, EscalationEvent, SlaPolicy
from escalations.services import escalation_acknowledge, sla_policy_load, sla_policy_update
from onboarding.choices import OrderStatus
from onboarding.services import onboarding_order_create
from tests.onboarding.walk import run

from .helpers import evaluate_at, open_escalation, policy, state_and_level

pytestmark = pytest.mark.django_db

RECEIVED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # a Monday morning
DUE = RECEIVED + timedelta(hours=48)
LEVEL_EMAILS = {
    0: "voiceprovisioning@exponential-e.com",
    1: "Lydia.Melen@Exponential-e.com",
    2: "Alan.north@exponential-e.com",
    3: "Dan.Baines-Holmes@Exponential-e.com",
}
SECOND = timedelta(seconds=1)


@pytest.fixture
def order(world):
    with time_machine.travel(RECEIVED, tick=False):
        return onboarding_order_create(
            by=world.user(Role.PROVISIONING_ADMIN), partner=world.partner_b, signed_order_received_at=RECEIVED
        )


def test_E2_default_policies_exist_after_migrate_and_loading_again_keeps_a_managers_edit(world):
    keys = set(SlaPolicy.objects.values_list("key", flat=True))
    assert {"O1-order-confirmation", "stage-confirmed", "stage-training", "build-failed-or-stuck"} <= keys
    sla_policy_update(by=world.user(Role.MANAGER), policy=policy("build-failed-or-stuck"), target=6)
    result = sla_policy_load()
    assert result.created == []
    assert policy("build-failed-or-stuck").target == 6


def test_E2_only_managers_edit_policies(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        sla_policy_update(by=world.user(Role.COORDINATOR), policy=policy("stage-confirmed"), target=1)


# --- O1: order confirmation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "state", "level"),
    [
        (RECEIVED, "on_track", None),
        (DUE - timedelta(hours=12) - SECOND, "on_track", None),  # just before the at-risk threshold
        (DUE - timedelta(hours=12), "at_risk", None),  # at it
        (DUE - SECOND, "at_risk", None),
        (DUE, "at_risk", None),  # at 48 hours: still within the SLA
        (DUE + SECOND, "breached", 0),  # just after: level 0 (the policy's start level)
        (DUE + timedelta(hours=12) - SECOND, "breached", 0),  # just before the first climb
        (DUE + timedelta(hours=12), "breached", 1),  # at it
        (DUE + timedelta(hours=24), "breached", 2),
        (DUE + timedelta(hours=36) - SECOND, "breached", 2),
        (DUE + timedelta(hours=36), "breached", 3),
        (DUE + timedelta(days=30), "breached", 3),  # never above 3
    ],
)
def test_O1_confirmation_escalation_by_the_clock(world, order, moment, state, level):
    evaluate_at(moment)
    assert state_and_level(world.user(Role.MANAGER), "O1-order-confirmation", order.pk, moment) == (state, level)


def test_O1_a_breach_notifies_each_level_once_as_it_climbs(world, order, django_capture_on_commit_callbacks):
    evaluate_at(DUE, django_capture_on_commit_callbacks)
    assert mail.outbox == [], "nobody is told before the deadline has passed"
    evaluate_at(DUE + SECOND, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[LEVEL_EMAILS[0]]]
    assert "[Level 0] Order confirmation breached: Onboarding of BETA02" in mail.outbox[0].subject
    assert f"/onboarding/{order.pk}/" in mail.outbox[0].body
    evaluate_at(DUE + timedelta(hours=12), django_capture_on_commit_callbacks)
    evaluate_at(DUE + timedelta(hours=12, minutes=5), django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[LEVEL_EMAILS[0]], [LEVEL_EMAILS[1]]]
    escalation = open_escalation("O1-order-confirmation", order.pk)
    assert list(escalation.events.values_list("level", flat=True)) == [0, 1]
    assert all(e.notified_at for e in escalation.events.all())


def test_O1_an_evaluator_that_was_down_catches_up_and_tells_every_level_once(
    world, order, django_capture_on_commit_callbacks
):
    evaluate_at(DUE + timedelta(hours=40), django_capture_on_commit_callbacks)
    evaluate_at(DUE + timedelta(hours=41), django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(LEVEL_EMAILS.values())


def test_O1_confirming_the_order_closes_its_escalation(world, order, django_capture_on_commit_callbacks):
    evaluate_at(DUE + SECOND, django_capture_on_commit_callbacks)
    with time_machine.travel(DUE + timedelta(hours=1), tick=False):
        run(world, order, "confirm", Role.PROVISIONING_ADMIN)
    evaluate_at(DUE + timedelta(hours=30), django_capture_on_commit_callbacks)
    escalation = Escalation.objects.get(policy__key="O1-order-confirmation", subject_id=order.pk)
    assert escalation.closed_at == DUE + timedelta(hours=30)
    assert escalation.close_reason == "resolved"
    assert escalation.level == 0, "a resolved item climbs no further"
    assert len([m for m in mail.outbox if "Order confirmation breached" in m.subject]) == 1


# --- E2: running twice, acknowledging ----------------------------------------------------------


def test_E2_running_the_evaluator_twice_notifies_once(world, order, django_capture_on_commit_callbacks):
    first = evaluate_at(DUE + timedelta(hours=13), django_capture_on_commit_callbacks)
    second = evaluate_at(DUE + timedelta(hours=13), django_capture_on_commit_callbacks)
    assert len(first.events) == 2 and second.events == []
    assert second.opened == 0 and second.closed == 0 and second.updated == 0
    assert [m.to[0] for m in mail.outbox] == [LEVEL_EMAILS[0], LEVEL_EMAILS[1]]
    assert Escalation.objects.count() == 1
    assert EscalationEvent.objects.count() == 2


def test_E2_acknowledging_holds_the_level(world, order, django_capture_on_commit_callbacks):
    evaluate_at(DUE + timedelta(hours=1), django_capture_on_commit_callbacks)
    escalation = open_escalation("O1-order-confirmation", order.pk)
    with time_machine.travel(DUE + timedelta(hours=2), tick=False):
        escalation_acknowledge(by=world.user(Role.COORDINATOR), escalation=escalation, note="Chasing the admin now")
    evaluate_at(DUE + timedelta(days=5), django_capture_on_commit_callbacks)
    escalation.refresh_from_db()
    assert escalation.level == 0
    assert escalation.acknowledged_by == world.user(Role.COORDINATOR)
    assert escalation.acknowledged_at == DUE + timedelta(hours=2)
    assert escalation.acknowledge_note == "Chasing the admin now"
    assert [m.to[0] for m in mail.outbox] == [LEVEL_EMAILS[0]], "no level above the held one is told"


def test_E2_acknowledging_is_for_breaches_by_staff_with_a_note(world, order):
    from django.core.exceptions import PermissionDenied, ValidationError

    evaluate_at(DUE - timedelta(hours=1))
    escalation = open_escalation("O1-order-confirmation", order.pk)
    with (
        time_machine.travel(DUE - timedelta(hours=1), tick=False),
        pytest.raises(ValidationError, match="Only a breach can be acknowledged; this item is at risk"),
    ):
        escalation_acknowledge(by=world.user(Role.MANAGER), escalation=escalation, note="x")
    with time_machine.travel(DUE + timedelta(hours=1), tick=False):
        with pytest.raises(ValidationError, match="Say what is being done"):
            escalation_acknowledge(by=world.user(Role.MANAGER), escalation=escalation, note="  ")
        with pytest.raises(PermissionDenied):
            escalation_acknowledge(by=world.user(Role.TRAINER), escalation=escalation, note="mine")
        with pytest.raises(PermissionDenied):
            escalation_acknowledge(by=world.user(Role.PARTNER_USER), escalation=escalation, note="mine")


def test_E2_a_second_acknowledgement_is_refused_naming_the_first(world, order):
    from expoe_portal.transitions import TransitionConflict

    evaluate_at(DUE + timedelta(hours=1))
    escalation = open_escalation("O1-order-confirmation", order.pk)
    with time_machine.travel(DUE + timedelta(hours=2), tick=False):
        escalation_acknowledge(by=world.user(Role.MANAGER), escalation=escalation, note="On it")
        with pytest.raises(TransitionConflict, match="acknowledged this escalation at"):
            escalation_acknowledge(by=world.user(Role.COORDINATOR), escalation=escalation, note="Me too")


def test_E2_a_policy_starting_at_level_1_skips_level_0(world, order, django_capture_on_commit_callbacks):
    sla_policy_update(by=world.user(Role.MANAGER), policy=policy("O1-order-confirmation"), breach_start_level=1)
    evaluate_at(DUE + SECOND, django_capture_on_commit_callbacks)
    assert state_and_level(world.user(Role.MANAGER), "O1-order-confirmation", order.pk, DUE + SECOND) == (
        "breached",
        1,
    )
    assert [m.to[0] for m in mail.outbox] == [LEVEL_EMAILS[1]]


def test_E2_the_climb_interval_is_configurable(world, order):
    sla_policy_update(by=world.user(Role.MANAGER), policy=policy("O1-order-confirmation"), climb_every_hours=2)
    evaluate_at(DUE + timedelta(hours=2) - SECOND)
    assert open_escalation("O1-order-confirmation", order.pk).level == 0
    evaluate_at(DUE + timedelta(hours=2))
    assert open_escalation("O1-order-confirmation", order.pk).level == 1


def test_E2_switching_a_policy_off_closes_its_escalations(world, order):
    evaluate_at(DUE + SECOND)
    sla_policy_update(by=world.user(Role.MANAGER), policy=policy("O1-order-confirmation"), active=False)
    evaluate_at(DUE + timedelta(hours=1))
    assert Escalation.objects.get(subject_id=order.pk).close_reason == "policy_off"


# --- Time in each onboarding stage -------------------------------------------------------------

CONFIRMED_AT = RECEIVED + timedelta(hours=3)
STAGE_DUE = CONFIRMED_AT + timedelta(hours=24)  # default for "confirmed": 24 h, at risk 6 h before


@pytest.fixture
def confirmed_order(world, order):
    with time_machine.travel(CONFIRMED_AT, tick=False):
        run(world, order, "confirm", Role.PROVISIONING_ADMIN)
    return order


@pytest.mark.parametrize(
    ("moment", "state", "level"),
    [
        (STAGE_DUE - timedelta(hours=6) - SECOND, "on_track", None),
        (STAGE_DUE - timedelta(hours=6), "at_risk", None),
        (STAGE_DUE, "at_risk", None),
        (STAGE_DUE + SECOND, "breached", 0),
        (STAGE_DUE + timedelta(hours=24) - SECOND, "breached", 0),
        (STAGE_DUE + timedelta(hours=24), "breached", 1),
    ],
)
def test_E2_time_in_the_confirmed_stage_by_the_clock(world, confirmed_order, moment, state, level):
    evaluate_at(moment)
    escalation = open_escalation("stage-confirmed", confirmed_order.pk)
    assert escalation.started_at == CONFIRMED_AT, "the stage clock starts when the order enters the stage"
    assert state_and_level(world.user(Role.MANAGER), "stage-confirmed", confirmed_order.pk, moment) == (state, level)


def test_E2_stage_defaults_are_editable_and_open_items_follow(world, confirmed_order):
    evaluate_at(CONFIRMED_AT + timedelta(hours=1))
    sla_policy_update(by=world.user(Role.MANAGER), policy=policy("stage-confirmed"), target=48, at_risk_hours=12)
    evaluate_at(CONFIRMED_AT + timedelta(hours=2))
    escalation = open_escalation("stage-confirmed", confirmed_order.pk)
    assert escalation.due_at == CONFIRMED_AT + timedelta(hours=48)
    assert escalation.at_risk_at == CONFIRMED_AT + timedelta(hours=36)


def test_E2_leaving_the_stage_closes_it_and_starts_the_next_stages_clock(world, confirmed_order):
    evaluate_at(STAGE_DUE + SECOND)
    assigned_at = STAGE_DUE + timedelta(hours=1)
    with time_machine.travel(assigned_at, tick=False):
        run(world, confirmed_order, "assign_coordinator", Role.MANAGER)
    evaluate_at(assigned_at + timedelta(minutes=5))
    assert Escalation.objects.get(policy__key="stage-confirmed").close_reason == "resolved"
    following = open_escalation("stage-coordinator-assigned", confirmed_order.pk)
    assert following.started_at == assigned_at
    assert following.due_at == assigned_at + timedelta(hours=120)
    assert following.owner == world.user(Role.COORDINATOR), "the order's co-ordinator owns it"


def test_E2_an_order_on_hold_has_no_stage_clock(world, confirmed_order):
    with time_machine.travel(CONFIRMED_AT + timedelta(hours=1), tick=False):
        run(world, confirmed_order, "hold", Role.MANAGER)
    evaluate_at(STAGE_DUE + timedelta(days=3))
    assert not Escalation.objects.filter(policy__key__startswith="stage-", closed_at__isnull=True).exists()


# --- Failed or stuck customer build ------------------------------------------------------------

BUILD_STARTED = RECEIVED + timedelta(days=10)
BUILD_DUE = BUILD_STARTED + timedelta(hours=4)  # default: 4 h, at risk 1 h before, climbs every 4 h


@pytest.fixture
def build(world):
    group = CustomerGroup.objects.create(partner=world.partner_a, group_id="NorthwindTraders", name="Northwind")
    return ServiceBuild.objects.create(
        group=group, status=BuildStatus.FAILED, queued_at=BUILD_STARTED, started_at=BUILD_STARTED
    )


@pytest.mark.parametrize(
    ("moment", "state", "level"),
    [
        (BUILD_DUE - timedelta(hours=1) - SECOND, "on_track", None),
        (BUILD_DUE - timedelta(hours=1), "at_risk", None),
        (BUILD_DUE, "at_risk", None),
        (BUILD_DUE + SECOND, "breached", 0),
        (BUILD_DUE + timedelta(hours=4) - SECOND, "breached", 0),
        (BUILD_DUE + timedelta(hours=4), "breached", 1),
        (BUILD_DUE + timedelta(hours=12), "breached", 3),
    ],
)
def test_E2_failed_build_by_the_clock(world, build, moment, state, level):
    evaluate_at(moment)
    assert state_and_level(world.user(Role.MANAGER), "build-failed-or-stuck", build.group_id, moment) == (state, level)


def test_E2_a_failed_change_after_the_build_escalates_under_what_it_changes(world, build):
    """#15: a change is a run of steps like the build; once the build succeeded, its failed change
    is the group's open item, named by what it does."""
    ServiceBuild.objects.filter(pk=build.pk).update(status=BuildStatus.SUCCEEDED)
    ServiceBuild.objects.create(
        group=build.group,
        kind="change",
        summary="Add +442079460005",
        status=BuildStatus.FAILED,
        queued_at=BUILD_STARTED,
        started_at=BUILD_STARTED,
    )
    evaluate_at(BUILD_DUE + SECOND)
    escalation = open_escalation("build-failed-or-stuck", build.group_id)
    assert escalation.subject_label == "Change of NorthwindTraders (Northwind): Add +442079460005"


def test_E2_a_stuck_running_build_escalates_too(world, build):
    ServiceBuild.objects.filter(pk=build.pk).update(status=BuildStatus.RUNNING)
    evaluate_at(BUILD_DUE + SECOND)
    escalation = open_escalation("build-failed-or-stuck", build.group_id)
    assert escalation.subject_type == "customer_group"
    assert escalation.subject_label == "Build of NorthwindTraders (Northwind)"
    assert escalation.subject_url == f"/customers/{build.group_id}/"


def test_E2_a_retried_build_keeps_its_clock_and_success_closes_it(world, build):
    evaluate_at(BUILD_DUE + SECOND)
    ServiceBuild.objects.filter(pk=build.pk).update(status=BuildStatus.QUEUED, queued_at=BUILD_DUE + timedelta(hours=1))
    evaluate_at(BUILD_DUE + timedelta(hours=2))
    assert open_escalation("build-failed-or-stuck", build.group_id).started_at == BUILD_STARTED
    ServiceBuild.objects.filter(pk=build.pk).update(status=BuildStatus.SUCCEEDED)
    evaluate_at(BUILD_DUE + timedelta(hours=3))
    assert Escalation.objects.get(subject_id=build.group_id).close_reason == "resolved"


def test_E2_partner_users_see_only_their_own_partners_escalations(world, order, build):
    from escalations.selectors import escalation_open_list

    evaluate_at(BUILD_DUE + SECOND)
    assert set(
        escalation_open_list(user=world.user(Role.PARTNER_USER)).values_list("partner__partner_id", flat=True)
    ) == {"ACME01"}
    assert set(escalation_open_list(user=world.user("partner_b_user")).values_list("subject_type", flat=True)) == {
        "onboarding_order"
    }
    assert escalation_open_list(user=world.user(Role.MANAGER)).count() == 2


def test_O1_order_status_is_the_order_page_state(world, order):
    """The escalation and the order's own O1 badge agree (both read the order's confirmation_due_at)."""
    for moment in (DUE - timedelta(hours=12), DUE, DUE + SECOND):
        evaluate_at(moment)
        with time_machine.travel(moment, tick=False):
            order.refresh_from_db()
            assert (
                order.sla_state
                == state_and_level(world.user(Role.MANAGER), "O1-order-confirmation", order.pk, moment)[0]
            )
    assert order.status == OrderStatus.RECEIVED


def test_E2_the_evaluator_runs_from_the_command_line_and_from_beat(world, order):
    from io import StringIO

    from django.conf import settings
    from django.core.management import call_command

    out = StringIO()
    with time_machine.travel(DUE + SECOND, tick=False):
        call_command("evaluate_escalations", stdout=out)
    assert "opened 1, closed 0, updated 0, new levels 1" in out.getvalue()
    schedule = settings.CELERY_BEAT_SCHEDULE["evaluate-escalations"]
    assert schedule == {"task": "escalations.tasks.evaluate_escalations", "schedule": 300}
    from escalations.tasks import evaluate_escalations

    with time_machine.travel(DUE + SECOND, tick=False):
        assert evaluate_escalations.delay().get() == "opened 0, closed 0, updated 0, new levels 0"


def test_E2_a_quiet_first_run_records_the_levels_reached_without_emailing_and_later_levels_notify(
    world, order, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    with time_machine.travel(DUE + timedelta(hours=13), tick=False), django_capture_on_commit_callbacks(execute=True):
        call_command("evaluate_escalations", "--quiet", stdout=io.StringIO())
    assert EscalationEvent.objects.count() == 2 and mail.outbox == []
    assert open_escalation("O1-order-confirmation", order.pk).level == 1
    evaluate_at(DUE + timedelta(days=10), django_capture_on_commit_callbacks)
    assert [m.to[0] for m in mail.outbox] == [LEVEL_EMAILS[2], LEVEL_EMAILS[3]], "only levels reached after it"
