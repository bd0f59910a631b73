"""The Akixi simulator's contract (K1-K4), its state file, its fault injection, and the real server."""

import json
import logging
import time

import httpx
import pytest

from integrations.akixi.simulator import API_PREFIX, create_app

from .sim_servers import serving_in_process, serving_in_thread

pytestmark = pytest.mark.anyio

KEY = "test-akixi-key"
USERNAME = "akixi-admin"
PASSWORD = "Canary-Pass-4242"


class FakeClock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def state_path(tmp_path):
    return tmp_path / "sim" / "akixi.json"


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def make_client(state_path, clock):
    def make(*, headers=None, **settings):
        settings = {"api_key": KEY, "username": USERNAME, "password": PASSWORD, "clock": clock, **settings}
        transport = httpx.ASGITransport(app=create_app(state_path=state_path, **settings))
        headers = {"x-api-key": KEY} if headers is None else headers
        return httpx.AsyncClient(transport=transport, base_url="http://akixi.test", headers=headers)

    return make


@pytest.fixture
def client(make_client):
    return make_client()


def api(path):
    return f"{API_PREFIX}{path}"


def partition_body(**overrides):
    body = {
        "Description": "Alpha Dental",
        "BillingId": "CUST-0042",
        "LicensedFor": "Reporting Standard",
        "TelephonyServerType": "Service Provider Group",
        "EnterpriseOrProviderId": "ACME01",
        "GroupId": "alpha-dental",
        "SynchronisationType": "By Service Pack",
        "MaintainParity": True,
    }
    return {**body, **overrides}


def user_body(partitions, **overrides):
    body = {
        "Username": "ada.lovelace",
        "FullName": "Ada Lovelace",
        "Email": "ada@alpha.invalid",
        "Role": "Reporting Only User",
        "ReportingLevel": "1000 Supervisor",
        "DefaultReports": "Standard Reports",
        "PasswordChangeRequired": True,
        "SendWelcomeEmail": True,
        "EnableMfa": True,
        "PartitionPermission": partitions,
    }
    return {**body, **overrides}


async def add_reseller(client, partner_id="ACME01"):
    body = {"PartnerId": partner_id, "Name": f"{partner_id} Ltd", "Email": "ops@acme.invalid"}
    response = await client.post(api("/resellers"), json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def add_partition(client, **overrides):
    response = await client.post(api("/partitions"), json=partition_body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()["Id"]


def error_fields(response):
    return {error["field"] for error in response.json()["errors"]}


# Authentication


async def test_requests_without_a_valid_api_key_or_token_are_401(make_client):
    anonymous = make_client(headers={})
    assert (await anonymous.get(api("/partitions"))).status_code == 401
    assert (await anonymous.get(api("/partitions"), headers={"x-api-key": "wrong"})).json()["code"] == "unauthorized"
    assert (await anonymous.get(api("/partitions"), headers={"Authorization": "Bearer made-up"})).status_code == 401


async def test_session_login_gives_a_bearer_token_that_expires(make_client, clock):
    anonymous = make_client(headers={}, session_ttl=60)
    response = await anonymous.post(api("/login"), json={"username": USERNAME, "password": PASSWORD})
    assert response.status_code == 200
    bearer = {"Authorization": f"Bearer {response.json()['token']}"}
    assert (await anonymous.get(api("/partitions"), headers=bearer)).status_code == 200
    clock.now += 61
    assert (await anonymous.get(api("/partitions"), headers=bearer)).status_code == 401


async def test_wrong_password_is_401_and_no_secret_is_logged(make_client, caplog):
    anonymous = make_client(headers={})
    with caplog.at_level(logging.DEBUG):
        response = await anonymous.post(api("/login"), json={"username": USERNAME, "password": "Wrong-" + PASSWORD})
        await anonymous.get(api("/partitions"), headers={"x-api-key": KEY + "x"})
        await anonymous.get(api("/partitions"), headers={"x-api-key": KEY})
    assert response.status_code == 401
    assert PASSWORD not in caplog.text and KEY not in caplog.text


# K1 reseller accounts


async def test_K1_reseller_account_is_created_once_and_read_by_partner_id(client):
    created = await add_reseller(client)
    assert created["WelcomeEmailSent"] is True
    assert (await client.get(api("/resellers/ACME01"))).json()["Name"] == "ACME01 Ltd"
    duplicate = await client.post(
        api("/resellers"), json={"PartnerId": "ACME01", "Name": "Again", "Email": "a@b.invalid"}
    )
    assert duplicate.status_code == 409
    assert (await client.get(api("/resellers/NOPE"))).status_code == 404


# K2 partitions


async def test_K2_partition_keeps_the_guide_values_and_is_found_by_group_id(client):
    await add_reseller(client)
    response = await client.post(api("/partitions"), json=partition_body())
    assert response.status_code == 201
    partition = response.json()
    assert partition["Description"] == "Alpha Dental" and partition["BillingId"] == "CUST-0042"
    assert partition["TelephonyServerType"] == "Service Provider Group"
    assert partition["MaintainParity"] is True
    assert partition["syncStatus"] == "pending"
    found = (await client.get(api("/partitions"), params={"groupId": "alpha-dental"})).json()["partitions"]
    assert [p["Id"] for p in found] == [partition["Id"]]
    assert (await client.get(api("/partitions"), params={"groupId": "other"})).json() == {"partitions": []}
    assert len((await client.get(api("/partitions"), params={"providerId": "ACME01"})).json()["partitions"]) == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("TelephonyServerType", "Enterprise"),
        ("TelephonyServerType", None),
        ("SynchronisationType", "By Group"),
        ("MaintainParity", False),
        ("MaintainParity", "true"),
        ("MaintainParity", None),
    ],
)
async def test_K2_fixed_values_other_than_the_guide_are_refused(client, field, value):
    await add_reseller(client)
    body = partition_body(**{field: value})
    if value is None:
        del body[field]
    response = await client.post(api("/partitions"), json=body)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    assert error_fields(response) == {field}
    assert field in response.json()["message"]


