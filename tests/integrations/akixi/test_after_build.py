"""What changes after a build, decommissioning and the nightly reconciliation ask of Akixi (#15),
against the simulator over a real socket: a sync asked for now told from an earlier one (K3), the
partition and its users read back (K2, K4), drift (a user widened to "Any Partition" or deleted by
someone in Akixi, injected with `PATCH /_sim/state`) found and undone (K4), users and partitions
deleted; and the same in manual mode, where writes are a co-ordinator's instructions and reads say
"not checked"."""

import inspect
from datetime import UTC, datetime
from types import SimpleNamespace

import httpx
import pytest

from integrations.akixi.client import AkixiGateway, AkixiManualGateway
from integrations.akixi.simulator import API_PREFIX, create_app
from integrations.base import PermanentError
from integrations.manual import NotCheckedInManualMode
from integrations.models import ExternalCall

from .sim_servers import Recording, serving_in_thread

pytestmark = pytest.mark.django_db

KEY = "Akixi-Key-Canary-4471"
USERNAME, PASSWORD = "expoe-portal", "Akixi-Pass-Canary-9090"
NEW_OPERATIONS = (
    "sync_state",
    "partition_info",
    "partition_users",
    "reporting_user",
    "restrict_reporting_user",
    "delete_reporting_user",
    "delete_partition",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = create_app(
        state_path=tmp_path_factory.mktemp("akixi") / "akixi.json",
        api_key=KEY,
        username=USERNAME,
        password=PASSWORD,
        sync_polls=2,
    )
    recording = Recording(app)
    with serving_in_thread(recording) as base_url:
        yield SimpleNamespace(app=app, base_url=base_url, recording=recording)


@pytest.fixture
def sim(server):
    httpx.post(f"{server.base_url}/_sim/reset").raise_for_status()
    server.recording.requests.clear()
    return server


@pytest.fixture
def gateway(sim):
    return AkixiGateway(base_url=f"{sim.base_url}{API_PREFIX}", api_key=KEY, timeout=5)


@pytest.fixture
def partition(gateway):
    gateway.add_reseller("ACME01", "Acme Telecom", "ops@acme.invalid")
    return add_partition(gateway, "alpha-dental", "Alpha Dental")


def add_partition(gateway, group_id, name):
    return gateway.add_partition(
        description=name,
        billing_id=group_id,
        licensed_for="Reporting Standard",
        provider_id="ACME01",
        group_id=group_id,
    )


def add_user(gateway, partition, username="ada.lovelace", full_name="Ada Lovelace"):
    gateway.add_reporting_user(
        username=username, full_name=full_name, email=f"{username}@alpha.invalid", partition=partition
    )


def drift(sim, patch):
    """What someone working in Akixi's own screens did: a JSON merge patch on the simulator's state."""
    httpx.patch(f"{sim.base_url}/_sim/state", json=patch).raise_for_status()


def state(sim):
    return httpx.get(f"{sim.base_url}/_sim/state").json()


def sent(sim, method):
    prefix = len(API_PREFIX)
    return [r.path[prefix:] for r in sim.recording.requests if r.method == method and r.path.startswith(API_PREFIX)]


# K3: "synchronise now" --------------------------------------------------------------------------------


def test_K3_a_sync_asked_for_now_is_told_from_an_earlier_one_by_when_it_completed(gateway, partition):
    assert gateway.sync_state(partition) == {"status": "pending", "completed_at": None}
    assert gateway.sync_state(partition)["status"] == "in_progress"
    first = gateway.sync_state(partition)
    assert first["status"] == "completed"
    assert first["completed_at"].tzinfo is UTC and first["completed_at"] <= datetime.now(UTC)

    asked_at = datetime.now(UTC)
    gateway.request_sync(partition)
    running = gateway.sync_state(partition)
    assert running == {"status": "pending", "completed_at": first["completed_at"]}, "the earlier one still shows"
    assert running["completed_at"] < asked_at
    gateway.sync_state(partition)
    done = gateway.sync_state(partition)
    assert done["status"] == "completed" and done["completed_at"] > asked_at
    assert gateway.sync_status(partition) == "completed", "sync_status is as it was"


def test_K3_a_status_akixi_gives_that_is_none_of_the_four_reads_as_failed(gateway, sim, partition):
    assert "completed" in [gateway.sync_state(partition)["status"] for _ in range(3)]
    drift(sim, {"partitions": {str(partition): {"syncStatus": "Error", "lastSyncCompletedAt": "2026-11-02T09:30:00"}}})
    assert gateway.sync_state(partition) == {
        "status": "failed",
        "completed_at": datetime(2026, 11, 2, 9, 30, tzinfo=UTC),  # no offset: taken as UTC
    }
    drift(sim, {"partitions": {str(partition): {"syncStatus": "In Progress"}}})
    assert gateway.sync_state(partition)["status"] == "in_progress"


# K2, K4: read back ----------------------------------------------------------------------------------


def test_K2_the_partition_is_read_back_with_the_guides_values_and_none_once_gone(gateway, partition):
    assert gateway.partition_info(partition) == {
        "description": "Alpha Dental",
        "billing_tag": "alpha-dental",
        "licence": "Reporting Standard",
        "provider_id": "ACME01",
        "group_id": "alpha-dental",
        "server_type": "Service Provider Group",
        "sync_type": "By Service Pack",
        "maintain_parity": True,
    }
    assert gateway.partition_info(999) is None


def test_K4_a_reporting_user_is_read_back_and_none_when_akixi_has_none(gateway, partition):
    add_user(gateway, partition)
    assert gateway.reporting_user("ada.lovelace") == {
        "username": "ada.lovelace",
        "full_name": "Ada Lovelace",
        "email": "ada.lovelace@alpha.invalid",
        "any_partition": False,
        "partition_ids": [partition],
    }
    assert gateway.reporting_user("nobody") is None


def test_K4_the_partitions_users_are_those_whose_scope_names_it(gateway, partition):
    other = add_partition(gateway, "beta-bakery", "Beta Bakery")
    add_user(gateway, partition, "zed.zee", "Zed Zee")
    add_user(gateway, partition, "ada.lovelace")
    add_user(gateway, other, "bob.baker", "Bob Baker")
    assert gateway.partition_users(partition) == ["ada.lovelace", "zed.zee"]
    assert gateway.partition_users(other) == ["bob.baker"]
    assert gateway.partition_users(999) == []


# K4: drift found and undone -------------------------------------------------------------------------


def test_K4_a_user_widened_to_any_partition_in_akixi_is_found_and_restricted_once(gateway, sim, partition):
    add_user(gateway, partition)
    drift(sim, {"users": {"ada.lovelace": {"Scope": {"PartIDInTelSys": [-1]}}}})
    widened = gateway.reporting_user("ada.lovelace")
    assert (widened["any_partition"], widened["partition_ids"]) == (True, [])
    assert gateway.partition_users(partition) == [], "no longer named by the partition's scope"

    gateway.restrict_reporting_user("ada.lovelace", partition)
    assert sent(sim, "PUT") == ["/admin/user/ada.lovelace"]
    restored = gateway.reporting_user("ada.lovelace")
    assert (restored["any_partition"], restored["partition_ids"]) == (False, [partition])
    scope = state(sim)["users"]["ada.lovelace"]["Scope"]
    assert (scope["TelSysID"], scope["DeviceNumber"], scope["AgentNumber"]) == ([1], "All", "All"), "rest kept"

    gateway.restrict_reporting_user("ada.lovelace", partition)
    assert sent(sim, "PUT") == ["/admin/user/ada.lovelace"], "already restricted: read, nothing written"


def test_K4_a_user_of_any_telephony_server_is_not_held_to_our_partition(gateway, sim, partition):
    add_user(gateway, partition)
    drift(sim, {"users": {"ada.lovelace": {"Scope": {"TelSysID": [-1]}}}})
    assert gateway.reporting_user("ada.lovelace")["any_partition"] is True
    gateway.restrict_reporting_user("ada.lovelace", partition)
    assert state(sim)["users"]["ada.lovelace"]["Scope"]["TelSysID"] == [1]


def test_K4_a_user_deleted_in_akixi_is_found_missing_and_not_restricted(gateway, sim, partition):
    add_user(gateway, partition)
    drift(sim, {"users": {"ada.lovelace": None}})
    assert gateway.reporting_user("ada.lovelace") is None
    with pytest.raises(PermanentError, match="Akixi has no user ada.lovelace to restrict"):
        gateway.restrict_reporting_user("ada.lovelace", partition)
    assert sent(sim, "PUT") == []


def test_K4_partner_staff_are_not_restricted_to_a_customers_partition(gateway, sim, partition):
    add_user(gateway, partition)
    drift(sim, {"users": {"ada.lovelace": {"Role": "Partner Administrator", "Scope": {"PartIDInTelSys": [-1]}}}})
    with pytest.raises(PermanentError, match="not a customer's reporting user"):
        gateway.restrict_reporting_user("ada.lovelace", partition)
    assert sent(sim, "PUT") == []


def test_K4_restricting_in_a_session_reads_and_writes_in_one_login(sim, partition, gateway):
    add_user(gateway, partition)
    drift(sim, {"users": {"ada.lovelace": {"Scope": {"PartIDInTelSys": [-1]}}}})
    sim.recording.requests.clear()
    session = AkixiGateway(base_url=f"{sim.base_url}{API_PREFIX}", api_key="", username=USERNAME, password=PASSWORD)
    session.restrict_reporting_user("ada.lovelace", partition)
    methods = [(r.method, r.path.removeprefix(API_PREFIX)) for r in sim.recording.requests]
    assert methods == [
        ("POST", "/session"),
        ("GET", "/login"),
        ("GET", "/admin/user/ada.lovelace"),
        ("PUT", "/admin/user/ada.lovelace"),
        ("GET", "/logout"),
    ]


def test_the_simulator_refuses_an_update_that_breaks_K4_or_the_documented_fields(gateway, sim, partition):
    add_user(gateway, partition)
    url, headers = f"{sim.base_url}{API_PREFIX}/admin/user/ada.lovelace", {"x-api-key": KEY}
    scope = state(sim)["users"]["ada.lovelace"]["Scope"]
    for body, message in (
        ({"Scope": {**scope, "PartIDInTelSys": [-1]}}, "(K4)"),
        ({"Password": "x"}, "Password cannot be changed by Update"),
        ({"Nickname": "x"}, "Nickname is not a known field"),
        ({"Scope": {"PartIDInTelSys": [partition]}}, "Scope.TelSysID is required"),
        ({}, "Nothing to update"),
        ({"Scope": {**scope, "PartIDInTelSys": [999]}}, "no partition 999"),
    ):
        response = httpx.put(url, json=body, headers=headers)
        assert response.status_code == 400 and message in response.json()["Message"], body
    assert httpx.put(url.replace("ada.lovelace", "nobody"), json={"FullName": "N"}, headers=headers).status_code == 404
    assert state(sim)["users"]["ada.lovelace"]["Scope"] == scope, "a refusal changes nothing"


# Decommissioning ------------------------------------------------------------------------------------


def test_users_then_the_partition_are_deleted_and_a_repeat_is_done_already(gateway, sim, partition):
    add_user(gateway, partition)
    with pytest.raises(PermanentError, match="in the scope of users ada.lovelace"):
        gateway.delete_partition(partition)
    gateway.delete_reporting_user("ada.lovelace")
    gateway.delete_partition(partition)
    assert state(sim)["users"] == {} and state(sim)["partitions"] == {}
    assert gateway.partition_info(partition) is None and gateway.reporting_user("ada.lovelace") is None

    gateway.delete_reporting_user("ada.lovelace")
    gateway.delete_partition(partition)
    user_path, partition_path = "/admin/user/ada.lovelace", f"/partitions/{partition}"
    assert sent(sim, "DELETE") == [partition_path, user_path, partition_path, user_path, partition_path]
    deletes = ExternalCall.objects.filter(operation__startswith="delete_").order_by("id")
    assert [c.response["status"] for c in deletes] == [409, 204, 204, 404, 404]
    assert KEY not in str(list(ExternalCall.objects.values("request", "response", "error")))


# Manual mode ----------------------------------------------------------------------------------------


def test_the_manual_gateway_has_the_new_methods_with_the_same_parameters():
    for name in NEW_OPERATIONS:
        params = list(inspect.signature(getattr(AkixiManualGateway, name)).parameters)
        assert params == list(inspect.signature(getattr(AkixiGateway, name)).parameters), name


def test_in_manual_mode_reads_say_not_checked_and_writes_are_a_coordinators_instructions(db):
    manual = AkixiManualGateway()
    for read, args in (
        (manual.sync_state, ("42",)),
        (manual.partition_info, ("42",)),
        (manual.partition_users, ("42",)),
        (manual.reporting_user, ("ada.lovelace",)),
    ):
        with pytest.raises(NotCheckedInManualMode, match="^Not checked: Akixi is in manual mode") as not_checked:
            read(*args)
        assert not_checked.value.code == "not_checked_manual" and not_checked.value.platform == "Akixi"

    with pytest.raises(PermanentError) as restrict:
        manual.restrict_reporting_user("ada.lovelace", "42")
    assert restrict.value.code == "manual" and not isinstance(restrict.value, NotCheckedInManualMode)
    assert "open the user ada.lovelace (K4)" in str(restrict.value)
    assert "partition 42 only — remove any other partition and “Any Partition”" in str(restrict.value)
    with pytest.raises(PermanentError, match="delete the user ada.lovelace. Then confirm here.") as delete_user:
        manual.delete_reporting_user("ada.lovelace")
    assert delete_user.value.code == "manual"
    with pytest.raises(PermanentError, match="delete partition 42, once no user has it") as delete_partition:
        manual.delete_partition("42")
    assert delete_partition.value.code == "manual"
    with pytest.raises(PermanentError, match="Any Partition"):  # K4: never
        manual.restrict_reporting_user("ada.lovelace", "Any Partition")
    assert not ExternalCall.objects.exists(), "manual mode sends nothing"
