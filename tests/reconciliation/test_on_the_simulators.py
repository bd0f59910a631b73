"""Reconciliation end to end (#15): a real worker (nightly task, repair change) and the three
simulators over sockets. Drift is made behind the portal's back, as someone working on the platform
would: a number taken off the group and an admin added over OCI-P, an Akixi user widened to "Any
Partition" with the simulator's PATCH /_sim/state. The next reconciliation finds it; a repair puts
it right; the one after resolves it."""

import time

import httpx
import pytest

from accounts.choices import Role
from customers.choices import BuildKind
from customers.models import ServiceBuild
from integrations.broadworks.gateway import BroadWorksGateway
from reconciliation.models import Drift, ReconciliationRun
from reconciliation.tasks import reconcile_nightly
from tests.integrations.worker_stack import BW_PASSWORD, BW_USER, new_group, press_build, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def nightly_run(after: int) -> ReconciliationRun:
    """The beat task, sent to the stack's worker as beat sends it; the run it records."""
    reconcile_nightly.delay()
    end = time.monotonic() + 60
    while time.monotonic() < end:
        run = ReconciliationRun.objects.filter(pk__gt=after, finished_at__isnull=False).first()
        if run is not None:
            return run
        time.sleep(0.3)
    pytest.fail("the worker recorded no reconciliation run")


def wait_for_change(group, deadline=90) -> ServiceBuild:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        change = ServiceBuild.objects.filter(group=group, kind=BuildKind.CHANGE).order_by("-pk").first()
        if change and change.status in ("succeeded", "failed", "cancelled"):
            return change
        time.sleep(0.3)
    pytest.fail(f"the repair did not finish: {list(change.steps.values_list('name', 'status', 'last_error'))}")


def test_drift_made_on_each_platform_is_found_repaired_and_resolved(stack, world, api_as):
    group = new_group(world, 0)
    press_build(api_as, world, group)
    assert wait_for(group).status == "succeeded"
    first = nightly_run(after=0)
    assert (first.groups_checked, first.drift_new, first.error_count) == (1, 0, 0), first.errors

    # Behind the portal's back: on BroadWorks over OCI-P, on Akixi through its simulator's state.
    bw = BroadWorksGateway(port=int(stack.env["BROADWORKS_PORT"]), username=BW_USER, password=BW_PASSWORD, tls=False)
    numbers = sorted(group.numbers.values_list("e164", flat=True))
    bw.unassign_numbers("ACME01", group.group_id, [numbers[2]])  # neither the CLID nor the voice portal's
    bw.add_group_admin(
        "ACME01", group.group_id, user_id="intruder@hostedcomm.com", first_name="In", last_name="Truder",
        password="Typed-by-hand-2026!",
    )  # fmt: skip
    users = stack.akixi()["users"]
    key = next(k for k, u in users.items() if u["Username"] == "customer0.reports")
    patch = {"users": {key: {"Scope": {"PartIDInTelSys": [-1]}}}}
    httpx.patch(f"{stack.akixi_url}/_sim/state", json=patch, timeout=5).raise_for_status()

    found = nightly_run(after=first.pk)
    drift = {d.aspect: d for d in Drift.objects.filter(group=group, resolved_at__isnull=True)}
    assert set(drift) == {"bw_numbers", "bw_admins", "akixi_user_scope"}, (found.summary(), found.errors)
    assert numbers[2] not in drift["bw_numbers"].theirs and numbers[2] in drift["bw_numbers"].ours
    assert "intruder@hostedcomm.com" in drift["bw_admins"].theirs
    assert drift["akixi_user_scope"].rule == "K4"
    assert drift["akixi_user_scope"].theirs["customer0.reports"]["any_partition"] is True

    client = api_as(world.user(Role.COORDINATOR))
    response = client.post(f"/api/v1/drift/{drift['bw_numbers'].pk}/repair/")
    assert response.status_code == 201, response.content
    change = wait_for_change(group)
    assert change.status == "succeeded", list(change.steps.values_list("name", "last_error"))
    assert [s.name for s in change.steps.order_by("position")] == [
        "pool_numbers", "assign_numbers", "remove_admins", "restrict_akixi_users"
    ]  # fmt: skip

    resolved = nightly_run(after=found.pk)
    assert resolved.drift_resolved == 3 and resolved.drift_new == 0, resolved.summary()
    assert not Drift.objects.filter(group=group, resolved_at__isnull=True).exists()
