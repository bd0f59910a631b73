"""The Call Cabinet simulator's contract (C1-C5), its state file, its fault injection, and the real server."""

import json

import httpx
import pytest

from integrations.callcabinet.simulator import API_PREFIX, create_app

from ..akixi.sim_servers import serving_in_process, serving_in_thread

pytestmark = pytest.mark.anyio

KEY = "test-callcabinet-key"
WEB_BASE = "https://rec.example.invalid"


@pytest.fixture
def state_path(tmp_path):
    return tmp_path / "sim" / "callcabinet.json"


@pytest.fixture
def make_client(state_path):
    def make(*, headers=None):
        app = create_app(state_path=state_path, api_key=KEY, web_base_url=WEB_BASE)
        headers = {"X-Api-Key": KEY} if headers is None else headers
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cc.test", headers=headers)

    return make


@pytest.fixture
def client(make_client):
    return make_client()


def api(path):
    return f"{API_PREFIX}{path}"


def customer_body(**overrides):
    body = {
        "DealerCode": "CUST-0042",
        "BillingCode": "CUST-0042",
        "BroadWorksGroupId": "alpha-dental",
        "ProviderId": "ACME01",
        "AdminName": "Ada Lovelace",
        "AdminEmail": "ada@alpha.invalid",
        "TermsAccepted": True,
    }
    return {**body, **overrides}