@pytest.mark.parametrize("field", ["Description", "BillingId", "LicensedFor", "EnterpriseOrProviderId", "GroupId"])
async def test_K2_required_fields_are_refused_when_blank(client, field):
    await add_reseller(client)
    response = await client.post(api("/partitions"), json=partition_body(**{field: "  "}))
    assert response.status_code == 422
    assert error_fields(response) == {field}


async def test_K2_partition_for_a_partner_without_reseller_account_is_refused(client):
    response = await client.post(api("/partitions"), json=partition_body(EnterpriseOrProviderId="GHOST9"))
    assert response.status_code == 422
    assert "No reseller account" in response.json()["message"]


async def test_K2_duplicate_group_id_conflicts(client):
    await add_reseller(client)
    await add_partition(client)
    response = await client.post(api("/partitions"), json=partition_body(Description="Someone else"))
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"


# K3 synchronisation


async def test_K3_sync_moves_from_pending_through_in_progress_to_completed_over_polls(make_client):
    client = make_client(sync_polls=2)
    await add_reseller(client)
    partition_id = await add_partition(client)
    seen = [(await client.get(api(f"/partitions/{partition_id}"))).json()["syncStatus"] for _ in range(4)]
    assert seen == ["pending", "in_progress", "completed", "completed"]
    assert (await client.get(api(f"/partitions/{partition_id}"))).json()["lastSyncCompletedAt"]


async def test_K3_sync_waits_for_the_configured_seconds(make_client, clock):
    client = make_client(sync_polls=0, sync_seconds=30)
    await add_reseller(client)
    partition_id = await add_partition(client)
    assert (await client.get(api(f"/partitions/{partition_id}"))).json()["syncStatus"] == "pending"
    clock.now += 10
    assert (await client.get(api(f"/partitions/{partition_id}"))).json()["syncStatus"] == "in_progress"
    clock.now += 20
    assert (await client.get(api(f"/partitions/{partition_id}"))).json()["syncStatus"] == "completed"


