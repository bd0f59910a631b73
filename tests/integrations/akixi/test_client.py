"""The Akixi gateway against the simulator over a real socket: the two documented logins (x-api-key,
and the session: POST /session, GET /login with Basic, the cookie, GET /logout), K1-K4 values set by
the client, the documented user body, the build steps' own calls, idempotent creates, the error
mapping, and no key, password or session in rows or logs."""

import inspect
import json
import logging
import time
from types import SimpleNamespace

import httpx
import pytest

from customers import build_steps
from integrations.akixi import client as akixi
from integrations.akixi.client import AkixiGateway
from integrations.akixi.simulator import API_PREFIX, create_app
from integrations.base import PermanentError, TransientError
from integrations.choices import CallOutcome
from integrations.models import ExternalCall

from .bodies import alpha_dental_group
from .sim_servers import Recording, free_port, serving_in_thread

pytestmark = pytest.mark.django_db

KEY = "Akixi-Key-Canary-7731"
USERNAME, PASSWORD = "expoe-portal", "Akixi-Pass-Canary-5150"


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
def session_gateway(sim):
    """No API key: the documented session login."""
    return AkixiGateway(base_url=f"{sim.base_url}{API_PREFIX}", api_key="", username=USERNAME, password=PASSWORD)


def state(sim) -> dict:
    return httpx.get(f"{sim.base_url}/_sim/state").json()


def sent(sim):
    """(method, path below the API prefix) of every API request the simulator received."""
    return [
        (r.method, r.path.removeprefix(API_PREFIX)) for r in sim.recording.requests if r.path.startswith(API_PREFIX)
    ]


def set_faults(sim, *rules, **extra):
    httpx.post(f"{sim.base_url}/_sim/faults", json={"rules": list(rules), **extra}).raise_for_status()


def add_partition(gateway, group_id="alpha-dental", provider_id="ACME01", **overrides):
    fields = {
        "description": "Alpha Dental",
        "billing_id": group_id,
        "licensed_for": "Reporting Standard",
        "provider_id": provider_id,
        "group_id": group_id,
        **overrides,
    }
    return gateway.add_partition(**fields)


def add_user(gateway, partition, username="ada.lovelace"):
    return gateway.add_reporting_user(
        username=username, full_name="Ada Lovelace", email="ada@alpha.invalid", partition=partition
    )


@pytest.fixture
def reseller(gateway):
    gateway.add_reseller("ACME01", "Acme Telecom", "ops@acme.invalid")
    return "ACME01"


@pytest.fixture
def partition(gateway, reseller):
    return add_partition(gateway)


def outcomes():
    return [(c.operation, c.outcome) for c in ExternalCall.objects.order_by("id")]


# The login ------------------------------------------------------------------------------------------


def test_with_an_api_key_every_call_carries_x_api_key_and_nothing_else(gateway, sim):
    gateway.reseller_exists("ACME01")
    (request,) = sim.recording.requests
    assert request.headers["x-api-key"] == KEY
    assert "cookie" not in request.headers and "authorization" not in request.headers


def test_without_an_api_key_each_operation_logs_in_calls_with_the_cookie_and_logs_out(session_gateway, sim):
    assert session_gateway.reseller_exists("ACME01") is False
    assert sent(sim) == [
        ("POST", "/session"),
        ("GET", "/login"),
        ("GET", "/resellers/ACME01"),
        ("GET", "/logout"),
    ]
    create, login, call, logout = sim.recording.requests
    assert create.body == b"" and create.query == {}
    assert login.query == {"locale": ["en_GB"]}
    assert login.headers["authorization"].startswith("Basic ")
    session_id = login.headers["cookie"].removeprefix("JSESSIONID=")
    assert session_id and call.headers["cookie"] == logout.headers["cookie"] == f"JSESSIONID={session_id}"
    assert "authorization" not in call.headers and "x-api-key" not in call.headers
    assert outcomes() == [("session_create", "ok"), ("login", "ok"), ("reseller_exists", "ok"), ("logout", "ok")]


