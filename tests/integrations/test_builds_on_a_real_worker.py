"""Customer builds run by a real Celery worker process, through real Redis, against the three
simulators running as their own processes over sockets: what CI exists to prove (issues #5, #11).

- transient faults on several calls still end with exactly one of each object;
- a permanent fault fails the build with the platform's reason, and retry succeeds once it clears;
- a worker child killed with SIGKILL mid-step, and the whole worker killed and restarted, at several
  points: every build completes, nothing is created twice; a dead worker's step is taken back when
  its lease lapses (a lease and a sweep), a slow step on a live worker never is (its heartbeat);
- two clicks on "build" at the same moment make one build;
- a canary password used in a build, and the platform credentials, appear in no log, ExternalCall
  row, task message or Redis.

The stack (worker_stack.py) runs with production's visibility timeout, so a message lost with a
killed worker stays lost: what recovers the work is the database (leases and the sweeper).
"""

import json
import os
import threading
import time
from collections import Counter

import pytest
from django.db import connection

from accounts.choices import Role
from customers.builds import ROUND_TRIPS
from customers.models import ServiceBuild
from integrations.broadworks.simulator import make_fault, write_faults
from integrations.models import ExternalCall

from .worker_stack import (
    AK_KEY,
    AKIXI_API,
    BW_PASSWORD,
    CALLCABINET_API,
    CANARY,
    CC_KEY,
    RedisMonitor,
    Stack,
    assert_built_exactly_once,
    decoded_tokens,
    new_group,
    press_build,
    wait_for,
    wait_until_running,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_transient_faults_on_several_calls_still_build_exactly_one_of_each_and_no_password_leaks(
    stack, world, api_as, settings
):
    monitor = RedisMonitor(settings.REDIS_URL or os.environ["REDIS_URL"])
    group = new_group(world, 0, password=CANARY)
    # OCI-P: the connection drops before the group is made, then the reply to the number assignment
    # is lost after it was carried out; Akixi and Call Cabinet are briefly unavailable.
    write_faults(
        stack.bw_faults,
        [
            make_fault("disconnect", request="GroupConsolidatedAddRequest"),
            make_fault("drop", request="GroupDnAssignListRequest"),
            make_fault("reset", request="GroupAdminAddRequest"),
        ],
    )
    stack.rest_faults(stack.akixi_url, [{"kind": "unavailable", "method": "POST", "count": 2}])
    stack.rest_faults(stack.callcabinet_url, [{"kind": "unavailable", "path": f"{CALLCABINET_API}/customers"}])

    press_build(api_as, world, group)
    build = wait_for(group)

    assert build.status == "succeeded", list(build.steps.values_list("name", "last_error"))
    assert build.steps.filter(attempts__gt=1).count() >= 4, "the faults were met and retried"
    assert_built_exactly_once(stack, [group])
    redis_traffic = monitor.stop()
    assert "customers.tasks.run_build_step" in redis_traffic, "the monitor saw the task messages"
    assert f"[{build.pk}, " in decoded_tokens(redis_traffic), "and could read their arguments (build, step)"
    for where, text in {
        "Redis (raw)": redis_traffic,
        "Redis (decoded messages)": decoded_tokens(redis_traffic),
        "worker and beat logs": stack.all_logs(),
        "ExternalCall rows": json.dumps(list(ExternalCall.objects.values("request", "response", "error"))),
    }.items():
        for secret in (CANARY, BW_PASSWORD, AK_KEY, CC_KEY):  # the admin's password and our credentials
            assert secret not in text, f"a secret appears in {where}"


def test_a_permanent_fault_fails_with_the_platforms_reason_and_retry_succeeds_once_cleared(stack, world, api_as):
    group = new_group(world, 1)
    reason = "Provider ACME01 is suspended in Call Cabinet"
    stack.rest_faults(
        stack.callcabinet_url,
        [{"kind": "reject", "status": 403, "reason": reason, "method": "POST", "path": f"{CALLCABINET_API}/customers"}],
    )

    press_build(api_as, world, group)
    build = wait_for(group)
    assert build.status == "failed"
    assert reason in build.last_error
    failed = build.steps.get(status="failed")
    assert failed.name == "callcabinet_customer" and reason in failed.last_error
    shown = api_as(world.user(Role.PARTNER_USER)).get(f"/api/v1/customer-groups/{group.pk}/").json()["build"]
    assert shown["status"] == "failed" and any(reason in (s["error"] or "") for s in shown["steps"])

    # The fault was used up (the cause "fixed"): retry resumes at the failed step and finishes.
    press_build(api_as, world, group)
    build = wait_for(group, statuses=("succeeded", "failed"))
    assert build.status == "succeeded", build.last_error
    assert_built_exactly_once(stack, [group])


KILL_POINTS = [
    # (step, how to hold it mid-call long enough to kill the worker there)
    ("clone_group", "broadworks", "GroupConsolidatedAddRequest"),  # carried out, reply not yet sent
    ("admins", "broadworks", "GroupAdminAddRequest"),
    ("akixi_users", "akixi", f"{AKIXI_API}/admin/user"),  # killed before Akixi carries it out
    ("callcabinet_customer", "callcabinet", f"{CALLCABINET_API}/customers"),
]


def hold(stack: Stack, platform: str, target: str) -> None:
    if platform == "broadworks":
        stack.broadworks_fault("delay", target, delay_seconds=2.5)
    else:
        url = stack.akixi_url if platform == "akixi" else stack.callcabinet_url
        stack.rest_faults(url, [{"kind": "slow", "method": "POST", "path": target, "delay_ms": 2500}])


def test_a_worker_child_killed_mid_step_at_several_points_finishes_every_build_once(stack, world, api_as):
    groups = []
    for index, (step, platform, target) in enumerate(KILL_POINTS):
        group = new_group(world, index)
        groups.append(group)
        hold(stack, platform, target)
        press_build(api_as, world, group)
        wait_until_running(group, step)
        time.sleep(0.5)  # inside the platform call
        stack.kill_worker_child()
        build = wait_for(group)
        assert build.status == "succeeded", list(build.steps.values_list("name", "status", "last_error"))
        assert build.steps.get(name=step).attempts == 2, "the killed step ran again, once"
    assert stack.worker.poll() is None, "the worker itself stayed up and replaced its child"
    assert_built_exactly_once(stack, groups)


def test_the_whole_worker_killed_and_restarted_finishes_every_build_once_within_a_lease_and_a_sweep(
    stack, world, api_as
):
    """SIGKILL of the whole worker: its message is never redelivered here (visibility timeout: an
    hour); its step's lease lapses within WORK_LEASE_SECONDS, the sweeper takes it back, and the new
    worker runs it, long before any time limit could have."""
    groups = []
    taken_back_within = stack.setting("WORK_LEASE_SECONDS") + stack.setting("WORK_SWEEP_INTERVAL") + 10
    assert taken_back_within < stack.setting("CELERY_TASK_TIME_LIMIT")
    for index, (step, platform, target) in enumerate(KILL_POINTS[::3]):  # BroadWorks and Call Cabinet
        group = new_group(world, 4 + index)
        groups.append(group)
        hold(stack, platform, target)
        press_build(api_as, world, group)
        wait_until_running(group, step)
        time.sleep(0.5)
        stack.kill_whole_worker()
        killed_at = time.time()
        stack.start_worker()
        build = wait_for(group)
        assert build.status == "succeeded", list(build.steps.values_list("name", "status", "last_error"))
        retaken = build.steps.get(name=step)
        assert retaken.attempts == 2, "the killed step ran again, once"
        # (A worker's start takes a few seconds of the slack; 10 s where production waits a minute.)
        assert retaken.started_at.timestamp() - killed_at < taken_back_within, "taken back by its lapsed lease"
    assert_built_exactly_once(stack, groups)


@pytest.mark.stack_env(WORK_LEASE_SECONDS="3", BROADWORKS_TIMEOUT="20")
def test_a_slow_step_on_a_live_worker_keeps_its_claim_through_its_heartbeat(stack, world, api_as):
    """A platform call three leases long: the worker renews its lease, so the sweeper never takes
    the step back and nothing else runs it meanwhile."""
    group = new_group(world, 7)
    stack.broadworks_fault("delay", "GroupConsolidatedAddRequest", delay_seconds=9)
    press_build(api_as, world, group)
    build = wait_for(group)
    assert build.status == "succeeded", list(build.steps.values_list("name", "status", "last_error"))
    assert build.steps.get(name="clone_group").attempts == 1
    assert ExternalCall.objects.filter(operation="add_group_from_template", target="ACME01/Customer7").count() == 1
    assert_built_exactly_once(stack, [group])


def test_two_clicks_at_the_same_moment_make_one_build(stack, world):
    from django.test import Client

    group = new_group(world, 6)
    barrier = threading.Barrier(2)
    statuses = []

    def click():
        client = Client()
        client.force_login(world.user(Role.COORDINATOR))
        barrier.wait()
        statuses.append(client.post(f"/api/v1/customer-groups/{group.pk}/build/").status_code)
        connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    build = wait_for(group)
    assert build.status == "succeeded"
    assert ServiceBuild.objects.filter(group=group).count() == 1
    assert statuses == [200, 200], "both clicks answer with the one build"
    assert_built_exactly_once(stack, [group])
    group_adds = ExternalCall.objects.filter(operation="add_group_from_template", target="ACME01/Customer6")
    assert group_adds.count() == 1, "one build ran its steps once"


def _new_partner_through_o2_then_its_first_build(stack, world, api_as):
    """BETA02, on no platform yet: O2 started through the API and run by the worker, then live,
    then its first customer's build pressed; returns that build once it has ended."""
    from customers.services import customer_group_create
    from number_pool.services import numbers_add
    from onboarding.models import OnboardingOrder
    from tests.customers.build_request_data import valid_request
    from tests.onboarding.walk import new_order, record_remaining_training, run

    order = new_order(world)
    for name, role in [("confirm", Role.PROVISIONING_ADMIN), ("assign_coordinator", Role.MANAGER)]:
        order = run(world, order, name, role)
    started = api_as(world.user(Role.COORDINATOR)).post(f"/api/v1/onboarding-orders/{order.pk}/accounts/create/")
    assert started.status_code == 202, started.content
    deadline = time.monotonic() + 90
    while OnboardingOrder.objects.get(pk=order.pk).status != "accounts_created":
        accounts = list(order.accounts.values_list("platform", "status", "error"))
        assert time.monotonic() < deadline, f"O2 did not finish: {accounts}"
        assert not any(status == "failed" for _, status, _ in accounts), accounts
        time.sleep(0.3)
    run(world, order, "arrange_kickoff", Role.COORDINATOR)
    order = record_remaining_training(world, OnboardingOrder.objects.get(pk=order.pk))
    run(world, order, "go_live", Role.COORDINATOR)
    numbers = [f"+44161496{n:04d}" for n in range(3)]
    numbers_add(by=world.user(Role.PROVISIONING_ADMIN), partner=world.partner_b, numbers=numbers)
    group, _ = customer_group_create(
        by=world.user(Role.COORDINATOR),
        partner=world.partner_b,
        data=valid_request(
            group_id="BetaBakery",
            name="Beta Bakery Ltd",
            numbers=numbers,
            business_profile_number=numbers[0],
            voice_portal__number=numbers[1],
            akixi__users=[{"username": "beta.reports", "full_name": "Bea Baker", "email": "bea@beta.invalid"}],
        ),
    )
    press_build(api_as, world, group)
    return wait_for(group)


def test_O2_a_new_partner_onboarded_by_the_worker_builds_its_first_customer_on_the_strict_simulators(
    stack, world, api_as
):
    """Issue #13: on simulators that refuse what BroadWorks would, a partner new to every platform is
    taken through O2 by the worker (its service provider authorised like its template, its clone
    group, its Partner Portal login), goes live, and its first customer build succeeds."""
    build = _new_partner_through_o2_then_its_first_build(stack, world, api_as)
    assert build.status == "succeeded", list(build.steps.values_list("name", "last_error"))
    sp = stack.bw()["service_providers"]["BETA02"]
    assert "Call Recording" in sp["user_services"] and sp["service_packs"], "authorised like its template"
    assert stack.bw()["users"]["BETA02-admin"]["kind"] == "service_provider_admin"
    built = sp["groups"]["BetaBakery"]
    assert sorted(built["dns"]) == ["+44-1614960000", "+44-1614960001", "+44-1614960002"]


@pytest.mark.stack_env(BROADWORKS_AUTHORISE_SERVICE_PROVIDER="false")
def test_O2_without_the_authorisation_step_the_first_build_fails_with_broadworks_error_on_the_page(
    stack, world, api_as, client
):
    """The same, with O2's service-provider authorisation switched off: the simulator is strict where
    it matters, and the co-ordinator sees BroadWorks' own refusal."""
    build = _new_partner_through_o2_then_its_first_build(stack, world, api_as)
    assert build.status == "failed" and build.steps.get(status="failed").name == "clone_group"
    assert "[Error 4403] Service not authorized for service provider BETA02: " in build.last_error
    client.force_login(world.user(Role.COORDINATOR))
    page = client.get(build.group.get_absolute_url()).content.decode()
    assert "Service not authorized for service provider BETA02" in page
    assert "BetaBakery" not in stack.bw()["service_providers"]["BETA02"]["groups"]


@pytest.mark.stack_env(CELERY_WORKER_POOL="threads", CELERY_WORKER_CONCURRENCY="8")
def test_a_thread_pool_worker_runs_the_chains_of_several_builds_side_by_side_each_step_once(stack, world, api_as):
    """The production pool (decision 86): steps of four builds at once in one worker process. Each
    build's Akixi and Call Cabinet chains overlap its BroadWorks number work (decision 85), and
    every platform object is still made once."""
    groups = [new_group(world, index) for index in range(4)]
    for group in groups:
        press_build(api_as, world, group)
    builds = [wait_for(group) for group in groups]
    assert [b.status for b in builds] == ["succeeded"] * 4, [b.last_error for b in builds]
    assert_built_exactly_once(stack, groups)
    # (The Akixi sync step polls: it retries until Akixi says the sync is done.)
    assert all(s.attempts == 1 for b in builds for s in b.steps.exclude(name="akixi_sync")), "no step ran twice"

    def overlap(build, one, other):
        a, b = build.steps.get(name=one), build.steps.get(name=other)
        return a.started_at < b.finished_at and b.started_at < a.finished_at

    side_by_side = [
        b
        for b in builds
        if any(overlap(b, chain, bw) for chain in ("akixi_partition", "akixi_sync", "callcabinet_customer")
               for bw in ("pool_numbers", "assign_numbers", "admins"))
    ]  # fmt: skip
    assert side_by_side, "in no build did a step of another platform run beside the BroadWorks work"
    # What decides which step a run carries on to (customers.builds.ROUND_TRIPS) is what a first
    # build makes: here the numbers are on the partner's pool already (one round trip fewer), and
    # the Akixi sync polls until the sync is done, as often as it takes.
    for build in builds:
        made = Counter(
            ExternalCall.objects.filter(context__startswith=f"build:{build.pk}/step:").values_list("context", flat=True)
        )
        per_step = {context.split("/step:", 1)[1]: count for context, count in made.items()}
        first_build = set(build.steps.values_list("name", flat=True)) - {"akixi_sync"}  # (not a change's steps)
        expected = {name: n for name, n in ROUND_TRIPS.items() if name in first_build} | {"pool_numbers": 1}
        assert {name: n for name, n in per_step.items() if name != "akixi_sync"} == expected