async def test_K3_sync_button_starts_a_new_sync_and_changes_nothing_while_one_runs(make_client):
    client = make_client(sync_polls=1)
    await add_reseller(client)
    partition_id = await add_partition(client)
    await client.get(api(f"/partitions/{partition_id}"))
    assert (await client.post(api(f"/partitions/{partition_id}/sync"))).json()["syncStatus"] == "pending"
    assert (await client.get(api(f"/partitions/{partition_id}"))).json()["syncStatus"] == "completed"
    response = await client.post(api(f"/partitions/{partition_id}/sync"))
    assert response.status_code == 202 and response.json() == {"Id": partition_id, "syncStatus": "pending"}
    assert (await client.get(api("/partitions"))).json()["partitions"][0]["syncStatus"] == "pending"
    assert (await client.get(api(f"/partitions/{partition_id}"))).json()["syncStatus"] == "completed"
    assert (await client.post(api("/partitions/999/sync"))).status_code == 404


async def test_K3_a_stalled_sync_stays_in_progress_until_the_stall_is_lifted(client):
    await add_reseller(client)
    partition_id = await add_partition(client)
    await client.post("/_sim/faults", json={"sync_stall": True})
    seen = [(await client.get(api(f"/partitions/{partition_id}"))).json()["syncStatus"] for _ in range(5)]
    assert seen == ["pending"] + ["in_progress"] * 4
    await client.post("/_sim/faults", json={})
    assert (await client.get(api(f"/partitions/{partition_id}"))).json()["syncStatus"] == "completed"


# K4 users


async def test_K4_reporting_user_is_created_and_listed_by_partition(client):
    await add_reseller(client)
    partition_id = await add_partition(client)
    other_id = await add_partition(client, GroupId="beta-vets", Description="Beta Vets")
    response = await client.post(api("/users"), json=user_body([partition_id], Password="Canary-Pass-4242"))
    assert response.status_code == 201, response.text
    user = response.json()
    assert user["PartitionPermission"] == [partition_id]
    assert user["GroupPermission"] == user["DevicePermission"] == user["AgentPermission"] == "Any"
    assert user["ResellerStaff"] is False and user["WelcomeEmailSent"] is True
    assert "Password" not in user
    listed = (await client.get(api("/users"), params={"partition": partition_id})).json()["users"]
    assert [u["Username"] for u in listed] == ["ada.lovelace"]
    assert (await client.get(api("/users"), params={"partition": other_id})).json() == {"users": []}
    assert (await client.get(api("/users/ada.lovelace"))).json()["Email"] == "ada@alpha.invalid"
    assert (await client.get(api("/users/nobody"))).status_code == 404


async def test_K4_any_partition_is_refused_for_a_customer_user(client):
    response = await client.post(api("/users"), json=user_body("Any Partition"))
    assert response.status_code == 422
    assert error_fields(response) == {"PartitionPermission"}
    assert "only for reseller staff" in response.json()["message"]
    response = await client.post(api("/users"), json=user_body("Any Partition", ResellerStaff=False))
    assert response.status_code == 422


async def test_K4_any_partition_is_allowed_only_with_the_reseller_staff_flag(client):
    response = await client.post(
        api("/users"), json=user_body("Any Partition", Username="acme.staff", ResellerStaff=True)
    )
    assert response.status_code == 201
    assert response.json()["PartitionPermission"] == "Any Partition"


async def test_K4_duplicate_username_conflicts(client):
    await add_reseller(client)
    partition_id = await add_partition(client)
    assert (await client.post(api("/users"), json=user_body([partition_id]))).status_code == 201
    response = await client.post(api("/users"), json=user_body([partition_id], FullName="Another Ada"))
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("Role", "Administrator"),
        ("ReportingLevel", "2000 Agent"),
        ("DefaultReports", "No Reports"),
        ("PasswordChangeRequired", False),
        ("SendWelcomeEmail", False),
        ("EnableMfa", False),
        ("EnableMfa", None),
        ("Username", ""),
        ("Email", "not-an-email"),
    ],
)
async def test_K4_user_values_other_than_the_guide_are_refused(client, field, value):
    await add_reseller(client)
    body = user_body([await add_partition(client)], **{field: value})
    if value is None:
        del body[field]
    response = await client.post(api("/users"), json=body)
    assert response.status_code == 422
    assert error_fields(response) == {field}


