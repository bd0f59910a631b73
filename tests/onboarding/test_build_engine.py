"""The build engine: steps in order, each once, retries on transient errors, stops on permanent
ones with the platform's reason, resumes on retry, survives a dead worker (sweeper)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import Role
from integrations.base import PermanentError, TransientError
from onboarding import build_steps, builds, services
from onboarding.models import BuildStep, GroupAdmin

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
    group, _ = services.customer_group_create(
        by=world.user(Role.COORDINATOR), partner=world.partner_a, data=valid_request()
    )
    return group


def start(world, group, django_capture_on_commit_callbacks, role=Role.COORDINATOR):
    with django_capture_on_commit_callbacks(execute=True):
        return builds.build_start(by=world.user(role), group=group)


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
    assert bw.clid["AlphaWidgets"] == "+442079460000"
    assert list(bw.admins) == ["ada.lovelace@hostedcomm.com"]
    assert ak.users == {"alpha.reports": "P-AlphaWidgets"}
    assert cc.customers == {"AlphaWidgets": "CC-AlphaWidgets"}
    assert platforms.calls.count("add_group_from_template") == 1


def test_A2_the_admin_password_is_wiped_once_the_platform_has_it(
    world, group, platforms, django_capture_on_commit_callbacks
):
    start(world, group, django_capture_on_commit_callbacks)
    admin = GroupAdmin.objects.get()
    assert admin.password_encrypted == "" and admin.password_wiped_at is not None
    assert len(platforms.broadworks.admins["ada.lovelace@hostedcomm.com"]) >= 12


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
    assert BuildStep.objects.get(build=build, name="voice_portal").status == "pending", "stops at the failure"

    before = list(platforms.calls)
    build = start(world, group, django_capture_on_commit_callbacks)
    build.refresh_from_db()
    assert build.status == "succeeded"
    resumed = platforms.calls[len(before) :]
    assert "add_group_from_template" not in resumed and resumed[0] == "group_clid", "resumes at the failed step"


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
    second = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
    assert first.pk == second.pk and platforms.calls.count("add_group_from_template") == 1


def test_a_step_left_running_by_a_dead_worker_is_swept_and_finished(
    world, group, platforms, django_capture_on_commit_callbacks
):
    from onboarding.models import ServiceBuild

    with django_capture_on_commit_callbacks(execute=False):
        build = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
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
        build = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
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
        build = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
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
        build = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
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
