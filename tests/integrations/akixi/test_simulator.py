"""The Akixi simulator: the documented login (session, Basic login, cookie, logout) and API key, the
documented users endpoint (K4), our assumed reseller, partition and sync contract (K1-K3), its state
file, its fault injection, and the real server. The refusals are tabled in test_simulator_refusals.py."""

import base64
import json
import logging
import time

import httpx
import pytest

from integrations.akixi.simulator import API_PREFIX, create_app

from .bodies import PASSWORD_CANARY, partition_body, user_body
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


def basic(username=USERNAME, password=PASSWORD):
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def cookie(session_id):
    return {"Cookie": f"JSESSIONID={session_id}"}


async def logged_in_session(client, *, username=USERNAME, password=PASSWORD):
    """The documented flow: POST /session, then GET /login with Basic credentials and the cookie."""
    session_id = (await client.post(api("/session"))).json()["SessionID"]
    login = await client.get(
        api("/login"),
        params={"locale": "en_GB"},
        headers={**cookie(session_id), "Authorization": basic(username, password)},
    )
    return session_id, login


async def add_reseller(client, partner_id="ACME01"):
    body = {"PartnerId": partner_id, "Name": f"{partner_id} Ltd", "Email": "ops@acme.invalid"}
    response = await client.post(api("/resellers"), json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def add_partition(client, **overrides):
    response = await client.post(api("/partitions"), json=partition_body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()["Id"]


# Authentication (documented: session login or x-api-key)


async def test_the_api_key_or_a_logged_in_session_cookie_lets_a_call_in(make_client):
    anonymous = make_client(headers={})
    assert (await anonymous.get(api("/partitions"))).status_code == 401
    assert (await anonymous.get(api("/partitions"), headers={"x-api-key": KEY})).status_code == 200
    session_id, login = await logged_in_session(anonymous)
    assert login.status_code == 200
    assert (await anonymous.get(api("/partitions"), headers=cookie(session_id))).status_code == 200


async def test_a_session_answers_with_a_nonce_and_session_id_and_is_useless_until_logged_in(make_client):
    anonymous = make_client(headers={})
    created = await anonymous.post(api("/session"))
    assert created.status_code == 200
    assert set(created.json()) == {"Nonce", "SessionID"}
    session_id = created.json()["SessionID"]
    refused = await anonymous.get(api("/partitions"), headers=cookie(session_id))
    assert refused.status_code == 401 and "logged-in session" in refused.json()["Message"]


async def test_logout_ends_the_session_and_lets_the_user_log_in_again(make_client):
    anonymous = make_client(headers={})
    session_id, _ = await logged_in_session(anonymous)
    second, refused = await logged_in_session(anonymous)
    assert refused.status_code == 400
    assert refused.json() == {"Message": f"There were other browser sessions active for {USERNAME}"}
    assert (await anonymous.get(api("/logout"), headers=cookie(session_id))).status_code == 200
    assert (await anonymous.get(api("/partitions"), headers=cookie(session_id))).status_code == 401
    _, again = await logged_in_session(anonymous)
    assert again.status_code == 200
    assert (await anonymous.get(api("/logout"), headers=cookie(second))).status_code == 200


async def test_a_session_expires(make_client, clock):
    anonymous = make_client(headers={}, session_ttl=60)
    session_id, _ = await logged_in_session(anonymous)
    assert (await anonymous.get(api("/partitions"), headers=cookie(session_id))).status_code == 200
    clock.now += 61
    assert (await anonymous.get(api("/partitions"), headers=cookie(session_id))).status_code == 401
    _, again = await logged_in_session(anonymous)
    assert again.status_code == 200, "an expired session does not block the next login"


async def test_wrong_password_is_401_and_no_secret_is_logged(make_client, caplog):
    anonymous = make_client(headers={})
    with caplog.at_level(logging.DEBUG):
        _, response = await logged_in_session(anonymous, password="Wrong-" + PASSWORD)
        await anonymous.get(api("/partitions"), headers={"x-api-key": KEY + "x"})
        await anonymous.get(api("/partitions"), headers={"x-api-key": KEY})
    assert response.status_code == 401 and response.json() == {"Message": "Invalid username or password"}
    assert PASSWORD not in caplog.text and KEY not in caplog.text


async def test_an_empty_api_key_setting_lets_nobody_in_by_header(make_client):
    anonymous = make_client(headers={}, api_key="")
    assert (await anonymous.get(api("/partitions"), headers={"x-api-key": ""})).status_code == 401


# K1 reseller accounts (assumed)


async def test_K1_reseller_account_is_created_once_and_read_by_partner_id(client):
    created = await add_reseller(client)
    assert created["WelcomeEmailSent"] is True
    assert (await client.get(api("/resellers/ACME01"))).json()["Name"] == "ACME01 Ltd"
    duplicate = await client.post(
        api("/resellers"), json={"PartnerId": "ACME01", "Name": "Again", "Email": "a@b.invalid"}
    )
    assert duplicate.status_code == 409
    assert duplicate.json() == {"Message": "A reseller account for PartnerId ACME01 already exists"}
    missing = await client.get(api("/resellers/NOPE"))
    assert missing.status_code == 404 and missing.json() == {"Message": "No reseller account for PartnerId NOPE"}


# K2 partitions (assumed)


async def test_K2_partition_keeps_the_guide_values_and_is_found_by_group_id(client):
    await add_reseller(client)
    response = await client.post(api("/partitions"), json=partition_body())
    assert response.status_code == 201
    partition = response.json()
    assert partition["Description"] == "Alpha Dental" and partition["BillingId"] == "CUST-0042"
    assert partition["TelephonyServerType"] == "Service Provider Group"
    assert partition["MaintainParity"] is True and partition["TelSysID"] == 1
    assert partition["syncStatus"] == "pending"
    found = (await client.get(api("/partitions"), params={"groupId": "alpha-dental"})).json()["partitions"]
    assert [p["Id"] for p in found] == [partition["Id"]]
    assert (await client.get(api("/partitions"), params={"groupId": "other"})).json() == {"partitions": []}
    assert len((await client.get(api("/partitions"), params={"providerId": "ACME01"})).json()["partitions"]) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("TelephonyServerType", "Enterprise", 'TelephonyServerType must be "Service Provider Group", not "Enterprise"'),
        ("TelephonyServerType", None, 'TelephonyServerType must be "Service Provider Group"'),
        ("SynchronisationType", "By Group", 'SynchronisationType must be "By Service Pack", not "By Group"'),
        ("MaintainParity", False, "MaintainParity must be true"),
        ("MaintainParity", "true", "MaintainParity must be true"),
        ("MaintainParity", None, "MaintainParity must be true"),
    ],
)
async def test_K2_fixed_values_other_than_the_guide_are_refused(client, field, value, message):
    await add_reseller(client)
    body = partition_body(**{field: value})
    if value is None:
        del body[field]
    response = await client.post(api("/partitions"), json=body)
    assert response.status_code == 400
    assert response.json() == {"Message": message}