def test_a_method_making_several_calls_makes_them_in_one_session(session_gateway, sim):
    session_gateway.add_reseller("ACME01", "Acme", "ops@acme.invalid")
    add_partition(session_gateway)
    sim.recording.requests.clear()
    add_partition(session_gateway)  # 409, then the read: one session
    assert sent(sim) == [
        ("POST", "/session"),
        ("GET", "/login"),
        ("POST", "/partitions"),
        ("GET", "/partitions"),
        ("GET", "/logout"),
    ]


def test_the_session_is_logged_out_when_the_call_fails(session_gateway, sim):
    set_faults(
        sim, {"kind": "reject", "status": 403, "reason": "Reseller suspended", "path": f"{API_PREFIX}/resellers"}
    )
    with pytest.raises(PermanentError, match="Reseller suspended"):
        session_gateway.reseller_exists("ACME01")
    assert sent(sim)[-1] == ("GET", "/logout")
    assert session_gateway.reseller_exists("ACME01") is False, "the next login is not refused"


def test_a_wrong_password_is_permanent_names_the_settings_and_still_ends_the_session(sim):
    gateway = AkixiGateway(base_url=f"{sim.base_url}{API_PREFIX}", api_key="", username=USERNAME, password="wrong")
    with pytest.raises(PermanentError, match="AKIXI_USERNAME and AKIXI_PASSWORD") as refused:
        gateway.find_partition("alpha-dental")
    assert "Invalid username or password" in str(refused.value)
    assert sent(sim) == [("POST", "/session"), ("GET", "/login"), ("GET", "/logout")]
    assert outcomes() == [("session_create", "ok"), ("login", "permanent_error"), ("logout", "ok")]


def test_a_login_refused_while_another_session_lives_is_transient(session_gateway, sim):
    other = httpx.post(f"{sim.base_url}{API_PREFIX}/session").json()["SessionID"]
    httpx.get(
        f"{sim.base_url}{API_PREFIX}/login",
        params={"locale": "en_GB"},
        headers={"Cookie": f"JSESSIONID={other}"},
        auth=(USERNAME, PASSWORD),
    ).raise_for_status()
    with pytest.raises(TransientError, match="another session of expoe-portal is open") as busy:
        session_gateway.user_exists("ada.lovelace")
    assert busy.value.code == "session_busy"
    httpx.get(f"{sim.base_url}{API_PREFIX}/logout", headers={"Cookie": f"JSESSIONID={other}"}).raise_for_status()
    assert session_gateway.user_exists("ada.lovelace") is False, "the retry works once the other session ended"


def test_the_session_login_needs_https_beyond_this_machine(db):
    gateway = AkixiGateway(base_url="http://akixi.example.com/CCS/API/v1", api_key="", username="u", password="p")
    with pytest.raises(PermanentError, match="must start with https://") as refused:
        gateway.user_exists("ada.lovelace")
    assert refused.value.code == "not_https"
    assert ExternalCall.objects.count() == 0, "no credentials were sent"


def test_without_an_api_key_or_a_username_nothing_is_sent(db):
    gateway = AkixiGateway(base_url="https://akixi.example.com/CCS/API/v1", api_key="", username="", password="")
    with pytest.raises(PermanentError, match="set AKIXI_API_KEY \\(or AKIXI_USERNAME and AKIXI_PASSWORD"):
        gateway.user_exists("ada.lovelace")
    assert ExternalCall.objects.count() == 0


def test_no_password_key_or_session_reaches_rows_logs_or_errors(session_gateway, gateway, sim, caplog):
    caplog.set_level(logging.DEBUG)
    session_gateway.add_reseller("ACME01", "Acme Telecom", "ops@acme.invalid")
    partition = add_partition(session_gateway)
    add_user(session_gateway, partition)
    gateway.user_exists("ada.lovelace")
    set_faults(sim, {"kind": "unavailable"}, {"kind": "drop"}, {"kind": "reject", "status": 403})
    errors = []
    for _ in range(3):
        with pytest.raises((TransientError, PermanentError)) as failed:
            gateway.user_exists("ada.lovelace")
        errors.append(str(failed.value))
    session_ids = {
        r.headers["cookie"].removeprefix("JSESSIONID=") for r in sim.recording.requests if "cookie" in r.headers
    }
    user_post = next(r for r in sim.recording.requests if r.path.endswith("/admin/user"))
    first_password = json.loads(user_post.body)["Password"]
    secrets = [KEY, PASSWORD, first_password, *session_ids]
    rows = json.dumps(list(ExternalCall.objects.values("request", "response", "error")))
    for secret in secrets:
        assert secret not in rows and secret not in caplog.text and secret not in " ".join(errors)
    assert KEY not in repr(gateway) and PASSWORD not in repr(session_gateway)
    row = ExternalCall.objects.get(operation="add_reporting_user")
    assert row.request["body"]["Password"] == "********"
    created = ExternalCall.objects.filter(operation="session_create")
    assert created.count() == 3 and all(row.response["body"]["SessionID"] == "********" for row in created)


