"""The build engine: steps in order, each once, retries on transient errors, stops on permanent
ones with the platform's reason, resumes on retry, survives a dead worker (sweeper)."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import Role
from customers import build_steps, builds
from customers.models import BuildStep
from customers.services import customer_group_create
from integrations.base import PermanentError, TransientError

from .build_request_data import stock_pool, valid_request
from .fake_platforms import fake_platforms

pytestmark = pytest.mark.django_db


@pytest.fixture
def platforms(monkeypatch):
    fake = fake_platforms()
    monkeypatch.setattr(build_steps, "get_platforms", lambda: fake)
    return fake


@pytest.fixture
def group(world):
    stock_pool(world)
    group, _ = customer_group_create(by=world.user(Role.COORDINATOR), partner=world.partner_a, data=valid_request())
    return group


def start(world, group, django_capture_on_commit_callbacks, role=Role.COORDINATOR):
    with django_capture_on_commit_callbacks(execute=True):
        build, _outcome = builds.build_start(by=world.user(role), group=group)
        return build


def test_a_build_runs_every_step_once_and_leaves_each_object_once(
    world, group, platforms, django_capture_on_commit_callbacks
):
    build = start(world, group, django_capture_on_commit_callbacks)
    build.refresh_from_db()
    assert build.status == "succeeded", build.last_error
    assert list(build.steps.values_list("status", flat=True)) == ["done"] * 10
    bw, ak, cc = platforms.broadworks, platforms.akixi, platforms.callcabinet
    assert bw.groups[("ACME01", "AlphaWidgets")]["template"] == "ACME01-CLONE"
    assert bw.group_numbers_["AlphaWidgets"] == ["+442079460000", "+442079460001", "+442079460002"]
    assert bw.clid["AlphaWidgets"] == {"number": "+442079460000", "present_as_caller_id": False}
    assert list(bw.admins) == ["ada.lovelace@hostedcomm.com"]
    assert ak.users == {"alpha.reports": "P-AlphaWidgets"}
    assert cc.customers == {"AlphaWidgets": "CC-AlphaWidgets"}
    assert platforms.calls.count("add_group_from_template") == 1


def test_transient_faults_are_retried_and_nothing_is_created_twice(
    world, group, platforms, django_capture_on_commit_callbacks
):
    platforms.faults.fail("add_group_from_template", TransientError("connection reset"))
    platforms.faults.fail("add_reporting_user", TransientError("503"), TransientError("503"))
    build = start(world, group, django_capture_on_commit_callbacks)
    build.refresh_from_db()
    assert build.status == "succeeded"
    assert BuildStep.objects.get(build=build, name="clone_group").attempts == 2
    assert BuildStep.objects.get(build=build, name="akixi_users").attempts == 3
    assert platforms.calls.count("add_group_from_template") == 1 and platforms.calls.count("add_reporting_user") == 1


def test_a_permanent_fault_fails_with_the_platforms_reason_and_retry_resumes(
    world, group, platforms, django_capture_on_commit_callbacks
):
    platforms.faults.fail("set_group_clid", PermanentError("CLID is not a number of the group"))
    build = start(world, group, django_capture_on_commit_callbacks)
    build.refresh_from_db()
    assert build.status == "failed"
    assert build.last_error == "Set the business profile number (B1): CLID is not a number of the group"
    failed = BuildStep.objects.get(build=build, name="business_profile")
    assert (failed.status, failed.last_error) == ("failed", "CLID is not a number of the group")
    # The voice portal needs what the business profile needs, not the profile: it ran beside it.
    assert BuildStep.objects.get(build=build, name="voice_portal").status == "done"

    before = list(platforms.calls)
    build = start(world, group, django_capture_on_commit_callbacks)
    build.refresh_from_db()
    assert build.status == "succeeded"
    resumed = platforms.calls[len(before) :]
    assert "group_clid" in resumed, "resumes at the failed step"
    assert "add_group_from_template" not in resumed and "enable_voice_portal" not in resumed, "not at the done ones"


def test_a_transient_fault_that_never_clears_gives_up(
    world, group, platforms, settings, django_capture_on_commit_callbacks
):
    settings.BUILD_STEP_MAX_ATTEMPTS = 3
    platforms.faults.fail("group_exists", *[TransientError("timeout")] * 5)
    build = start(world, group, django_capture_on_commit_callbacks)
    build.refresh_from_db()
    assert build.status == "failed" and "Gave up after 3 attempts: timeout" in build.last_error


def test_K3_the_build_waits_for_akixi_sync(world, group, platforms, django_capture_on_commit_callbacks):
    platforms.akixi.syncs_before_complete = 2
    build = start(world, group, django_capture_on_commit_callbacks)
    build.refresh_from_db()
    assert build.status == "succeeded"
    assert BuildStep.objects.get(build=build, name="akixi_sync").attempts == 3


def test_two_clicks_on_build_make_one_build(world, group, platforms, django_capture_on_commit_callbacks):
    first = start(world, group, django_capture_on_commit_callbacks)
    second, outcome = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
    assert first.pk == second.pk and platforms.calls.count("add_group_from_template") == 1
    assert outcome == builds.StartOutcome.UNCHANGED


def test_a_step_left_running_by_a_dead_worker_is_swept_and_finished(
    world, group, platforms, django_capture_on_commit_callbacks
):
    from customers.models import ServiceBuild

    with django_capture_on_commit_callbacks(execute=False):
        build, _ = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
    # A worker claimed the first step and died: its lease has passed.
    BuildStep.objects.filter(build=build, position=0).update(
        status="running", attempts=1, lease_until=timezone.now() - timedelta(seconds=1)
    )
    ServiceBuild.objects.filter(pk=build.pk).update(status="running")
    with django_capture_on_commit_callbacks(execute=True):
        assert builds.build_sweep() == [build.pk]
    build.refresh_from_db()
    assert build.status == "succeeded" and platforms.calls.count("add_group_from_template") == 1


def test_while_a_step_runs_no_other_delivery_starts_a_later_one(
    world, group, platforms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        build, _ = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
    BuildStep.objects.filter(build=build, position=0).update(
        status="running", claimed_by="first-message", lease_until=timezone.now() + timedelta(minutes=5)
    )
    # Another message for the same build (the sweeper's, or a duplicate) arrives meanwhile:
    assert builds.build_run_next_step(build_id=build.pk, delivery="other-message") == "a step is still running"
    assert list(build.steps.values_list("status", flat=True)) == ["running"] + ["pending"] * 9
    assert platforms.calls == []


def test_a_redelivered_message_takes_back_the_step_its_killed_delivery_was_running(
    world, group, platforms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        build, _ = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
    # The worker child died mid-step: the broker hands the same message (same id) out again, long
    # before the step's lease ends.
    BuildStep.objects.filter(build=build, position=0).update(
        status="running", attempts=1, claimed_by="msg-1", lease_until=timezone.now() + timedelta(minutes=5)
    )
    assert builds.build_run_next_step(build_id=build.pk, delivery="msg-1") == "clone_group done"
    step = BuildStep.objects.get(build=build, position=0)
    assert (step.status, step.attempts) == ("done", 2)
    assert platforms.calls.count("add_group_from_template") == 1


def test_cancel_stops_before_the_next_step(world, group, platforms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        build, _ = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
    builds.build_cancel(by=world.user(Role.COORDINATOR), build=build)
    build.refresh_from_db()
    assert build.status == "cancelled"
    assert builds.build_run_next_step(build_id=build.pk) == "nothing to do: build is cancelled"
    assert platforms.calls == []


def test_partner_users_build_only_their_own_customers(world, group, platforms):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        builds.build_start(by=world.user("partner_b_user"), group=group)


def test_without_a_configured_gateway_the_step_fails_saying_so(
    world, group, monkeypatch, django_capture_on_commit_callbacks
):
    from integrations import platforms as platforms_module

    monkeypatch.setattr(build_steps, "get_platforms", platforms_module.get_platforms)
    build = start(world, group, django_capture_on_commit_callbacks)
    build.refresh_from_db()
    assert build.status == "failed" and "No broadworks gateway is configured" in build.last_error


# --- Durable work (issue #11): the database, not the broker, holds what is due ----------------------


def _running_with_retry_due(build, *, ago: int, position: int = 0):
    """The build is running and step `position` waits for a retry that was due `ago` seconds ago,
    whose countdown message died with its worker."""
    from customers.models import ServiceBuild

    ServiceBuild.objects.filter(pk=build.pk).update(status="running")
    BuildStep.objects.filter(build=build, position=position).update(
        status="pending", attempts=1, last_error="503", next_attempt_at=timezone.now() - timedelta(seconds=ago)
    )


def test_a_retry_whose_message_was_lost_is_woken_by_the_sweeper_and_finishes_once(
    world, group, platforms, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        build, _ = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
    _running_with_retry_due(build, ago=settings.WORK_REQUEUE_AFTER + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert builds.build_sweep() == [build.pk]
    build.refresh_from_db()
    assert build.status == "succeeded" and platforms.calls.count("add_group_from_template") == 1


def test_the_sweeper_leaves_a_step_whose_message_may_still_be_on_its_way(
    world, group, platforms, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as sent:
        build, _ = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
    assert len(sent) == 1, "pressing Build sent one message"
    # Due a moment ago (the message is in the queue), or due in the future (a countdown retry):
    with django_capture_on_commit_callbacks(execute=False) as swept:
        assert builds.build_sweep() == []
        _running_with_retry_due(build, ago=-60)
        assert builds.build_sweep() == []
    assert swept == [] and platforms.calls == []


def test_the_sweeper_wakes_a_build_once_then_waits_for_that_message(
    world, group, platforms, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        build, _ = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
    _running_with_retry_due(build, ago=settings.WORK_REQUEUE_AFTER + 1)
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert builds.build_sweep() == [build.pk]
        assert builds.build_sweep() == [], "the step is due from now: its new message gets its time"
    assert len(sent) == 1


def test_pressing_build_on_a_stalled_build_queues_it_again_and_says_so(
    world, group, platforms, settings, django_capture_on_commit_callbacks
):
    from accounts.models import AuditEvent

    with django_capture_on_commit_callbacks(execute=False):
        build, _ = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
    _running_with_retry_due(build, ago=settings.WORK_REQUEUE_AFTER + 1)
    assert builds.build_stalled(build)
    with django_capture_on_commit_callbacks(execute=True):
        build, outcome = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
    assert outcome == builds.StartOutcome.REQUEUED
    assert "had stopped" in outcome.describe(group)
    build.refresh_from_db()
    assert build.status == "succeeded" and platforms.calls.count("add_group_from_template") == 1
    assert AuditEvent.objects.filter(action="build.requeued", target_id=str(build.pk)).count() == 1


def test_pressing_build_on_a_healthy_running_build_changes_nothing(
    world, group, platforms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        build, _ = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
    # A live worker holds the first step (its heartbeat keeps the lease ahead).
    BuildStep.objects.filter(build=build, position=0).update(
        status="running", attempts=1, claimed_by="msg-1", lease_until=timezone.now() + timedelta(seconds=30)
    )
    assert not builds.build_stalled(build)
    with django_capture_on_commit_callbacks(execute=False) as sent:
        _, outcome = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
    assert outcome == builds.StartOutcome.UNCHANGED and sent == []
    assert BuildStep.objects.get(build=build, position=0).claimed_by == "msg-1"


def test_a_step_taken_back_from_a_worker_does_not_record_that_workers_outcome(
    world, group, platforms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        build, _ = builds.build_start(by=world.user(Role.COORDINATOR), group=group)

    def slow_then_lost(*, step, group):
        # While this worker was stuck, its lease lapsed and another worker claimed the step.
        BuildStep.objects.filter(pk=step.pk).update(claimed_by="another-worker", lease_until=timezone.now())
        return "ours"

    with django_capture_on_commit_callbacks(execute=False) as sent:
        result = builds.build_run_next_step(build_id=build.pk, delivery="msg-1", runner=slow_then_lost)
    assert "taken back" in result and sent == []
    step = BuildStep.objects.get(build=build, position=0)
    assert (step.status, step.claimed_by, step.external_reference) == ("running", "another-worker", "")


def test_the_page_and_the_api_say_when_a_build_was_queued_again(
    world, group, platforms, settings, client, api_as, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        build, _ = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
    _running_with_retry_due(build, ago=settings.WORK_REQUEUE_AFTER + 1)
    client.force_login(world.user(Role.COORDINATOR))
    page = client.get(f"/customers/{group.pk}/").content.decode()
    assert 'data-testid="build-stalled"' in page and "Queue it again" in page

    with django_capture_on_commit_callbacks(execute=False):
        body = api_as(world.user(Role.PARTNER_USER)).post(f"/api/v1/customer-groups/{group.pk}/build/").json()
    assert body["outcome"] == "requeued" and "had stopped" in body["detail"]
    with django_capture_on_commit_callbacks(execute=False):
        body = api_as(world.user(Role.PARTNER_USER)).post(f"/api/v1/customer-groups/{group.pk}/build/").json()
    assert body["outcome"] == "unchanged", "queued again just now: its message gets its time"
    page = client.get(f"/customers/{group.pk}/").content.decode()
    assert 'data-testid="build-stalled"' not in page


def test_a_step_whose_worker_dies_every_time_gives_up_instead_of_looping(
    world, group, platforms, settings, django_capture_on_commit_callbacks
):
    settings.BUILD_STEP_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=False):
        build, _ = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
    # Three runs claimed it and died (their leases lapsed); the fourth claim stops.
    BuildStep.objects.filter(build=build, position=0).update(
        status="running", attempts=3, lease_until=timezone.now() - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = builds.build_run_next_step(build_id=build.pk)
    assert result.startswith("clone_group failed: Gave up after 4 attempts: the worker running it stopped")
    build.refresh_from_db()
    assert build.status == "failed" and platforms.calls == []


# --- A build is a graph (issue #14): each step runs as soon as what it needs is done ---------------


def _run(build, step_name, **kwargs):
    step = BuildStep.objects.get(build=build, name=step_name)
    return builds.build_run_next_step(build_id=build.pk, step_id=step.pk, **kwargs)


def _group_made_and_admins_refused(world, group, platforms, capture):
    """The build's group is made (its messages not delivered); its admin will be refused by BroadWorks."""
    platforms.faults.fail("add_group_admin", PermanentError("User ID already exists"))
    with capture(execute=False):
        build, _ = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
        _run(build, "clone_group")
    return build


