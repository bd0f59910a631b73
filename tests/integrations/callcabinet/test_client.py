"""The Call Cabinet gateways: API mode against the simulator over a real socket (C1-C5, idempotent
creates, the error mapping, no API key in rows or logs) and manual mode (the co-ordinator's exact
instructions, the confirmed reference), and the factory that picks one by CALLCABINET_MODE."""

import dataclasses
import inspect
import logging
from types import SimpleNamespace

import httpx
import pytest
from django.utils.module_loading import import_string

from customers import build_steps
from integrations.base import PermanentError, TransientError
from integrations.callcabinet.client import (
    CallCabinetGateway,
    CallCabinetManualGateway,
    EssentialCustomer,
    callcabinet_gateway,
    manual_instructions,
)
from integrations.callcabinet.simulator import API_PREFIX, create_app
from integrations.models import ExternalCall

from ..akixi.sim_servers import free_port, serving_in_thread

pytestmark = pytest.mark.django_db

KEY = "CallCabinet-Key-Canary-5519"
WEB_BASE = "https://rec.example.invalid"
CUSTOMER = {
    "dealer_code": "CUST-0042",
    "billing_code": "CUST-0042",
    "broadworks_group_id": "alpha-dental",
    "provider_id": "ACME01",
    "admin_name": "Ada Lovelace",
    "admin_email": "ada@alpha.invalid",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = tmp_path_factory.mktemp("callcabinet") / "callcabinet.json"
    app = create_app(state_path=path, api_key=KEY, web_base_url=WEB_BASE)
    with serving_in_thread(app) as base_url:
        yield SimpleNamespace(app=app, base_url=base_url)


@pytest.fixture
def sim(server):
    httpx.post(f"{server.base_url}/_sim/reset").raise_for_status()
    return server


@pytest.fixture
def gateway(sim):
    return CallCabinetGateway(base_url=f"{sim.base_url}{API_PREFIX}", api_key=KEY, timeout=5)


@pytest.fixture
def reseller(gateway):
    gateway.add_reseller("ACME01", "Acme Telecom", "ops@acme.invalid")
    return "ACME01"


def state(sim) -> dict:
    return httpx.get(f"{sim.base_url}/_sim/state").json()


def set_faults(sim, *rules):
    httpx.post(f"{sim.base_url}/_sim/faults", json={"rules": list(rules)}).raise_for_status()


def add_customer(gateway, **overrides):
    return gateway.add_essential_customer(EssentialCustomer(**{**CUSTOMER, **overrides}))


# C1 --------------------------------------------------------------------------------------------------


def test_C1_reseller_account_is_created_once_and_a_second_add_is_already_done(gateway, sim):
    assert gateway.reseller_exists("ACME01") is False
    assert gateway.add_reseller("ACME01", "Acme Telecom", "ops@acme.invalid") == "ACME01"
    assert gateway.reseller_exists("ACME01") is True
    assert gateway.add_reseller("ACME01", "Acme Telecom", "ops@acme.invalid") == "ACME01"
    resellers = state(sim)["resellers"]
    assert list(resellers) == ["ACME01"] and resellers["ACME01"]["WelcomeEmailSent"] is True


# C2-C5 -----------------------------------------------------------------------------------------------


def test_C2_C5_essential_customer_lands_with_the_values_and_is_found_by_group_id(gateway, sim, reseller):
    assert gateway.find_customer("alpha-dental") is None
    customer_id = add_customer(gateway, billing_code="Alpha Dental Ltd")
    stored = state(sim)["customers"][str(customer_id)]
    assert stored["CustomerType"] == "Essential"
    assert (stored["DealerCode"], stored["BillingCode"]) == ("CUST-0042", "Alpha Dental Ltd")  # C3
    assert (stored["BroadWorksGroupId"], stored["ProviderId"]) == ("alpha-dental", "ACME01")  # C4
    assert stored["WebUrl"] == f"{WEB_BASE}/ACME01/alpha-dental", "C4: derived by Call Cabinet, not sent"
    assert (stored["AdminName"], stored["AdminEmail"], stored["TermsAccepted"]) == (
        "Ada Lovelace",
        "ada@alpha.invalid",
        True,
    )  # C5
    assert stored["Status"] == "Registration Successful"
    assert gateway.find_customer("alpha-dental") == customer_id
    assert gateway.find_customer("beta-dental") is None
    row = ExternalCall.objects.get(operation="add_essential_customer")
    assert row.request["path"] == "/customers/essential" and "WebUrl" not in row.request["body"]


@pytest.mark.parametrize("gateway_class", [CallCabinetGateway, CallCabinetManualGateway])
def test_C2_essential_is_the_only_kind_of_customer_either_gateway_can_create(gateway_class):
    creators = {name for name in dir(gateway_class) if name.startswith(("add", "create", "new"))}
    assert creators == {"add_reseller", "add_essential_customer"}
    parameters = set(inspect.signature(gateway_class.add_essential_customer).parameters) - {"self"}
    assert parameters == {"customer"}
    made_with = {field.name for field in dataclasses.fields(EssentialCustomer)}
    assert made_with == set(CUSTOMER), "no customer type, web URL or terms parameter"


def test_C2_a_customer_type_cannot_be_passed(gateway, reseller):
    with pytest.raises(TypeError):
        add_customer(gateway, customer_type="Standard")
    assert not ExternalCall.objects.filter(operation="add_essential_customer").exists()


def test_C2_a_customer_made_by_hand_of_another_kind_is_not_taken_as_done(gateway, sim, reseller):
    customer_id = add_customer(gateway)
    sim.app.state.sim.data["customers"][str(customer_id)]["CustomerType"] = "Standard"
    with pytest.raises(PermanentError, match=r"Add New Essential Customer.*\(C2\)"):
        gateway.find_customer("alpha-dental")


def test_C2_a_second_add_returns_the_existing_customer(gateway, sim, reseller):
    customer_id = add_customer(gateway)
    assert add_customer(gateway) == customer_id
    assert len(state(sim)["customers"]) == 1
    assert ExternalCall.objects.filter(operation="add_essential_customer").latest("id").response["status"] == 409


def test_C3_a_dealer_code_already_used_by_another_customer_is_refused(gateway, sim, reseller):
    add_customer(gateway)
    with pytest.raises(PermanentError, match="DealerCode CUST-0042 already exists"):
        add_customer(gateway, broadworks_group_id="beta-dental")
    assert len(state(sim)["customers"]) == 1


def test_C2_the_build_step_creates_the_customer_once(gateway, sim, reseller):
    group = SimpleNamespace(
        group_id="alpha-dental",
        dealer_code="CUST-0042",
        billing_code="CUST-0042",
        partner=SimpleNamespace(partner_id="ACME01"),
        callcabinet_admin_name="Ada Lovelace",
        callcabinet_admin_email="ada@alpha.invalid",
    )
    platforms = SimpleNamespace(callcabinet=gateway)
    reference = build_steps.callcabinet_customer(group=group, platforms=platforms)
    assert build_steps.callcabinet_customer(group=group, platforms=platforms) == reference
    assert list(state(sim)["customers"]) == [reference]


# Errors ----------------------------------------------------------------------------------------------


def test_a_503_is_transient_and_recorded_as_such(gateway, sim, reseller):
    set_faults(sim, {"kind": "unavailable", "path": f"{API_PREFIX}/customers", "method": "POST"})
    with pytest.raises(TransientError, match="503"):
        add_customer(gateway)
    row = ExternalCall.objects.get(operation="add_essential_customer")
    assert row.outcome == "transient_error" and "Service temporarily unavailable" in row.error
    assert isinstance(add_customer(gateway), int), "the retry works"


def test_a_dropped_connection_is_transient_and_recorded_as_such(gateway, sim):
    set_faults(sim, {"kind": "drop"})
    with pytest.raises(TransientError, match="dropped the connection"):
        gateway.find_customer("alpha-dental")
    assert ExternalCall.objects.get().outcome == "transient_error"


def test_an_unreachable_platform_is_transient(db):
    gateway = CallCabinetGateway(base_url=f"http://127.0.0.1:{free_port()}{API_PREFIX}", api_key=KEY, timeout=2)
    with pytest.raises(TransientError, match="could not be reached"):
        gateway.reseller_exists("ACME01")
    assert ExternalCall.objects.get().outcome == "transient_error"


def test_a_422_is_permanent_with_the_servers_message(gateway, sim):
    with pytest.raises(PermanentError) as refused:
        add_customer(gateway, admin_email="not-an-email")
    message = str(refused.value)
    assert "No reseller account for ProviderId ACME01; create the reseller first" in message
    assert "AdminEmail is not a valid email address" in message
    assert refused.value.code == "validation_failed"
    assert ExternalCall.objects.get().outcome == "permanent_error"
    assert state(sim)["customers"] == {}


def test_a_wrong_api_key_is_permanent_and_names_the_setting(sim):
    gateway = CallCabinetGateway(base_url=f"{sim.base_url}{API_PREFIX}", api_key="wrong", timeout=5)
    with pytest.raises(PermanentError, match="CALLCABINET_API_KEY"):
        gateway.find_customer("alpha-dental")


def test_the_api_key_never_reaches_external_calls_errors_or_logs(gateway, sim, caplog):
    caplog.set_level(logging.DEBUG)
    errors = []
    gateway.add_reseller("ACME01", "Acme Telecom", "ops@acme.invalid")
    add_customer(gateway)
    add_customer(gateway)
    set_faults(sim, {"kind": "unavailable"}, {"kind": "drop"}, {"kind": "reject", "status": 403})
    for _ in range(3):
        with pytest.raises((TransientError, PermanentError)) as failed:
            gateway.find_customer("alpha-dental")
        errors.append(str(failed.value))
    rows = list(ExternalCall.objects.values())
    assert len(rows) >= 7
    assert KEY not in str(rows) and KEY not in caplog.text and KEY not in " ".join(errors)
    assert KEY not in repr(gateway)


# Manual mode -----------------------------------------------------------------------------------------


def test_C2_manual_instructions_name_the_rule_and_every_value():
    fields = {**CUSTOMER, "billing_code": "Alpha Dental Ltd"}
    lines = manual_instructions(EssentialCustomer(**fields))
    text = " ".join(lines)
    assert lines[0] == "In Call Cabinet choose “Add New Essential Customer” — never “Add New Customer” (C2)."
    for value in fields.values():
        assert value in text
    for label in ("Dealer Code: CUST-0042", "Billing Code: Alpha Dental Ltd", "BroadWorks Group ID: alpha-dental"):
        assert label in text
    assert "Provider ID: ACME01" in text
    assert "Accept the terms." in lines and "Wait for “Registration Successful”." in lines
    assert lines[-1] == "Then confirm here with the customer reference."


def test_C2_manual_mode_fails_with_the_instructions_and_sends_nothing():
    gateway = CallCabinetManualGateway()
    assert gateway.find_customer("alpha-dental") is None
    with pytest.raises(PermanentError) as instructed:
        add_customer(gateway)
    assert str(instructed.value) == " ".join(manual_instructions(EssentialCustomer(**CUSTOMER)))
    assert instructed.value.code == "manual"
    with pytest.raises(PermanentError, match=r"reseller account for partner ACME01 .*\(C1\)"):
        gateway.add_reseller("ACME01", "Acme Telecom", "ops@acme.invalid")
    assert ExternalCall.objects.count() == 0


def test_C2_manual_mode_a_missing_value_is_pointed_out():
    with pytest.raises(PermanentError, match=r"Customer administrator: Ada Lovelace, \(missing"):
        add_customer(CallCabinetManualGateway(), admin_email="")


def test_C2_manual_mode_the_confirmed_reference_completes_the_build_step():
    confirmed = {}
    gateway = CallCabinetManualGateway(confirmed_reference=confirmed.get, confirmed_reseller=lambda p: p == "ACME01")
    group = SimpleNamespace(
        group_id="alpha-dental",
        dealer_code="CUST-0042",
        billing_code="CUST-0042",
        partner=SimpleNamespace(partner_id="ACME01"),
        callcabinet_admin_name="Ada Lovelace",
        callcabinet_admin_email="ada@alpha.invalid",
    )
    platforms = SimpleNamespace(callcabinet=gateway)
    with pytest.raises(PermanentError, match="Add New Essential Customer"):
        build_steps.callcabinet_customer(group=group, platforms=platforms)
    confirmed["alpha-dental"] = " CC-778812 "
    assert build_steps.callcabinet_customer(group=group, platforms=platforms) == "CC-778812"
    assert add_customer(gateway) == "CC-778812"
    assert gateway.reseller_exists("ACME01") and gateway.add_reseller("ACME01", "Acme", "ops@acme.invalid") == "ACME01"


# Settings and the factory ----------------------------------------------------------------------------


def test_the_mode_setting_picks_the_gateway(settings, sim):
    settings.CALLCABINET_BASE_URL = f"{sim.base_url}{API_PREFIX}"
    settings.CALLCABINET_API_KEY = KEY
    settings.CALLCABINET_TIMEOUT = 4
    settings.CALLCABINET_MODE = "api"
    api = callcabinet_gateway()
    assert isinstance(api, CallCabinetGateway) and api.timeout == 4.0
    assert api.reseller_exists("ACME01") is False
    settings.CALLCABINET_MODE = "Manual"
    assert isinstance(callcabinet_gateway(), CallCabinetManualGateway)
    settings.CALLCABINET_MODE = "fax"
    with pytest.raises(PermanentError, match="CALLCABINET_MODE"):
        callcabinet_gateway()


def test_the_factory_and_the_akixi_gateway_load_from_dotted_paths_as_get_platforms_does(settings):
    settings.CALLCABINET_MODE = "manual"
    assert isinstance(import_string("integrations.callcabinet.client.callcabinet_gateway")(), CallCabinetManualGateway)
    assert type(import_string("integrations.akixi.client.AkixiGateway")()).__name__ == "AkixiGateway"