# K1 --------------------------------------------------------------------------------------------------


def test_K1_reseller_account_is_created_once_and_a_second_add_is_already_done(gateway, sim):
    assert gateway.reseller_exists("ACME01") is False
    assert gateway.add_reseller("ACME01", "Acme Telecom", "ops@acme.invalid") == "ACME01"
    assert gateway.reseller_exists("ACME01") is True
    assert gateway.add_reseller("ACME01", "Acme Telecom", "ops@acme.invalid") == "ACME01"
    resellers = state(sim)["resellers"]
    assert list(resellers) == ["ACME01"] and resellers["ACME01"]["WelcomeEmailSent"] is True
    assert outcomes() == [
        ("reseller_exists", "ok"),
        ("add_reseller", "ok"),
        ("reseller_exists", "ok"),
        ("add_reseller", "ok"),  # 409: already there
        ("reseller_exists", "ok"),
    ]


# K2 --------------------------------------------------------------------------------------------------


def test_K2_partition_is_made_with_the_fixed_values_and_found_by_group_id(gateway, sim, reseller):
    assert gateway.find_partition("alpha-dental") is None
    partition_id = add_partition(gateway, billing_id="CUST-0042")
    assert isinstance(partition_id, int)
    stored = state(sim)["partitions"][str(partition_id)]
    assert stored["TelephonyServerType"] == "Service Provider Group"
    assert stored["SynchronisationType"] == "By Service Pack"
    assert stored["MaintainParity"] is True
    assert (stored["Description"], stored["BillingId"], stored["LicensedFor"]) == (
        "Alpha Dental",
        "CUST-0042",
        "Reporting Standard",
    )
    assert (stored["EnterpriseOrProviderId"], stored["GroupId"]) == ("ACME01", "alpha-dental")
    assert gateway.find_partition("alpha-dental") == partition_id
    assert gateway.find_partition("beta-dental") is None
    row = ExternalCall.objects.get(operation="add_partition")
    assert (row.target, row.request["body"]["TelephonyServerType"]) == ("ACME01/alpha-dental", "Service Provider Group")


def test_K2_the_caller_cannot_choose_the_fixed_values(gateway):
    parameters = set(inspect.signature(gateway.add_partition).parameters)
    assert parameters == {"description", "billing_id", "licensed_for", "provider_id", "group_id"}
    with pytest.raises(TypeError):
        add_partition(gateway, synchronisation_type="By Group")
    assert ExternalCall.objects.count() == 0


def test_K2_a_second_add_returns_the_existing_partition(gateway, sim, partition):
    assert add_partition(gateway) == partition
    assert len(state(sim)["partitions"]) == 1
    assert outcomes()[-2:] == [("add_partition", "ok"), ("find_partition", "ok")]
    assert ExternalCall.objects.filter(operation="add_partition").latest("id").response["status"] == 409


def test_K2_an_add_that_timed_out_but_landed_is_found_when_retried(sim, reseller):
    impatient = AkixiGateway(base_url=f"{sim.base_url}{API_PREFIX}", api_key=KEY, timeout=0.2)
    set_faults(sim, {"kind": "slow", "delay_ms": 600, "path": f"{API_PREFIX}/partitions", "method": "POST"})
    with pytest.raises(TransientError, match="did not answer"):
        add_partition(impatient)
    assert ExternalCall.objects.filter(operation="add_partition").get().outcome == "transient_error"
    deadline = time.monotonic() + 5
    while not state(sim)["partitions"]:
        assert time.monotonic() < deadline, "the slow write never landed"
        time.sleep(0.05)
    assert add_partition(impatient) == int(next(iter(state(sim)["partitions"])))
    assert len(state(sim)["partitions"]) == 1