@pytest.mark.parametrize("permission", [[], [999], ["1"], "1", None])
async def test_K4_partition_permission_must_list_existing_partitions(client, permission):
    await add_reseller(client)
    await add_partition(client)
    response = await client.post(api("/users"), json=user_body(permission))
    assert response.status_code == 422
    assert error_fields(response) == {"PartitionPermission"}


async def test_K4_partitions_of_two_resellers_are_refused_for_one_user(client):
    await add_reseller(client, "ACME01")
    await add_reseller(client, "BETA02")
    first = await add_partition(client)
    second = await add_partition(client, GroupId="beta-group", EnterpriseOrProviderId="BETA02")
    response = await client.post(api("/users"), json=user_body([first, second]))
    assert response.status_code == 422
    assert "more than one reseller" in response.json()["message"]


# State


async def test_state_survives_a_restart_from_the_same_file(make_client, state_path):
    first = make_client(sync_polls=3)
    await add_reseller(first)
    partition_id = await add_partition(first)
    await first.get(api(f"/partitions/{partition_id}"))
    await first.post(api("/users"), json=user_body([partition_id], Password="Canary-Pass-4242"))
    assert "Canary-Pass-4242" not in state_path.read_text()
    assert sorted(p.name for p in state_path.parent.iterdir()) == ["akixi.json"], "no temporary file left"

    second = make_client(sync_polls=3)
    assert (await second.get(api("/resellers/ACME01"))).status_code == 200
    assert (await second.get(api("/users/ada.lovelace"))).status_code == 200
    assert (await second.get(api(f"/partitions/{partition_id}"))).json()["syncStatus"] == "in_progress"
    assert await add_partition(second, GroupId="next-group") == partition_id + 1
    assert (await second.get("/_sim/state")).json()["partitions"][str(partition_id)]["GroupId"] == "alpha-dental"


async def test_admin_reset_clears_state_and_faults(client, state_path):
    await add_reseller(client)
    await client.post("/_sim/faults", json={"rules": [{"kind": "unavailable", "count": 5, "path": "/nowhere"}]})
    assert (await client.post("/_sim/reset")).json() == {"reset": True}
    assert (await client.get("/_sim/state")).json()["resellers"] == {}
    assert (await client.get("/_sim/faults")).json() == {"delay_ms": 0, "rules": []}
    assert json.loads(state_path.read_text())["resellers"] == {}


# Fault injection


async def test_fault_transient_503_for_the_next_two_calls_then_success(client, state_path):
    await add_reseller(client)
    await client.post("/_sim/faults", json={"rules": [{"kind": "unavailable", "count": 2}]})
    assert (await client.get("/_sim/faults")).json()["rules"][0]["count"] == 2
    first = await client.get(api("/resellers/ACME01"))
    assert first.status_code == 503 and first.headers["Retry-After"] == "1"
    assert first.json() == {"code": "unavailable", "message": "Service temporarily unavailable", "transient": True}
    assert json.loads(state_path.with_name("akixi.faults.json").read_text())["rules"][0]["count"] == 1
    assert (await client.get(api("/resellers/ACME01"))).status_code == 503
    assert (await client.get(api("/resellers/ACME01"))).status_code == 200


async def test_fault_permanent_4xx_carries_its_reason(client):
    await client.post(
        "/_sim/faults", json={"rules": [{"kind": "reject", "status": 403, "reason": "Reseller suspended"}]}
    )
    response = await client.get(api("/partitions"))
    assert response.status_code == 403
    assert response.json() == {"code": "rejected", "message": "Reseller suspended", "transient": False}
    assert (await client.get(api("/partitions"))).status_code == 200


