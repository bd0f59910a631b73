"""Two worker processes on one queue, as two worker hosts sharing only PostgreSQL and Redis, run
six customer builds started at once against the three simulators (issue #14): every build
succeeds and every step runs exactly once, whichever worker takes it.

Written against outcomes, not step order (steps may run side by side): what each platform holds,
the ExternalCall rows of the calls that create something, and how often each step was claimed.
"""

import re
from collections import Counter

import pytest

from customers.models import BuildStep
from integrations.models import ExternalCall

from .worker_stack import assert_built_exactly_once, new_group, press_build, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

BUILDS = 6
# What a build writes to the platforms here (the numbers are in the partner's pool already).
WRITES = {
    "add_group_from_template",
    "assign_numbers",
    "set_group_clid",
    "enable_voice_portal",
    "add_group_admin",
    "add_partition",
    "add_reporting_user",
    "add_essential_customer",
}
STEP_DONE = re.compile(r"Task customers\.tasks\.run_build_step\[[^\]]+\] succeeded")


def writes(request: dict) -> bool:
    """Whether a call (its redacted request, as ExternalCall keeps it) changes the platform: an HTTP
    method other than GET, or an OCI-P document with a request other than a Get."""
    if "requests" in request:
        return any("Get" not in each["type"] for each in request["requests"])
    return request.get("method", "GET") != "GET"


# The production pool (decision 86): each worker runs several steps at once in threads.
@pytest.mark.stack_env(CELERY_WORKER_POOL="threads", CELERY_WORKER_CONCURRENCY="4")
def test_two_workers_on_one_queue_run_every_step_of_six_builds_started_at_once_exactly_once(stack, world, api_as):
    stack.start_worker()  # a second host's worker, on the same queue as the first
    groups = [new_group(world, index) for index in range(BUILDS)]
    for group in groups:
        press_build(api_as, world, group)

    builds = [wait_for(group) for group in groups]

    assert [build.status for build in builds] == ["succeeded"] * BUILDS, [
        list(build.steps.values_list("name", "status", "last_error")) for build in builds
    ]
    assert_built_exactly_once(stack, groups)  # one group, admin, partition, user, customer each
    # Each step was claimed once: a second claim (another worker taking it while the first held
    # its lease, or a duplicate message) would count a second attempt.
    steps = BuildStep.objects.filter(build__in=builds)
    assert list(steps.exclude(attempts=1).values_list("build_id", "name", "attempts")) == []
    for build in builds:
        calls = ExternalCall.objects.filter(context__startswith=f"build:{build.pk}/").values(
            "context", "operation", "request"
        )
        per_step = Counter((call["context"], call["operation"]) for call in calls if writes(call["request"]))
        assert sorted(operation for _, operation in per_step) == sorted(WRITES), per_step
        assert set(per_step.values()) == {1}, f"a write was sent twice for build {build.pk}: {per_step}"
    ran = [len(STEP_DONE.findall(log.read_text(errors="replace"))) for _, log in stack.workers]
    assert len(ran) == 2 and all(ran), f"both workers ran steps from the one queue: {ran}"