def test_K2_a_partition_of_the_group_under_another_partner_is_refused(gateway, sim, reseller):
    gateway.add_reseller("BETA02", "Betacom", "ops@betacom.invalid")
    add_partition(gateway, provider_id="BETA02")
    with pytest.raises(PermanentError, match="for provider BETA02"):
        add_partition(gateway, provider_id="ACME01")
    assert len(state(sim)["partitions"]) == 1


def test_K2_a_partition_made_by_hand_with_other_values_is_not_taken_as_done(gateway, sim, partition):
    sim.app.state.sim.data["partitions"][str(partition)]["SynchronisationType"] = "By Group"
    with pytest.raises(PermanentError, match="K2"):
        gateway.find_partition("alpha-dental")


# K3 --------------------------------------------------------------------------------------------------


def test_K3_sync_moves_to_completed_after_polls_and_can_be_requested_again(gateway, partition):
    assert [gateway.sync_status(partition) for _ in range(3)] == ["pending", "in_progress", "completed"]
    assert gateway.sync_status(partition) == "completed"
    assert gateway.request_sync(partition) == "pending"
    assert gateway.request_sync(partition) == "pending", "pressing again while one runs changes nothing"
    statuses = [gateway.sync_status(partition) for _ in range(3)]
    assert statuses[-1] == "completed"


def test_K3_an_unknown_partition_is_a_permanent_error_with_the_servers_message(gateway):
    with pytest.raises(PermanentError, match="No partition 999"):
        gateway.sync_status(999)
    assert ExternalCall.objects.get().outcome == "permanent_error"


# K4 --------------------------------------------------------------------------------------------------


def test_K4_the_user_is_added_with_the_documented_fields_and_the_customers_own_partition(gateway, sim, partition):
    assert gateway.user_exists("ada.lovelace") is False
    assert add_user(gateway, partition) == "ada.lovelace"
    assert gateway.user_exists("ada.lovelace") is True
    post = next(r for r in sim.recording.requests if r.method == "POST" and r.path.endswith("/admin/user"))
    assert post.headers["content-type"] == "application/json"
    body = json.loads(post.body)
    assert list(body) == [*akixi_documented_fields(), "Role", "ReportingLevel", "DefaultReports"]
    assert (body["FullName"], body["EmailAddr"], body["Username"]) == (
        "Ada Lovelace",
        "ada@alpha.invalid",
        "ada.lovelace",
    )
    assert body["PasswordChgRequired"] is body["SendWelcomeEmail"] is body["EnableMFA"] is True
    assert body["Scope"]["TelSysID"] == [1] and body["Scope"]["PartIDInTelSys"] == [partition]
    assert body["Scope"]["DeviceNumber"] == body["Scope"]["AgentNumber"] == "All"
    assert (body["Role"], body["ReportingLevel"], body["DefaultReports"]) == (
        "Reporting Only User",
        "1000 Supervisor",
        "Standard Reports",
    )
    user = state(sim)["users"]["ada.lovelace"]
    assert user["PartitionPermission"] == [partition] and "Password" not in user


def akixi_documented_fields():
    from integrations.akixi.simulator.contract import USER_FIELDS

    return list(USER_FIELDS)


def test_K4_each_user_gets_its_own_generated_password(gateway, partition):
    first, second = (
        gateway.reporting_user_body(username="a", full_name="A", email="a@x.invalid", partition_id=partition)
        for _ in range(2)
    )
    assert first["Password"] != second["Password"]
    assert len(first["Password"]) == len("M9zGAGR3nINFNAZKIMC0IA=="), "the documented example's form"


def test_K4_there_is_no_parameter_that_could_give_any_partition(gateway, partition):
    assert set(inspect.signature(gateway.add_reporting_user).parameters) == {
        "username",
        "full_name",
        "email",
        "partition",
    }
    for extra in ({"scope": {"PartIDInTelSys": [-1]}}, {"part_id_in_tel_sys": [-1]}, {"role": "Administrator"}):
        with pytest.raises(TypeError):
            gateway.add_reporting_user(username="x", full_name="X", email="x@a.invalid", partition=partition, **extra)