async def add_reseller(client, partner_id="ACME01"):
    body = {"PartnerId": partner_id, "Name": f"{partner_id} Ltd", "Email": "ops@acme.invalid"}
    response = await client.post(api("/resellers"), json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def add_customer(client, **overrides):
    response = await client.post(api("/customers/essential"), json=customer_body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


def error_fields(response):
    assert response.status_code == 422, response.text
    return {error["field"] for error in response.json()["errors"]}


async def test_requests_without_the_api_key_are_401(make_client):
    anonymous = make_client(headers={})
    assert (await anonymous.get(api("/customers"))).status_code == 401
    response = await anonymous.get(api("/customers"), headers={"X-Api-Key": "wrong"})
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"


async def test_C1_reseller_account_is_created_once_and_read_by_partner_id(client):
    assert (await add_reseller(client))["WelcomeEmailSent"] is True
    assert (await client.get(api("/resellers/ACME01"))).json()["Name"] == "ACME01 Ltd"
    again = await client.post(api("/resellers"), json={"PartnerId": "ACME01", "Name": "X", "Email": "x@y.invalid"})
    assert again.status_code == 409
    assert (await client.get(api("/resellers/NOPE"))).status_code == 404


async def test_essential_customer_is_registered_with_a_derived_web_url(client):
    await add_reseller(client)
    customer = await add_customer(client)
    assert customer["Status"] == "Registration Successful"
    assert customer["CustomerType"] == "Essential"
    assert customer["WebUrl"] == f"{WEB_BASE}/ACME01/alpha-dental"
    assert customer["WelcomeEmailSentTo"] == "ada@alpha.invalid"
    found = (await client.get(api("/customers"), params={"groupId": "alpha-dental"})).json()["customers"]
    assert [c["Id"] for c in found] == [customer["Id"]]
    assert (await client.get(api("/customers"), params={"groupId": "other"})).json() == {"customers": []}
    assert (await client.get(api(f"/customers/{customer['Id']}"))).json()["DealerCode"] == "CUST-0042"
    assert (await client.get(api("/customers/999"))).status_code == 404


async def test_C2_there_is_no_endpoint_for_any_other_kind_of_customer(client):
    await add_reseller(client)
    response = await client.post(api("/customers"), json=customer_body())
    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"
    for path in ("/customers/standard", "/customers/new", "/customer"):
        assert (await client.post(api(path), json=customer_body())).status_code in (404, 405)
    assert (await client.get(api("/customers"))).json() == {"customers": []}


async def test_C2_customer_type_other_than_essential_is_refused(client):
    await add_reseller(client)
    response = await client.post(api("/customers/essential"), json=customer_body(CustomerType="Standard"))
    assert error_fields(response) == {"CustomerType"}


@pytest.mark.parametrize("field", ["DealerCode", "BillingCode"])
async def test_C3_dealer_and_billing_codes_are_required(client, field):
    await add_reseller(client)
    response = await client.post(api("/customers/essential"), json=customer_body(**{field: ""}))
    assert error_fields(response) == {field}


async def test_C3_duplicate_dealer_code_conflicts(client):
    await add_reseller(client)
    await add_customer(client)
    response = await client.post(api("/customers/essential"), json=customer_body(BroadWorksGroupId="another-group"))
    assert response.status_code == 409 and "DealerCode" in response.json()["message"]


@pytest.mark.parametrize("field", ["BroadWorksGroupId", "ProviderId"])
async def test_C4_group_and_provider_ids_are_required(client, field):
    await add_reseller(client)
    body = customer_body()
    del body[field]
    assert error_fields(await client.post(api("/customers/essential"), json=body)) == {field}


async def test_C4_provider_id_without_reseller_account_is_refused(client):
    response = await client.post(api("/customers/essential"), json=customer_body(ProviderId="GHOST9"))
    assert error_fields(response) == {"ProviderId"}
    assert "No reseller account" in response.json()["message"]


async def test_C4_web_url_is_derived_never_sent(client):
    await add_reseller(client)
    response = await client.post(api("/customers/essential"), json=customer_body(WebUrl="https://elsewhere.invalid"))
    assert error_fields(response) == {"WebUrl"}


async def test_C4_duplicate_broadworks_group_id_conflicts(client):
    await add_reseller(client)
    await add_customer(client)
    response = await client.post(api("/customers/essential"), json=customer_body(DealerCode="CUST-0043"))
    assert response.status_code == 409 and "BroadWorksGroupId" in response.json()["message"]


@pytest.mark.parametrize(("field", "value"), [("AdminName", " "), ("AdminEmail", "not-an-email"), ("AdminEmail", None)])
async def test_C5_customer_administrator_details_are_required(client, field, value):
    await add_reseller(client)
    response = await client.post(api("/customers/essential"), json=customer_body(**{field: value}))
    assert error_fields(response) == {field}


@pytest.mark.parametrize("value", [False, "true", 1, None])
async def test_C5_terms_must_be_accepted(client, value):
    await add_reseller(client)
    body = customer_body(TermsAccepted=value)
    if value is None:
        del body["TermsAccepted"]
    response = await client.post(api("/customers/essential"), json=body)
    assert error_fields(response) == {"TermsAccepted"}
    assert "TermsAccepted must be true" in response.json()["message"]


async def test_state_survives_a_restart_from_the_same_file(make_client, state_path):
    first = make_client()
    await add_reseller(first)
    customer = await add_customer(first)
    assert sorted(p.name for p in state_path.parent.iterdir()) == ["callcabinet.json"], "no temporary file left"

    second = make_client()
    assert (await second.get(api(f"/customers/{customer['Id']}"))).json()["Status"] == "Registration Successful"
    assert (await second.post(api("/customers/essential"), json=customer_body())).status_code == 409
    assert (await add_customer(second, DealerCode="B", BroadWorksGroupId="beta"))["Id"] == customer["Id"] + 1
    assert json.loads(state_path.read_text())["resellers"]["ACME01"]["Name"] == "ACME01 Ltd"


async def test_fault_transient_503_then_success(client, state_path):
    await add_reseller(client)
    rule = {"kind": "unavailable", "count": 2, "path": API_PREFIX + "/customers/essential", "method": "POST"}
    await client.post("/_sim/faults", json={"rules": [rule]})
    assert (await client.get(api("/customers"))).status_code == 200, "other paths are not affected"
    for _ in range(2):
        response = await client.post(api("/customers/essential"), json=customer_body())
        assert response.status_code == 503 and response.json()["transient"] is True
    assert json.loads(state_path.with_name("callcabinet.faults.json").read_text())["rules"] == []
    assert (await client.post(api("/customers/essential"), json=customer_body())).status_code == 201


async def test_fault_permanent_4xx_carries_its_reason(client, state_path):
    faults = {"rules": [{"kind": "reject", "status": 402, "reason": "Reseller account on credit hold"}]}
    state_path.with_name("callcabinet.faults.json").write_text(json.dumps(faults))
    response = await client.get(api("/customers"))
    assert response.status_code == 402
    assert response.json() == {"code": "rejected", "message": "Reseller account on credit hold", "transient": False}
    assert (await client.get(api("/customers"))).status_code == 200


async def test_admin_endpoints_show_state_and_reset_it(client):
    await add_reseller(client)
    await add_customer(client)
    assert len((await client.get("/_sim/state")).json()["customers"]) == 1
    assert (await client.post("/_sim/reset")).status_code == 200
    assert (await client.get("/_sim/state")).json() == {"resellers": {}, "customers": {}, "next_customer_id": 1}
    assert (await client.get(api("/_sim/state"))).status_code == 404, "only at the root, never in the API"


def test_over_a_socket_a_dropped_reply_is_a_transport_error_then_the_call_works(state_path):
    app = create_app(state_path=state_path, api_key=KEY)
    with serving_in_thread(app) as base_url, httpx.Client(base_url=base_url, headers={"X-Api-Key": KEY}) as http:
        http.post("/_sim/faults", json={"rules": [{"kind": "drop", "method": "GET"}]})
        with pytest.raises(httpx.RemoteProtocolError):
            http.get(api("/customers"))
        assert http.get(api("/customers")).json() == {"customers": []}


def test_entry_point_serves_over_a_socket_and_state_survives_a_kill(tmp_path):
    state = tmp_path / "var" / "sim" / "callcabinet.json"
    env = {"CALLCABINET_SIM_API_KEY": KEY}
    headers = {"X-Api-Key": KEY}
    with serving_in_process("integrations.callcabinet.simulator", state, env=env) as base_url:
        reseller = {"PartnerId": "ACME01", "Name": "Acme", "Email": "ops@acme.invalid"}
        assert httpx.post(f"{base_url}{api('/resellers')}", json=reseller, headers=headers).status_code == 201
        created = httpx.post(f"{base_url}{api('/customers/essential')}", json=customer_body(), headers=headers)
        assert created.status_code == 201
    with serving_in_process("integrations.callcabinet.simulator", state, env=env) as base_url:
        found = httpx.get(f"{base_url}{api('/customers')}", params={"groupId": "alpha-dental"}, headers=headers)
        assert [c["Status"] for c in found.json()["customers"]] == ["Registration Successful"]
        assert httpx.get(f"{base_url}{api('/customers')}", headers={"X-Api-Key": "wrong"}).status_code == 401


def test_C1_the_demo_partners_reseller_account_can_be_preloaded(tmp_path):
    from integrations.callcabinet.simulator.state import empty_state
    from integrations.simkit import JsonState
    from integrations.simkit.resellers import preload_resellers

    state = JsonState(tmp_path / "cc.json", empty_state)
    preload_resellers(state, ["ACME01"])
    preload_resellers(JsonState(tmp_path / "cc.json", empty_state), ["ACME01"])  # again: unchanged
    reloaded = JsonState(tmp_path / "cc.json", empty_state)
    assert list(reloaded.data["resellers"]) == ["ACME01"]
