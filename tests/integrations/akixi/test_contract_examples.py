"""Contract examples: the request/response pairs Akixi's documentation gives, checked from both
sides. The client must send exactly these requests (captured on the wire as the simulator received
them), and the simulator must answer them as the documentation says.

Sources:
- AUTH_DOC (REST v1 auth): Create Session `POST /session`, no parameters, no body, 200
  `{"Nonce", "SessionID"}`; Login `GET /login?locale=en_GB|en_US`, HTTP Basic, no body, 200; the
  SessionID "must subsequently be used in all requests as JSESSIONID cookie"; base `.../CCS/API/v1`.
- USERS_DOC (Users): "Either Cookie or x-api-key header is required"; Add = `POST /admin/user`,
  `Content-Type: application/json`, the example body below.
- Logout as `GET /logout` with the cookie is seen in a third-party client (github.com/tilde-nya/akixi),
  not in the documentation: it is checked here too, labelled so.
Akixi documents no success body for Add and no error body; what the simulator answers there is our
assumption (README.md beside the package) and is not an example here.
"""

import base64
import json
from dataclasses import dataclass
from types import SimpleNamespace

import httpx
import pytest

from integrations.akixi.client import AUTH_DOC, USERS_DOC, AkixiGateway
from integrations.akixi.simulator import API_PREFIX, create_app
from integrations.akixi.simulator.shapes import KINDS

from .bodies import partition_body
from .sim_servers import Recording, serving_in_thread

pytestmark = pytest.mark.django_db

KEY, USERNAME, PASSWORD = "contract-key", "IntegratorUser 14", "Contract-Pass-88"


@dataclass(frozen=True)
class Seen:
    """A value the documentation's example shows only by its field (or whose value we may not copy)."""

    kind: str


# The documented Add example, field by field, in its order: the values it shows, or their kind.
USER_ADD_EXAMPLE = {
    "FullName": Seen("text"),
    "EmailAddr": Seen("email"),
    "Username": "IntegratorUser 14",
    "DefaultLang": "en_GB",
    "Password": "M9zGAGR3nINFNAZKIMC0IA==",
    "PasswordChgRequired": Seen("bool"),
    "LockOut": Seen("bool"),
    "SendWelcomeEmail": Seen("bool"),
    "EnableMFA": Seen("bool"),
    "SynchroniseSupervisorPermissions": Seen("bool"),
    "TimeZone": None,
    "Scope": {
        "CMEnvironmentID": Seen("text"),
        "TelSysID": [-1],
        "PartIDInTelSys": [-1],
        "DeviceNumber": "All",
        "AgentNumber": "All",
        "ReportingAccess": "None",
        "CallRecIntID": Seen("int_or_null"),
        "CXILicenseType": "NONE",
    },
}
# Where our request differs from the example's values on purpose (K4), or adds fields of our own.
K4_DIFFERS = {"Username", "Password", "ReportingAccess", "TelSysID", "PartIDInTelSys"}
ASSUMED_FIELDS = ["Role", "ReportingLevel", "DefaultReports"]


def same_shape(sent, example, differs=K4_DIFFERS):
    """`sent` has the example's fields in its order, each value the example's (or of its kind)."""
    assert list(sent) == list(example)
    for name, shown in example.items():
        if isinstance(shown, dict):
            same_shape(sent[name], shown, differs)
        elif isinstance(shown, Seen):
            assert KINDS[shown.kind][1](sent[name]), (name, sent[name])
        elif name not in differs:
            assert sent[name] == shown, name


@pytest.fixture
def sim(tmp_path):
    app = create_app(state_path=tmp_path / "akixi.json", api_key=KEY, username=USERNAME, password=PASSWORD)
    recording = Recording(app)
    with serving_in_thread(recording) as base_url:
        base = f"{base_url}{API_PREFIX}"
        httpx.post(
            f"{base}/resellers",
            json={"PartnerId": "ACME01", "Name": "Acme", "Email": "o@a.invalid"},
            headers={"x-api-key": KEY},
        )
        partition = httpx.post(f"{base}/partitions", json=partition_body(), headers={"x-api-key": KEY}).json()["Id"]
        recording.requests.clear()
        yield SimpleNamespace(base=base, partition=partition, requests=recording.requests)