@pytest.mark.parametrize(
    "partition",
    ["Any Partition", "any partition", "ANY", ["Any Partition"], [1, 2], [1], None, True, 0, -1, -3, "-1", "1,2"],
)
def test_K4_any_partition_or_several_is_refused_before_anything_is_sent(gateway, sim, partition):
    ExternalCall.objects.all().delete()
    with pytest.raises(PermanentError):
        add_user(gateway, partition)
    assert ExternalCall.objects.count() == 0, "refused before any call"
    assert state(sim)["users"] == {}


@pytest.mark.parametrize("partition", ["Any Partition", -1])
def test_K4_any_partition_is_refused_with_the_rule_named(gateway, partition):
    with pytest.raises(PermanentError, match=r"only for partner staff \(K4\)") as refused:
        add_user(gateway, partition)
    assert refused.value.code == "any_partition"


def test_K4_a_second_add_of_the_same_user_is_already_done(gateway, sim, partition):
    add_user(gateway, partition)
    assert add_user(gateway, str(partition)) == "ada.lovelace", "a partition Id given as text is the same one"
    assert list(state(sim)["users"]) == ["ada.lovelace"]
    assert outcomes()[-2:] == [("add_reporting_user", "ok"), ("find_user", "ok")]


def test_K4_a_username_taken_on_another_partition_is_refused(gateway, sim, partition):
    other = add_partition(gateway, group_id="beta-dental")
    add_user(gateway, partition)
    with pytest.raises(PermanentError, match="already exists.*choose another username") as refused:
        add_user(gateway, other)
    assert refused.value.code == "duplicate"
    assert state(sim)["users"]["ada.lovelace"]["PartitionPermission"] == [partition]


def test_K4_a_scope_this_akixi_does_not_have_is_refused_with_its_message(sim, partition):
    elsewhere = AkixiGateway(base_url=f"{sim.base_url}{API_PREFIX}", api_key=KEY, cm_environment_id="elsewhere")
    with pytest.raises(PermanentError, match="Akixi: Unknown Scope.CMEnvironmentID elsewhere") as refused:
        add_user(elsewhere, partition)
    assert refused.value.code == "400"


# The build steps' own calls ----------------------------------------------------------------------------


@pytest.mark.parametrize("login", ["api_key", "session"])
def test_K2_K3_K4_the_build_steps_run_against_the_simulator(gateway, session_gateway, sim, reseller, login):
    ak = gateway if login == "api_key" else session_gateway
    group = alpha_dental_group()
    platforms = SimpleNamespace(akixi=ak)
    partition = build_steps.akixi_partition(group=group, platforms=platforms)
    with pytest.raises(TransientError, match="in progress"):
        build_steps.akixi_sync(group=group, platforms=platforms)
    assert build_steps.akixi_sync(group=group, platforms=platforms) == "completed"
    assert build_steps.akixi_partition(group=group, platforms=platforms) == partition, "a rerun changes nothing"
    assert build_steps.akixi_users(group=group, platforms=platforms) == "1 users"
    assert build_steps.akixi_users(group=group, platforms=platforms) == "1 users"
    assert len(state(sim)["partitions"]) == 1
    assert state(sim)["users"]["ada.lovelace"]["PartitionPermission"] == [int(partition)]


# Errors ----------------------------------------------------------------------------------------------


def test_a_503_is_transient_and_recorded_as_such(gateway, sim, reseller):
    set_faults(sim, {"kind": "unavailable", "path": f"{API_PREFIX}/partitions", "method": "POST"})
    with pytest.raises(TransientError, match=r"unavailable \(503\): Service temporarily unavailable"):
        add_partition(gateway)
    row = ExternalCall.objects.get(operation="add_partition")
    assert row.outcome == "transient_error" and "503" in row.error
    assert row.response["status"] == 503
    assert isinstance(add_partition(gateway), int), "the retry works"


def test_a_dropped_connection_is_transient_and_recorded_as_such(gateway, sim):
    set_faults(sim, {"kind": "drop"})
    with pytest.raises(TransientError, match="dropped the connection"):
        gateway.find_partition("alpha-dental")
    row = ExternalCall.objects.get()
    assert (row.operation, row.outcome) == ("find_partition", "transient_error")