@pytest.mark.parametrize("field", ["Description", "BillingId", "LicensedFor", "EnterpriseOrProviderId", "GroupId"])
async def test_K2_required_fields_are_refused_when_blank(client, field):
    await add_reseller(client)
    response = await client.post(api("/partitions"), json=partition_body(**{field: "  "}))
    assert response.status_code == 400
    assert response.json() == {"Message": f"{field} is required"}


async def test_K2_partition_for_a_partner_without_reseller_account_is_refused(client):
    response = await client.post(api("/partitions"), json=partition_body(EnterpriseOrProviderId="GHOST9"))
    assert response.status_code == 400
    assert "No reseller account for partner ID GHOST9" in response.json()["Message"]


async def test_K2_duplicate_group_id_conflicts(client):
    await add_reseller(client)
    await add_partition(client)
    response = await client.post(api("/partitions"), json=partition_body(Description="Someone else"))
    assert response.status_code == 409
    assert response.json() == {"Message": "A partition for GroupId alpha-dental already exists"}


# K3 synchronisation (assumed)


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
    missing = await client.post(api("/partitions/999/sync"))
    assert missing.status_code == 404 and missing.json() == {"Message": "No partition 999"}


async def test_K3_a_stalled_sync_stays_in_progress_until_the_stall_is_lifted(client):
    await add_reseller(client)
    partition_id = await add_partition(client)
    await client.post("/_sim/faults", json={"sync_stall": True})
    seen = [(await client.get(api(f"/partitions/{partition_id}"))).json()["syncStatus"] for _ in range(5)]
    assert seen == ["pending"] + ["in_progress"] * 4
    await client.post("/_sim/faults", json={})
    assert (await client.get(api(f"/partitions/{partition_id}"))).json()["syncStatus"] == "completed"


# K4 users (documented: POST /admin/user; the read at our assumed path)


