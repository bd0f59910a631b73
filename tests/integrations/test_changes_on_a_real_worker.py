"""Changes to built customers and their decommissioning (#15) run by a real Celery worker process,
through real Redis, against the three simulators in their own processes:

- every kind of change, one after another through the API, each reaching the platforms as asked;
- a decommissioning that leaves nothing of the customer on any simulator, its numbers back in the
  partner's pool (N2);
- transient faults (a lost reply, a dropped connection, a platform briefly unavailable) on the
  change steps: each object removed once, nothing left behind;
- a worker child killed in the middle of a decommissioning step, at several steps: it finishes, and
  the killed step ran again once.
"""

import time

import pytest

from accounts.choices import Role
from customers.models import CustomerGroup, ServiceBuild
from integrations.broadworks.simulator import make_fault, write_faults
from number_pool.services import numbers_add

from .worker_stack import AKIXI_API, CALLCABINET_API, Stack, new_group, press_build, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
CHANGE_DEADLINE = 60


def built_group(api_as, world, index: int) -> CustomerGroup:
    group = new_group(world, index)
    press_build(api_as, world, group)
    build = wait_for(group)
    assert build.status == "succeeded", list(build.steps.values_list("name", "status", "last_error"))
    return group


def make_change(client, group, **body) -> dict:
    response = client.post(f"/api/v1/customer-groups/{group.pk}/changes/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def wait_for_change(change_id: int, deadline=CHANGE_DEADLINE) -> ServiceBuild:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        change = ServiceBuild.objects.get(pk=change_id)
        if change.status in ("succeeded", "failed", "cancelled"):
            return change
        time.sleep(0.2)
    steps = list(change.steps.values_list("name", "status", "attempts", "last_error"))
    pytest.fail(f"the change did not finish in {deadline} s: {change.status} {steps}")


def succeeded(client, group, **body) -> ServiceBuild:
    change = wait_for_change(make_change(client, group, **body)["id"])
    assert change.status == "succeeded", list(change.steps.values_list("name", "status", "last_error"))
    return change


def dashless(numbers) -> list[str]:
    return sorted(n.replace("-", "") for n in numbers)


def nothing_left_of(stack: Stack, group: CustomerGroup) -> None:
    """No object of the customer on any simulator; its numbers in the partner's pool, free (N2)."""
    bw, ak, cc = stack.bw(), stack.akixi(), stack.callcabinet()
    sp = bw["service_providers"]["ACME01"]
    assert group.group_id not in sp["groups"]
    assert [u for u, user in bw["users"].items() if user.get("group_id") == group.group_id] == []
    pool = {n.replace("-", ""): owner for n, owner in sp["dns"].items()}
    assert all(pool[n] is None for n in group.numbers_were), "back in the partner's pool, free"
    assert [p for p in ak["partitions"].values() if p["GroupId"] == group.group_id] == []
    assert [u for u in ak["users"].values() if u["Username"].startswith(group.group_id.lower())] == []
    assert [c for c in cc["customers"].values() if c["BroadWorksGroupId"] == group.group_id] == []


def test_N2_K3_every_change_then_a_decommissioning_on_a_real_worker_leaves_nothing_of_the_customer(
    stack, world, api_as
):
    group = built_group(api_as, world, 0)
    extra = ["+442079469000", "+442079469001"]
    numbers_add(by=world.user(Role.PROVISIONING_ADMIN), partner=world.partner_a, numbers=extra)
    partner, staff = api_as(world.user(Role.PARTNER_USER)), api_as(world.user(Role.COORDINATOR))

    succeeded(partner, group, change="add_numbers", numbers=extra)
    succeeded(partner, group, change="remove_numbers", numbers=[extra[1]])
    succeeded(partner, group, change="business_profile", number=extra[0], present_as_caller_id=True)
    succeeded(partner, group, change="voice_portal", number="", extension="8001", external_dial_in=False)
    added = make_change(partner, group, change="add_admin", first_name="Grace", last_name="Hopper")
    assert wait_for_change(added["id"]).status == "succeeded"
    (new_admin,) = added["generated_passwords"]
    succeeded(partner, group, change="remove_admins", user_ids=["ada.lovelace@hostedcomm.com"])
    succeeded(
        partner, group, change="add_akixi_user", username="customer0.manager", full_name="Grace", email="g@x.invalid"
    )
    succeeded(partner, group, change="remove_akixi_users", usernames=["customer0.reports"])
    synced = succeeded(partner, group, change="akixi_sync")
    succeeded(partner, group, change="callcabinet_admin", admin_name="Grace Hopper", admin_email="grace@x.invalid")

    bw, ak, cc = stack.bw(), stack.akixi(), stack.callcabinet()
    on_bw = bw["service_providers"]["ACME01"]["groups"]["Customer0"]
    assert dashless(on_bw["dns"]) == ["+442079460000", "+442079460001", "+442079460002", extra[0]]
    assert (on_bw["calling_line_id_phone_number"].replace("-", ""), on_bw["use_group_number"]) == (extra[0], True)
    assert (on_bw["voice_portal"]["phone_number"], on_bw["voice_portal"]["extension"]) == (None, "8001")
    admins = sorted(
        u for u, user in bw["users"].items() if user.get("group_id") == "Customer0" and user["kind"] == "group_admin"
    )
    assert admins == [new_admin]
    (partition,) = [p for p in ak["partitions"].values() if p["GroupId"] == "Customer0"]
    assert [u["Username"] for u in ak["users"].values() if u["PartitionPermission"] == [partition["Id"]]] == [
        "customer0.manager"
    ]
    assert partition["lastSyncCompletedAt"] >= synced.queued_at.isoformat()[:19], "K3: a sync after it was asked"
    (customer,) = [c for c in cc["customers"].values() if c["BroadWorksGroupId"] == "Customer0"]
    assert (customer["AdminName"], customer["AdminEmail"]) == ("Grace Hopper", "grace@x.invalid")

    group.numbers_were = list(group.numbers.values_list("e164", flat=True))
    succeeded(staff, group, change="decommission", confirm_group_id="Customer0")
    nothing_left_of(stack, group)
    group.refresh_from_db()
    assert group.decommissioned_at is not None and not group.numbers.exists()


def test_N2_transient_faults_on_a_decommissioning_remove_each_object_once_and_leave_nothing(stack, world, api_as):
    group = built_group(api_as, world, 1)
    group.numbers_were = list(group.numbers.values_list("e164", flat=True))
    # OCI-P: the reply to the admin's deletion is lost after it was carried out, the connection drops
    # before the numbers leave, and Akixi and Call Cabinet are briefly unavailable.
    write_faults(
        stack.bw_faults,
        [
            make_fault("drop", request="GroupAdminDeleteRequest"),
            make_fault("disconnect", request="GroupDnUnassignListRequest"),
            make_fault("reset", request="GroupDeleteRequest"),
        ],
    )
    stack.rest_faults(stack.akixi_url, [{"kind": "unavailable", "method": "DELETE", "count": 2}])
    stack.rest_faults(stack.callcabinet_url, [{"kind": "unavailable", "method": "DELETE"}])
    change = succeeded(api_as(world.user(Role.COORDINATOR)), group, change="decommission", confirm_group_id="Customer1")
    assert change.steps.filter(attempts__gt=1).count() >= 4, "the faults were met and retried"
    nothing_left_of(stack, group)


KILL_POINTS = [
    # (step, platform, what to hold mid-call long enough to kill the worker there)
    ("remove_callcabinet_customer", "callcabinet", f"{CALLCABINET_API}/customers"),
    ("remove_akixi_users", "akixi", f"{AKIXI_API}/admin/user"),
    ("remove_admins", "broadworks", "GroupAdminDeleteRequest"),
    ("delete_group", "broadworks", "GroupDeleteRequest"),
]


def test_a_worker_child_killed_mid_step_of_a_decommissioning_finishes_it_once(stack, world, api_as):
    staff = api_as(world.user(Role.COORDINATOR))
    for index, (step, platform, target) in enumerate(KILL_POINTS, start=2):
        group = built_group(api_as, world, index)
        group.numbers_were = list(group.numbers.values_list("e164", flat=True))
        if platform == "broadworks":
            stack.broadworks_fault("delay", target, delay_seconds=2.5)
        else:
            url = stack.akixi_url if platform == "akixi" else stack.callcabinet_url
            rule = {"kind": "slow", "method": "DELETE", "path": target, "delay_ms": 2500}
            stack.rest_faults(url, [rule])
        change_id = make_change(staff, group, change="decommission", confirm_group_id=group.group_id)["id"]
        end = time.monotonic() + 30
        while not ServiceBuild.objects.get(pk=change_id).steps.filter(name=step, status="running").exists():
            assert time.monotonic() < end, f"step {step} never ran"
            time.sleep(0.05)
        time.sleep(0.5)  # inside the platform call
        stack.kill_worker_child()
        change = wait_for_change(change_id)
        assert change.status == "succeeded", list(change.steps.values_list("name", "status", "last_error"))
        assert change.steps.get(name=step).attempts == 2, "the killed step ran again, once"
        nothing_left_of(stack, group)
    assert stack.worker.poll() is None, "the worker itself stayed up and replaced its child"
