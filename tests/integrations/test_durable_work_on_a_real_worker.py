"""Issue #11 with a real worker process, real Redis and the simulators as processes: work whose retry
was a countdown message held by a worker killed with SIGKILL is finished by a new worker, because
the database, not the broker, says it is due (a customer build, a partner account, ported
numbers); and health says when no worker is running.

The broker here keeps a killed worker's messages for an hour (production's visibility timeout):
each test checks that the retry message is still stuck in Redis, so the recovery it sees can only
be the sweeper's.
"""

import time
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from customers.models import BuildStep
from integrations.broadworks.simulator import make_fault, write_faults
from integrations.models import ExternalCall
from onboarding import partner_accounts
from onboarding.choices import OrderStatus
from onboarding.models import OnboardingAccount, OnboardingOrder
from porting import services as porting_services
from porting.choices import PortStatus
from porting.models import PortRequest
from tests.onboarding.walk import new_order
from tests.onboarding.walk import run as run_order
from tests.porting.walk import port_in_state

from .worker_stack import AKIXI_API, assert_built_exactly_once, new_group, press_build, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # Long enough a countdown that the worker surely holds the retry message when it is killed.
    pytest.mark.stack_env(WORK_RETRY_BASE_DELAY="6", WORK_RETRY_MAX_DELAY="6"),
]


def recovery_deadline(stack) -> float:
    """The issue's bound: the retry's due time, plus the sweep interval, plus a minute."""
    return stack.setting("WORK_RETRY_BASE_DELAY") + stack.setting("WORK_SWEEP_INTERVAL") + 60


def wait_until(condition, *, deadline: float, what: str):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if found := condition():
            return found
        time.sleep(0.1)
    pytest.fail(f"{what} did not happen within {deadline:.0f} s")


def kill_while_holding_retry(stack, task: str, args: list) -> None:
    """Once the worker has fetched the countdown message of `task(*args)` (it holds it until its
    time comes), kill the whole worker and start another. The message stays unacknowledged in Redis:
    the broker will not hand it out again before its visibility timeout."""
    wait_until(lambda: args in stack.unacked_retries(task), deadline=30, what=f"the worker taking {task}{args}")
    stack.kill_whole_worker()
    stack.start_worker()
    assert args in stack.unacked_retries(task), "the retry message died with its worker"


def test_a_build_whose_retry_died_with_its_worker_finishes_once(stack, world, api_as):
    group = new_group(world, 0)
    # Akixi is briefly unavailable when the reporting user is added: the step asks to be run again.
    stack.rest_faults(
        stack.akixi_url, [{"kind": "unavailable", "method": "POST", "path": f"{AKIXI_API}/admin/user", "count": 1}]
    )
    press_build(api_as, world, group)
    step = wait_until(
        lambda: BuildStep.objects.filter(
            build__group=group, name="akixi_users", status="pending", attempts=1, next_attempt_at__gt=timezone.now()
        ).first(),
        deadline=60,
        what="the Akixi users step scheduling its retry",
    )
    kill_while_holding_retry(stack, "customers.tasks.run_build_step", [step.build_id, step.pk])

    build = wait_for(group, deadline=recovery_deadline(stack))
    assert build.status == "succeeded", list(build.steps.values_list("name", "status", "last_error"))
    assert build.steps.get(name="akixi_users").attempts == 2
    assert_built_exactly_once(stack, [group])


