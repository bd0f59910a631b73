"""What changes after a build, decommissioning and the nightly reconciliation ask of Call Cabinet
(#15), against the simulator over a real socket: the group's customer read back whatever its type
(drift, injected with `PATCH /_sim/state`, C2), another customer administrator (C5, read first),
the customer deleted; and manual mode, where the writes are a co-ordinator's instructions and the
read says "not checked"."""

import inspect
from types import SimpleNamespace

import httpx
import pytest

from integrations.base import PermanentError
from integrations.callcabinet.client import CallCabinetGateway, CallCabinetManualGateway, EssentialCustomer
from integrations.callcabinet.simulator import API_PREFIX, create_app
from integrations.manual import NotCheckedInManualMode
from integrations.models import ExternalCall

from ..akixi.sim_servers import Recording, serving_in_thread

pytestmark = pytest.mark.django_db

KEY = "CallCabinet-Key-Canary-8123"
CUSTOMER = EssentialCustomer(
    dealer_code="CUST-0042",
    billing_code="CUST-0042",
    broadworks_group_id="alpha-dental",
    provider_id="ACME01",
    admin_name="Ada Lovelace",
    admin_email="ada@alpha.invalid",
)
NEW_OPERATIONS = ("customer", "change_customer_admin", "delete_customer")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = create_app(state_path=tmp_path_factory.mktemp("callcabinet") / "callcabinet.json", api_key=KEY)
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
    return CallCabinetGateway(base_url=f"{sim.base_url}{API_PREFIX}", api_key=KEY, timeout=5)


@pytest.fixture
def customer_id(gateway):
    gateway.add_reseller("ACME01", "Acme Telecom", "ops@acme.invalid")
    return gateway.add_essential_customer(CUSTOMER)


def drift(sim, patch):
    """What someone working in Call Cabinet's own screens did: a JSON merge patch on its state."""
    httpx.patch(f"{sim.base_url}/_sim/state", json=patch).raise_for_status()


def state(sim):
    return httpx.get(f"{sim.base_url}/_sim/state").json()


def writes(sim):
    return [
        (r.method, r.path.removeprefix(API_PREFIX)) for r in sim.recording.requests if r.method in ("PUT", "DELETE")
    ]


def test_C2_C5_the_groups_customer_is_read_back_and_none_for_a_group_without_one(gateway, customer_id):
    assert gateway.customer("alpha-dental") == {
        "customer_id": customer_id,
        "customer_type": "Essential",
        "provider_id": "ACME01",
        "group_id": "alpha-dental",
        "admin_name": "Ada Lovelace",
        "admin_email": "ada@alpha.invalid",
        "status": "Registration Successful",
    }
    assert gateway.customer("beta-bakery") is None


def test_C2_a_customer_changed_to_another_type_in_call_cabinet_is_read_back_as_it_is(gateway, sim, customer_id):
    drift(sim, {"customers": {str(customer_id): {"CustomerType": "Standard"}}})
    assert gateway.customer("alpha-dental")["customer_type"] == "Standard", "reconciliation sees the drift"
    with pytest.raises(PermanentError, match=r"\(C2\)"):
        gateway.find_customer("alpha-dental")  # and the build step still refuses it as done


def test_C2_two_customers_for_one_group_are_refused_rather_than_one_picked(gateway, sim, customer_id):
    twin = {**state(sim)["customers"][str(customer_id)], "Id": 99, "DealerCode": "CUST-0099"}
    drift(sim, {"customers": {"99": twin}})
    with pytest.raises(PermanentError, match=f"customers {customer_id}, 99 for group alpha-dental"):
        gateway.customer("alpha-dental")


def test_C5_another_administrator_is_set_once_and_gets_the_welcome_email(gateway, sim, customer_id):
    gateway.change_customer_admin(customer_id, name="Grace Hopper", email="grace@alpha.invalid")
    assert writes(sim) == [("PUT", f"/customers/{customer_id}/admin")]
    stored = state(sim)["customers"][str(customer_id)]
    assert (stored["AdminName"], stored["AdminEmail"]) == ("Grace Hopper", "grace@alpha.invalid")
    assert stored["WelcomeEmailSentTo"] == "grace@alpha.invalid"
    assert gateway.customer("alpha-dental")["admin_name"] == "Grace Hopper"

    gateway.change_customer_admin(customer_id, name="Grace Hopper", email="grace@alpha.invalid")
    assert writes(sim) == [("PUT", f"/customers/{customer_id}/admin")], "already so: read, nothing written"


def test_C5_an_invalid_administrator_or_an_unknown_customer_is_refused(gateway, sim, customer_id):
    with pytest.raises(PermanentError, match="AdminEmail is not a valid email address"):
        gateway.change_customer_admin(customer_id, name="Grace Hopper", email="not-an-email")
    assert state(sim)["customers"][str(customer_id)]["AdminEmail"] == "ada@alpha.invalid"
    with pytest.raises(PermanentError, match="Call Cabinet has no customer 999"):
        gateway.change_customer_admin(999, name="Grace Hopper", email="grace@alpha.invalid")


def test_the_customer_is_deleted_and_a_repeat_is_done_already(gateway, sim, customer_id):
    gateway.delete_customer(customer_id)
    assert state(sim)["customers"] == {} and gateway.customer("alpha-dental") is None
    gateway.delete_customer(customer_id)
    assert writes(sim) == [("DELETE", f"/customers/{customer_id}")] * 2
    rows = ExternalCall.objects.filter(operation="delete_customer").order_by("id")
    assert [(r.outcome, r.response["status"]) for r in rows] == [("ok", 204), ("ok", 404)]
    assert KEY not in str(list(ExternalCall.objects.values("request", "response", "error")))


def test_the_manual_gateway_has_the_new_methods_with_the_same_parameters():
    for name in NEW_OPERATIONS:
        params = list(inspect.signature(getattr(CallCabinetManualGateway, name)).parameters)
        assert params == list(inspect.signature(getattr(CallCabinetGateway, name)).parameters), name


def test_in_manual_mode_the_read_says_not_checked_and_the_writes_are_instructions(db):
    manual = CallCabinetManualGateway()
    with pytest.raises(NotCheckedInManualMode, match="^Not checked: Call Cabinet is in manual mode") as read:
        manual.customer("alpha-dental")
    assert read.value.code == "not_checked_manual" and read.value.platform == "Call Cabinet"
    with pytest.raises(PermanentError) as change:
        manual.change_customer_admin("CC-42", name="Grace Hopper", email="grace@alpha.invalid")
    assert change.value.code == "manual" and not isinstance(change.value, NotCheckedInManualMode)
    assert str(change.value) == (
        "In Call Cabinet open customer CC-42 (C5). Customer administrator: Grace Hopper, grace@alpha.invalid "
        "(they get the welcome email). Then confirm here."
    )
    with pytest.raises(PermanentError, match="^In Call Cabinet delete customer CC-42. Then confirm here.$") as delete:
        manual.delete_customer("CC-42")
    assert delete.value.code == "manual"
    assert not ExternalCall.objects.exists(), "manual mode sends nothing"