def test_G6_once_the_group_exists_the_akixi_and_call_cabinet_chains_start_beside_broadworks(
    world, group, platforms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as sent:
        build, _ = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
    assert len(sent) == 1, "only the group can be made first"
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert _run(build, "clone_group") == "clone_group done"
    due = set(build.steps.filter(next_attempt_at__isnull=False, status="pending").values_list("name", flat=True))
    assert due == {"pool_numbers", "admins", "akixi_partition", "callcabinet_customer"}
    assert len(sent) == 4, "one message per step that became ready"
    # A step whose needs are not done is not started, whoever asks.
    assert _run(build, "assign_numbers").startswith("no step is ready")
    assert _run(build, "akixi_users").startswith("no step is ready")
    assert platforms.calls.count("assign_numbers") == 0


def test_while_a_broadworks_step_runs_an_akixi_step_runs_too_but_nothing_that_needs_it(
    world, group, platforms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        build, _ = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
        _run(build, "clone_group")
    BuildStep.objects.filter(build=build, name="pool_numbers").update(
        status="running", claimed_by="broadworks-message", lease_until=timezone.now() + timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert _run(build, "akixi_partition", delivery="akixi-message") == "akixi_partition done"
        assert _run(build, "pool_numbers", delivery="other-message") == "a step is still running"
    assert len(sent) == 1, "akixi_sync was woken; nothing waits on the running pool step yet"
    assert BuildStep.objects.get(build=build, name="pool_numbers").claimed_by == "broadworks-message"


def test_a_failure_in_one_chain_lets_the_running_step_of_another_finish_and_starts_nothing_new(
    world, group, platforms, django_capture_on_commit_callbacks
):
    build = _group_made_and_admins_refused(world, group, platforms, django_capture_on_commit_callbacks)

    def callcabinet_while_admins_fail(**kwargs):
        # The Call Cabinet step is talking to Call Cabinet when, in another worker, the admins step fails.
        assert _run(build, "admins") == "admins failed: User ID already exists"
        return "CC-1"

    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert _run(build, "callcabinet_customer", runner=callcabinet_while_admins_fail) == "callcabinet_customer done"
        assert _run(build, "pool_numbers") == "nothing to do: build is failed"
    build.refresh_from_db()
    assert build.status == "failed" and build.last_error.endswith("User ID already exists")
    step = BuildStep.objects.get(build=build, name="callcabinet_customer")
    assert step.status == "done" and step.external_reference == "CC-1", "its outcome is kept for the retry"
    assert [len(sent), platforms.calls.count("add_numbers_to_service_provider")] == [1, 0], "only the failure email"


def test_two_failures_side_by_side_fail_the_build_once_with_the_first_reason(
    world, group, platforms, django_capture_on_commit_callbacks
):
    from django_fsm_log.models import StateLog

    platforms.faults.fail("add_group_admin", PermanentError("User ID already exists"))
    platforms.faults.fail("add_partition", PermanentError("Billing ID in use"))
    with django_capture_on_commit_callbacks(execute=False):
        build, _ = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
        _run(build, "clone_group")
        _run(build, "admins")
        assert _run(build, "akixi_partition") == "nothing to do: build is failed"
    build.refresh_from_db()
    assert build.last_error == "Add group administrators (A1, A2): User ID already exists"
    assert StateLog.objects.filter(object_id=build.pk, transition="fail").count() == 1


def test_cancel_waits_for_every_running_step_then_cancels(world, group, platforms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        build, _ = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
        _run(build, "clone_group")
    for name in ("admins", "akixi_partition"):
        assert builds.BUILD_STEPS.claim(BuildStep.objects.get(build=build, name=name).pk, token=name, status="running")
    builds.build_cancel(by=world.user(Role.COORDINATOR), build=build)
    with django_capture_on_commit_callbacks(execute=False) as sent:
        _run(build, "admins", delivery="admins", runner=lambda **kwargs: "")
        build.refresh_from_db()
        assert build.status == "running", "the Akixi step is still talking to Akixi"
        _run(build, "akixi_partition", delivery="akixi_partition", runner=lambda **kwargs: "")
    build.refresh_from_db()
    assert build.status == "cancelled" and sent == []
    assert set(build.steps.filter(status="running").values_list("name", flat=True)) == set()


@pytest.mark.django_db(transaction=True)
def test_G6_the_last_two_steps_finishing_at_the_same_moment_finish_the_build_once(world, platforms):
    """Each records its outcome under the build's row lock, so the second sees the first done and
    the build succeeds, once. Real concurrency needs PostgreSQL: two threads, two connections."""
    import threading

    from django.db import connections
    from django_fsm_log.models import StateLog

    from tests.services import require_postgresql

    require_postgresql()
    stock_pool(world)
    group, _ = customer_group_create(by=world.user(Role.COORDINATOR), partner=world.partner_a, data=valid_request())
    build, _ = builds.build_start(by=world.user(Role.COORDINATOR), group=group)  # runs eagerly, to the end
    build.refresh_from_db()
    assert build.status == "succeeded"
    # Back to the moment before the last two steps (one per chain) ran.
    from customers.models import ServiceBuild

    ServiceBuild.objects.filter(pk=build.pk).update(status="running", finished_at=None)
    last = ("voice_portal", "akixi_users")
    BuildStep.objects.filter(build=build, name__in=last).update(status="pending", next_attempt_at=None)
    both_ran = threading.Barrier(2, timeout=20)
    results, errors = [], []

    def finish(name):
        def runner(**kwargs):
            both_ran.wait()  # both steps are done on the platforms before either records it
            return "ok"

        try:
            results.append(_run(build, name, delivery=f"msg-{name}", runner=runner))
        except Exception as exc:  # reported below, with the thread's own error
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=finish, args=(name,)) for name in last]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and sorted(results) == ["akixi_users done", "voice_portal done"]
    build.refresh_from_db()
    assert build.status == "succeeded"
    assert StateLog.objects.filter(object_id=build.pk, transition="succeed").count() == 2, "once before, once now"


def test_each_run_of_a_step_and_the_build_s_end_are_measured_for_metrics(
    world, group, platforms, client, django_capture_on_commit_callbacks
):
    from tests.portal.test_metrics import scrape, value

    before = scrape(client)
    platforms.faults.fail("add_partition", TransientError("503"))
    start(world, group, django_capture_on_commit_callbacks)
    after = scrape(client)

    def runs(step, outcome):
        name = "portal_build_step_duration_seconds_count"
        return value(after, name, step=step, outcome=outcome) - value(before, name, step=step, outcome=outcome)

    assert [runs("akixi_partition", "retrying"), runs("akixi_partition", "done"), runs("clone_group", "done")] == [
        1,
        1,
        1,
    ]
    ended = "portal_build_duration_seconds_count"
    assert value(after, ended, outcome="succeeded") - value(before, ended, outcome="succeeded") == 1


def test_a_retry_pressed_while_a_step_of_the_failed_build_still_runs_lets_that_step_wake_what_follows(
    world, group, platforms, django_capture_on_commit_callbacks
):
    build = _group_made_and_admins_refused(world, group, platforms, django_capture_on_commit_callbacks)

    def partition_outlives_the_failure_and_the_retry(**kwargs):
        assert _run(build, "admins").startswith("admins failed")
        _, outcome = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
        assert outcome == builds.StartOutcome.RETRYING
        return build_steps.run_step(**kwargs)  # and only now does the partition step end

    with django_capture_on_commit_callbacks(execute=False):
        _run(build, "akixi_partition", runner=partition_outlives_the_failure_and_the_retry)
    sync = BuildStep.objects.get(build=build, name="akixi_sync")
    assert sync.status == "pending" and sync.next_attempt_at is not None, "woken by the step that unblocked it"


def test_a_task_goes_straight_on_to_a_step_it_made_ready_and_messages_the_others(
    world, group, platforms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        build, _ = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
    step = BuildStep.objects.get(build=build, name="clone_group")
    with django_capture_on_commit_callbacks(execute=False) as sent:
        result = builds.build_run_next_step(
            build_id=build.pk, step_id=step.pk, delivery="msg-1", carry_on_until=time.monotonic() + 60
        )
    # No hand-over along the BroadWorks chain, to its longest end (the voice portal has three round
    # trips, the business profile two); the others got a message each.
    assert result == ("clone_group done; then pool_numbers done; then assign_numbers done; then voice_portal done")
    assert len(sent) == 3 + 1, "admins, the Akixi partition and Call Cabinet; then the business profile"
    business_profile = BuildStep.objects.get(build=build, name="business_profile")
    assert business_profile.next_attempt_at is not None, "due, for the sweeper"


def test_the_run_carries_on_along_the_chain_with_the_most_round_trips_ahead():
    ahead = {name: builds.round_trips_ahead(name) for name in builds.STEP_NEEDS}
    assert ahead["voice_portal"] > ahead["business_profile"]
    assert ahead["pool_numbers"] == 2 + 2 + 3, "the pool, the numbers, then the voice portal"
    assert ahead["clone_group"] == 4 + max(ahead["pool_numbers"], ahead["akixi_partition"], ahead["admins"])


def test_a_step_carried_on_to_is_claimed_where_the_step_before_it_is_recorded(
    world, group, platforms, django_capture_on_commit_callbacks
):
    """No message and no second read of the build between two steps of a chain: the next step is
    already the run's, so a worker that dies before running it leaves it to its lease and the sweeper."""
    with django_capture_on_commit_callbacks(execute=False):
        build, _ = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
    seen = {}

    def runner(*, step, group):
        row = BuildStep.objects.get(pk=step.pk)
        seen[step.name] = (row.status, row.claimed_by, row.next_attempt_at is None, row.lease_until is not None)
        if step.name == "pool_numbers":
            raise TransientError("stop the chain here")
        return build_steps.run_step(step=step, group=group)

    clone = BuildStep.objects.get(build=build, name="clone_group")
    with django_capture_on_commit_callbacks(execute=False) as sent:
        builds.build_run_next_step(
            build_id=build.pk, step_id=clone.pk, delivery="msg-1", runner=runner, carry_on_until=time.monotonic() + 60
        )
    assert seen["pool_numbers"] == ("running", "msg-1", True, True), "claimed, never made due: no message of its own"
    assert len(sent) == 3 + 1, "admins, the Akixi partition and Call Cabinet; then the pool step's retry"


def test_a_redelivered_message_takes_back_the_step_its_killed_delivery_had_carried_on_to(
    world, group, platforms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        build, _ = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
        _run(build, "clone_group", delivery="msg-1")
    # The same message carried on to the pool step, and its worker died there.
    BuildStep.objects.filter(build=build, name="pool_numbers").update(
        status="running", attempts=1, claimed_by="msg-1", lease_until=timezone.now() + timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=False):
        assert _run(build, "clone_group", delivery="msg-1") == "pool_numbers done"
    assert BuildStep.objects.get(build=build, name="pool_numbers").attempts == 2