async def test_K4_a_reporting_user_is_added_with_the_documented_fields_and_read_back_without_its_password(
    client, state_path
):
    await add_reseller(client)
    partition_id = await add_partition(client)
    response = await client.post(api("/admin/user"), json=user_body(partition_id))
    assert response.status_code == 201, response.text
    user = response.json()
    expected = user_body(partition_id, drop=("Password",))
    assert user == expected, "the read answers with the Add body's fields, nothing more"
    assert (await client.get(api("/admin/user/ada.lovelace"))).json() == expected
    kept = json.loads(state_path.read_text())["users"]["ada.lovelace"]
    assert kept["PartitionPermission"] == [partition_id] and kept["WelcomeEmailSent"] is True
    assert PASSWORD_CANARY not in state_path.read_text()


async def test_K4_a_username_is_read_exactly_and_an_unknown_one_is_404(client):
    await add_reseller(client)
    await client.post(api("/admin/user"), json=user_body(await add_partition(client), Username="IntegratorUser 14"))
    assert (await client.get(api("/admin/user/IntegratorUser%2014"))).status_code == 200
    missing = await client.get(api("/admin/user/integratoruser%2014"))
    assert missing.status_code == 404 and missing.json() == {"Message": "User integratoruser 14 not found"}


async def test_K4_a_user_may_have_several_partitions_of_one_reseller_never_of_two(client):
    await add_reseller(client, "ACME01")
    await add_reseller(client, "BETA02")
    first = await add_partition(client)
    second = await add_partition(client, GroupId="alpha-branch")
    other = await add_partition(client, GroupId="beta-group", EnterpriseOrProviderId="BETA02")
    both = await client.post(api("/admin/user"), json=user_body(first, scope={"PartIDInTelSys": [first, second]}))
    assert both.status_code == 201
    mixed = user_body(first, Username="mixed", scope={"PartIDInTelSys": [first, other]})
    response = await client.post(api("/admin/user"), json=mixed)
    assert response.status_code == 400
    assert response.json() == {"Message": "Scope.PartIDInTelSys: partitions of more than one reseller (K4)"}


# State


async def test_state_survives_a_restart_from_the_same_file(make_client, state_path):
    first = make_client(sync_polls=3)
    await add_reseller(first)
    partition_id = await add_partition(first)
    await first.get(api(f"/partitions/{partition_id}"))
    await first.post(api("/admin/user"), json=user_body(partition_id))
    assert PASSWORD_CANARY not in state_path.read_text()
    assert sorted(p.name for p in state_path.parent.iterdir()) == ["akixi.json"], "no temporary file left"

    second = make_client(sync_polls=3)
    assert (await second.get(api("/resellers/ACME01"))).status_code == 200
    assert (await second.get(api("/admin/user/ada.lovelace"))).status_code == 200
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


# Fault injection (simulator only)


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
        assert response.status_code == 400 and "Message" in response.json()


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
    args = ["--telsys-id", "7", "--cm-environment-id", "env-7"]
    with (
        serving_in_process("integrations.akixi.simulator", state, env=env, args=args) as base_url,
        httpx.Client(base_url=base_url) as http,
    ):
        session_id = http.post(api("/session")).json()["SessionID"]
        login = http.get(
            api("/login"), params={"locale": "en_US"}, headers={**cookie(session_id), "Authorization": basic()}
        )
        assert login.status_code == 200
        signed_in = cookie(session_id)
        reseller = {"PartnerId": "ACME01", "Name": "Acme", "Email": "ops@acme.invalid"}
        assert http.post(api("/resellers"), json=reseller, headers=signed_in).status_code == 201
        partition = http.post(api("/partitions"), json=partition_body(), headers=signed_in).json()
        assert partition["TelSysID"] == 7
        body = user_body(partition["Id"], scope={"TelSysID": [7], "CMEnvironmentID": "env-7"})
        assert http.post(api("/admin/user"), json=body, headers=signed_in).status_code == 201
    with serving_in_process("integrations.akixi.simulator", state, env=env, args=args) as base_url:
        assert httpx.get(f"{base_url}{api('/partitions')}", headers=signed_in).status_code == 401, "sessions do not"
        with httpx.Client(base_url=base_url, headers={"x-api-key": KEY}) as http:
            assert http.get(api(f"/partitions/{partition['Id']}")).json()["GroupId"] == "alpha-dental"
            assert http.get(api("/admin/user/ada.lovelace")).status_code == 200