def client_requests(sim):
    return [r for r in sim.requests if r.path.startswith(API_PREFIX)]


def add_user_with(gateway, sim):
    gateway.add_reporting_user(
        username="ada.lovelace", full_name="Ada Lovelace", email="ada@a.invalid", partition=sim.partition
    )


# The client sends the documented requests -----------------------------------------------------------


def test_the_documentation_is_named():
    assert AUTH_DOC == "https://akixi.dev/2.2.5.7/api/external/rest/v1/endpoints/auth/auth.html"
    assert USERS_DOC == "https://akixi.dev/3.2/api/external/rest/v1/endpoints/users/users.html"
    assert API_PREFIX == "/CCS/API/v1"


def test_the_client_logs_in_as_documented_create_session_then_login_then_the_cookie(sim):
    gateway = AkixiGateway(base_url=sim.base, api_key="", username=USERNAME, password=PASSWORD)
    add_user_with(gateway, sim)
    create, login, add, logout = client_requests(sim)

    # Create Session: POST /session, no parameters, no body.
    assert (create.method, create.path, create.query, create.body) == ("POST", f"{API_PREFIX}/session", {}, b"")
    # Login: GET /login?locale=en_GB, HTTP Basic, no body, the SessionID as JSESSIONID cookie.
    assert (login.method, login.path, login.query, login.body) == (
        "GET",
        f"{API_PREFIX}/login",
        {"locale": ["en_GB"]},
        b"",
    )
    scheme, _, encoded = login.headers["authorization"].partition(" ")
    assert (scheme, base64.b64decode(encoded).decode()) == ("Basic", f"{USERNAME}:{PASSWORD}")
    session_cookie = login.headers["cookie"]
    assert session_cookie.startswith("JSESSIONID=")
    # "must subsequently be used in all requests as JSESSIONID cookie"
    assert add.headers["cookie"] == session_cookie and "authorization" not in add.headers
    # Logout (a third-party client's form): GET /logout with the cookie.
    assert (logout.method, logout.path, logout.headers["cookie"]) == ("GET", f"{API_PREFIX}/logout", session_cookie)


def test_the_client_sends_the_api_key_as_documented_instead_of_a_session(sim):
    add_user_with(AkixiGateway(base_url=sim.base, api_key=KEY), sim)
    (add,) = client_requests(sim)
    assert add.headers["x-api-key"] == KEY and "cookie" not in add.headers


def test_the_client_adds_a_user_with_the_documented_request(sim):
    add_user_with(AkixiGateway(base_url=sim.base, api_key=KEY), sim)
    (add,) = client_requests(sim)
    assert (add.method, add.path, add.headers["content-type"]) == (
        "POST",
        f"{API_PREFIX}/admin/user",
        "application/json",
    )
    body = json.loads(add.body)
    documented = {name: body[name] for name in USER_ADD_EXAMPLE}
    same_shape(documented, USER_ADD_EXAMPLE)
    assert list(body) == [*USER_ADD_EXAMPLE, *ASSUMED_FIELDS], "nothing but the documented fields and our three"
    # K4 expressed through the documented fields: never the example's -1 ("Any Partition").
    assert body["Scope"]["TelSysID"] == [1] and body["Scope"]["PartIDInTelSys"] == [sim.partition]
    assert body["PasswordChgRequired"] is body["SendWelcomeEmail"] is body["EnableMFA"] is True


# The simulator answers them as documented -----------------------------------------------------------


def test_create_session_is_answered_with_a_nonce_and_a_session_id(sim):
    response = httpx.post(f"{sim.base}/session")
    assert response.status_code == 200
    assert list(response.json()) == ["Nonce", "SessionID"]
    assert all(isinstance(value, str) and value for value in response.json().values())