def test_an_unreachable_platform_is_transient(db):
    gateway = AkixiGateway(base_url=f"http://127.0.0.1:{free_port()}{API_PREFIX}", api_key=KEY, timeout=2)
    with pytest.raises(TransientError, match="could not be reached"):
        gateway.user_exists("ada.lovelace")
    assert ExternalCall.objects.get().outcome == "transient_error"


def test_a_refusal_is_permanent_with_akixis_message(gateway, sim):
    with pytest.raises(PermanentError) as refused:
        add_partition(gateway, provider_id="GHOST9", description=" ")
    message = str(refused.value)
    assert message == (
        "Akixi: Description is required; No reseller account for partner ID GHOST9; create the reseller first"
    )
    assert refused.value.code == "400"
    row = ExternalCall.objects.get()
    assert row.outcome == "permanent_error" and row.response["body"] == {"Message": message.removeprefix("Akixi: ")}
    assert state(sim)["partitions"] == {}


def test_a_rejection_carries_the_platforms_reason(gateway, sim):
    set_faults(sim, {"kind": "reject", "status": 403, "reason": "Reseller suspended"})
    with pytest.raises(PermanentError, match="Reseller suspended"):
        gateway.add_reseller("ACME01", "Acme", "ops@acme.invalid")


def test_a_wrong_api_key_is_permanent_and_names_the_setting(sim):
    gateway = AkixiGateway(base_url=f"{sim.base_url}{API_PREFIX}", api_key="wrong", timeout=5)
    with pytest.raises(PermanentError, match="AKIXI_API_KEY"):
        gateway.find_partition("alpha-dental")


# Settings --------------------------------------------------------------------------------------------


def test_settings_configure_the_gateway(sim, settings):
    settings.AKIXI_BASE_URL = f"{sim.base_url}{API_PREFIX}/"
    settings.AKIXI_API_KEY = KEY
    settings.AKIXI_TIMEOUT = 3
    settings.AKIXI_TELSYS_ID = 4
    settings.AKIXI_CM_ENVIRONMENT_ID = "env-4"
    gateway = AkixiGateway()
    assert (gateway.timeout, gateway.telsys_id, gateway.cm_environment_id) == (3.0, 4, "env-4")
    assert gateway.reseller_exists("ACME01") is False
    settings.AKIXI_BASE_URL = ""
    with pytest.raises(PermanentError, match="set AKIXI_BASE_URL"):
        AkixiGateway().reseller_exists("ACME01")
    assert ExternalCall.objects.count() == 1


def test_settings_choose_the_session_login_when_there_is_no_api_key(sim, settings):
    settings.AKIXI_BASE_URL = f"{sim.base_url}{API_PREFIX}"
    settings.AKIXI_API_KEY = ""
    settings.AKIXI_USERNAME, settings.AKIXI_PASSWORD = USERNAME, PASSWORD
    assert AkixiGateway().reseller_exists("ACME01") is False
    assert sent(sim)[0] == ("POST", "/session")


def test_the_assumptions_are_named_constants():
    assert akixi.USER_INFO_PATH == "/admin/user/{username}"
    assert akixi.USER_ADD_PATH == "/admin/user"
    assert (akixi.PARTITIONS_PATH, akixi.RESELLERS_PATH) == ("/partitions", "/resellers")
    assert AkixiGateway.resellers_path == akixi.RESELLERS_PATH


def test_a_post_is_on_record_before_it_is_sent_and_a_get_once_it_has_returned(gateway, monkeypatch):
    on_record_when_sent: list[tuple[str, list[str]]] = []
    send = gateway._send

    def recording_send(operation, method, path, **kwargs):
        started = ExternalCall.objects.filter(outcome=CallOutcome.STARTED).values_list("operation", flat=True)
        on_record_when_sent.append((method, list(started)))
        return send(operation, method, path, **kwargs)

    monkeypatch.setattr(gateway, "_send", recording_send)
    assert gateway.reseller_exists("ACME01") is False
    gateway.add_reseller("ACME01", "Acme Telecom", "ops@acme.invalid")
    assert on_record_when_sent == [("GET", []), ("POST", ["add_reseller"])]
    assert outcomes() == [("reseller_exists", "ok"), ("add_reseller", "ok")]