# A longer retry delay here: the worker (one process) first runs the BroadWorks account, whose first
# OCI-P call imports the client library (seconds), and the Akixi retry must still be waiting when the
# test kills the worker holding it, not already running.
@pytest.mark.stack_env(WORK_RETRY_BASE_DELAY="15", WORK_RETRY_MAX_DELAY="15")
def test_a_partner_account_whose_retry_died_with_its_worker_is_created_once(stack, world):
    order = new_order(world)  # partner B, which no platform knows yet
    for name, role in [("confirm", Role.PROVISIONING_ADMIN), ("assign_coordinator", Role.MANAGER)]:
        order = run_order(world, order, name, role)
    stack.rest_faults(stack.akixi_url, [{"kind": "unavailable", "method": "POST", "count": 1}])
    partner_accounts.accounts_provision_start(by=world.user(Role.COORDINATOR), order=order)
    wait_until(
        lambda: OnboardingAccount.objects.filter(
            order=order, platform="akixi", status="in_progress", attempts=1, next_attempt_at__gt=timezone.now()
        ).exists(),
        deadline=30,
        what="the Akixi account scheduling its retry",
    )
    kill_while_holding_retry(stack, "onboarding.tasks.provision_partner_account", [order.pk, "akixi"])

    wait_until(
        lambda: OnboardingOrder.objects.get(pk=order.pk).status == OrderStatus.ACCOUNTS_CREATED,
        deadline=recovery_deadline(stack),
        what="all three partner accounts",
    )
    akixi = OnboardingAccount.objects.get(order=order, platform="akixi")
    assert (akixi.status, akixi.attempts, akixi.reference) == ("done", 2, "BETA02")
    assert "BETA02" in stack.akixi()["resellers"] and "BETA02" in stack.bw()["service_providers"]
    created = ExternalCall.objects.filter(platform="akixi", operation="add_reseller", outcome="ok")
    assert created.count() == 1, "created once: the retry, not a second account"


def test_ported_numbers_whose_retry_died_with_their_worker_reach_broadworks_once(stack, world):
    # The connection drops before BroadWorks adds the numbers: the step asks to be run again. The
    # numbers go onto BroadWorks from the acceptance (port-day readiness, #18).
    write_faults(stack.bw_faults, [make_fault("disconnect", request="ServiceProviderDnAddListRequest")])
    accepted = port_in_state(world, PortStatus.ACCEPTED)
    wait_until(
        lambda: PortRequest.objects.filter(
            pk=accepted.pk, platform_status="pending", platform_attempts=1, platform_next_attempt_at__gt=timezone.now()
        ).exists(),
        deadline=30,
        what="the BroadWorks step scheduling its retry",
    )
    kill_while_holding_retry(stack, "porting.tasks.add_ported_numbers_to_platform", [accepted.pk])

    wait_until(
        lambda: PortRequest.objects.get(pk=accepted.pk).platform_status == "done",
        deadline=recovery_deadline(stack),
        what="the numbers reaching BroadWorks",
    )
    done = PortRequest.objects.get(pk=accepted.pk)
    assert done.platform_attempts == 2
    on_broadworks = {n.replace("-", "") for n in stack.bw()["service_providers"]["ACME01"]["dns"]}  # +44-...
    assert set(done.numbers) <= on_broadworks
    # Completion runs the step again for the new status; everything is on the pool already.
    porting_services.port_request_complete(by=world.user(Role.COORDINATOR), port_request=done)
    wait_until(
        lambda: PortRequest.objects.get(pk=done.pk).platform_status == "done",
        deadline=30,
        what="the step after completion",
    )
    added = ExternalCall.objects.filter(operation="add_numbers_to_service_provider", outcome="ok")
    assert added.count() == 1, "added once, at acceptance"
    added = ExternalCall.objects.filter(operation="add_numbers_to_service_provider", context=f"port:{done.pk}")
    assert added.filter(outcome="ok").count() == 1, "added once: the retry after the dropped connection"


def test_health_sees_the_worker_and_beat_and_says_when_no_worker_runs(stack, world, client, settings):
    def components():
        response = client.get(reverse("healthz"))
        assert response.status_code == 200
        return response.json()["components"]

    wait_until(
        lambda: components()["workers"]["alive"] >= 1 and components()["beat"]["state"] == "ok",
        deadline=30,
        what="the worker's and beat's heartbeats",
    )
    settings.HEALTH_STALE_AFTER = 3
    stack.kill_whole_worker()
    time.sleep(settings.HEALTH_STALE_AFTER + 1)
    response = client.get(reverse("healthz"))
    assert response.status_code == 200, "the web itself is alive"
    body = response.json()
    assert body["status"] == "degraded"
    assert body["components"]["workers"]["state"] == "down" and body["components"]["workers"]["alive"] == 0
    assert body["components"]["beat"]["state"] == "ok", "beat still ticks"
    last_seen = body["components"]["workers"]["last_seen"]
    assert timezone.now() - datetime.fromisoformat(last_seen) < timedelta(seconds=30)