async def test_fault_applies_only_to_its_path_and_method(client):
    await add_reseller(client)
    rule = {"kind": "unavailable", "path": API_PREFIX + "/partitions", "method": "post"}
    await client.post("/_sim/faults", json={"rules": [rule]})
    assert (await client.get(api("/partitions"))).status_code == 200
    assert (await client.get(api("/resellers/ACME01"))).status_code == 200
    assert (await client.post(api("/partitions"), json=partition_body())).status_code == 503
    assert (await client.post(api("/partitions"), json=partition_body())).status_code == 201


async def test_faults_file_edited_by_hand_is_read_on_every_request(client, state_path):
    faults_file = state_path.with_name("akixi.faults.json")
    faults_file.write_text(json.dumps({"rules": [{"kind": "reject", "status": 429, "reason": "Slow down"}]}))
    assert (await client.get(api("/partitions"))).status_code == 429
    assert json.loads(faults_file.read_text())["rules"] == []
    faults_file.write_text("{not json")
    assert (await client.get(api("/partitions"))).status_code == 200, "a broken faults file means no faults"


async def test_invalid_faults_are_refused_by_the_admin_endpoint(client):
    for bad in (
        {"rules": [{"kind": "explode"}]},
        {"rules": [{"kind": "reject", "status": 500}]},
        {"rules": [{"kind": "unavailable", "count": 0}]},
        {"surprise": True},
    ):
        response = await client.post("/_sim/faults", json=bad)
        assert response.status_code == 400 and response.json()["code"] == "invalid_faults"


async def test_per_request_delay(client):
    await client.post("/_sim/faults", json={"delay_ms": 150})
    started = time.monotonic()
    assert (await client.get(api("/partitions"))).status_code == 200
    assert time.monotonic() - started >= 0.15


# Over a real socket


def test_over_a_socket_a_dropped_reply_and_a_slow_one_are_transport_errors(state_path):
    app = create_app(state_path=state_path, api_key=KEY)
    with serving_in_thread(app) as base_url, httpx.Client(base_url=base_url, headers={"x-api-key": KEY}) as http:
        http.post("/_sim/faults", json={"rules": [{"kind": "drop"}]})
        with pytest.raises(httpx.RemoteProtocolError):
            http.get(api("/partitions"))
        assert http.get(api("/partitions")).status_code == 200

        http.post("/_sim/faults", json={"rules": [{"kind": "slow", "delay_ms": 400}]})
        reseller = {"PartnerId": "ACME01", "Name": "Acme", "Email": "ops@acme.invalid"}
        with pytest.raises(httpx.ReadTimeout):
            http.post(api("/resellers"), json=reseller, timeout=0.1)
        deadline = time.monotonic() + 3
        while http.get(api("/resellers/ACME01")).status_code == 404:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert http.post(api("/resellers"), json=reseller).status_code == 409, "the slow write did happen"


def test_entry_point_serves_over_a_socket_and_state_survives_a_kill(tmp_path):
    state = tmp_path / "var" / "sim" / "akixi.json"
    env = {"AKIXI_SIM_API_KEY": KEY, "AKIXI_SIM_USERNAME": USERNAME, "AKIXI_SIM_PASSWORD": PASSWORD}
    with serving_in_process("integrations.akixi.simulator", state, env=env) as base_url:
        token = httpx.post(f"{base_url}{api('/login')}", json={"username": USERNAME, "password": PASSWORD}).json()
        bearer = {"Authorization": f"Bearer {token['token']}"}
        with httpx.Client(base_url=base_url, headers=bearer) as http:
            reseller = {"PartnerId": "ACME01", "Name": "Acme", "Email": "ops@acme.invalid"}
            assert http.post(api("/resellers"), json=reseller).status_code == 201
            partition_id = http.post(api("/partitions"), json=partition_body()).json()["Id"]
    with serving_in_process("integrations.akixi.simulator", state, env=env) as base_url:
        assert httpx.get(f"{base_url}{api('/partitions')}", headers=bearer).status_code == 401, "sessions do not"
        with httpx.Client(base_url=base_url, headers={"x-api-key": KEY}) as http:
            assert http.get(api(f"/partitions/{partition_id}")).json()["GroupId"] == "alpha-dental"
            assert http.get(api("/resellers/ACME01")).status_code == 200