@pytest.mark.parametrize("locale", ["en_GB", "en_US"])
def test_login_with_basic_and_the_session_cookie_is_answered_200(sim, locale):
    session_id = httpx.post(f"{sim.base}/session").json()["SessionID"]
    cookie = {"Cookie": f"JSESSIONID={session_id}"}
    login = httpx.get(f"{sim.base}/login", params={"locale": locale}, headers=cookie, auth=(USERNAME, PASSWORD))
    assert login.status_code == 200
    assert httpx.get(f"{sim.base}/partitions", headers=cookie).status_code == 200, "the cookie now lets calls in"
    assert httpx.get(f"{sim.base}/logout", headers=cookie).status_code == 200


def documented_add_body(sim, **scope):
    """The documented example, K4's settings expressed in it (the customer's partition, not -1), plus
    the three fields we assume for K4's role, reporting level and default reports."""
    return {
        "FullName": "Integrator User",
        "EmailAddr": "integrator@example.invalid",
        "Username": "IntegratorUser 14",
        "DefaultLang": "en_GB",
        "Password": "M9zGAGR3nINFNAZKIMC0IA==",
        "PasswordChgRequired": True,
        "LockOut": False,
        "SendWelcomeEmail": True,
        "EnableMFA": True,
        "SynchroniseSupervisorPermissions": False,
        "TimeZone": None,
        "Scope": {
            "CMEnvironmentID": "akixi-sim-environment",
            "TelSysID": [1],
            "PartIDInTelSys": [sim.partition],
            "DeviceNumber": "All",
            "AgentNumber": "All",
            "ReportingAccess": "None",
            "CallRecIntID": None,
            "CXILicenseType": "NONE",
            **scope,
        },
        "Role": "Reporting Only User",
        "ReportingLevel": "1000 Supervisor",
        "DefaultReports": "Standard Reports",
    }


@pytest.mark.parametrize("login", ["cookie", "x-api-key"])
def test_the_documented_add_is_accepted_with_either_login(sim, login):
    if login == "cookie":
        session_id = httpx.post(f"{sim.base}/session").json()["SessionID"]
        headers = {"Cookie": f"JSESSIONID={session_id}"}
        httpx.get(f"{sim.base}/login", params={"locale": "en_GB"}, headers=headers, auth=(USERNAME, PASSWORD))
    else:
        headers = {"x-api-key": KEY}
    response = httpx.post(f"{sim.base}/admin/user", json=documented_add_body(sim), headers=headers)
    assert 200 <= response.status_code < 300, response.text
    read = httpx.get(f"{sim.base}/admin/user/IntegratorUser%2014", headers=headers).json()
    assert read["Scope"]["PartIDInTelSys"] == [sim.partition] and "Password" not in read


def test_the_example_as_printed_is_refused_only_by_our_rules_not_by_its_shape(sim):
    """The printed example scopes its user to -1 (our reading: any partition) and has no K4 role
    fields: the simulator refuses it for K4, the portal's rule, and for nothing in Akixi's shape."""
    printed = documented_add_body(sim, TelSysID=[-1], PartIDInTelSys=[-1])
    for name in ASSUMED_FIELDS:
        del printed[name]
    response = httpx.post(f"{sim.base}/admin/user", json=printed, headers={"x-api-key": KEY})
    assert response.status_code == 400
    assert response.json() == {"Message": "Role is required; ReportingLevel is required; DefaultReports is required"}
    with_roles = documented_add_body(sim, TelSysID=[-1], PartIDInTelSys=[-1])
    response = httpx.post(f"{sim.base}/admin/user", json=with_roles, headers={"x-api-key": KEY})
    assert response.status_code == 400 and "(K4)" in response.json()["Message"]


def test_every_assumption_listed_in_the_docs_is_a_named_constant():
    """docs/integrations.md lists each assumption once, by the constant that holds it."""
    import re

    from integrations.akixi import client
    from integrations.akixi.simulator import contract

    from .sim_servers import REPO_ROOT

    text = (REPO_ROOT / "docs" / "integrations.md").read_text()
    section = text.split("## Akixi (REST v1)")[1].split("\n## ")[0]
    assumed = section.split("Assumed, one constant each")[1].split("\n\n")[0]
    names = re.findall(r"^- `([A-Za-z_]+)`", assumed, flags=re.MULTILINE)
    assert len(names) >= 15
    for name in names:
        assert hasattr(client, name) or hasattr(contract, name), name
