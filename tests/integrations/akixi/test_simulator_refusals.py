"""What a real Akixi would refuse, the simulator refuses: one table of malformed or forbidden requests,
each answered with its status and Akixi's error body `{"Message": ...}` (never a success), and the
simulator's state unchanged after it (a refused login also leaves its session logged out).

The rows are: the documented login flow and API key (AUTH_DOC, USERS_DOC); the documented
`POST /admin/user` body (unknown, misspelt, missing and wrongly typed fields, including the names our
client used before it followed the documentation); what this Akixi does not have (environment,
Telephony Server, partition); the portal's K4 rules ("Any Partition" is Akixi's -1); a taken
Username; and our assumed partition contract."""

import base64
import json
from types import SimpleNamespace

import httpx
import pytest

from integrations.akixi.simulator import API_PREFIX, create_app

from .bodies import partition_body, user_body

pytestmark = pytest.mark.anyio

KEY = "refusals-akixi-key"
USERNAME, PASSWORD = "akixi-admin", "Refusals-Pass-31"
AUTH_REQUIRED = "Authentication required: the x-api-key header, or the JSESSIONID cookie of a logged-in session"
ANY_PARTITION = (
    'Scope: -1 ("Any Partition") is only for partner staff; a reporting user gets the customer\'s own partition (K4)'
)


def api(path):
    return f"{API_PREFIX}{path}"


def key():
    return {"x-api-key": KEY}


def basic(password=PASSWORD):
    return "Basic " + base64.b64encode(f"{USERNAME}:{password}".encode()).decode()


def session_cookie(w):
    return {"Cookie": f"JSESSIONID={w.session}"}


@pytest.fixture
async def world(tmp_path):
    """Two resellers, a partition each, and one user: what the refused requests would have touched."""
    app = create_app(state_path=tmp_path / "akixi.json", api_key=KEY, username=USERNAME, password=PASSWORD)
    transport = httpx.ASGITransport(app=app)  # in process, so the table stays fast
    async with httpx.AsyncClient(transport=transport, base_url="http://akixi.test") as http:
        for partner in ("ACME01", "BETA02"):
            body = {"PartnerId": partner, "Name": partner, "Email": "o@x.invalid"}
            await http.post(api("/resellers"), json=body, headers=key())
        acme = (await http.post(api("/partitions"), json=partition_body(), headers=key())).json()["Id"]
        beta = partition_body(GroupId="beta-group", EnterpriseOrProviderId="BETA02")
        other = (await http.post(api("/partitions"), json=beta, headers=key())).json()["Id"]
        added = await http.post(api("/admin/user"), json=user_body(acme, Username="taken.user"), headers=key())
        added.raise_for_status()
        yield SimpleNamespace(http=http, acme=acme, other=other, session=None)


# Requests, given the world `w` (its partition Ids, and `w.session` for a row that needs one).


def user(**overrides):
    return lambda w: {"headers": key(), "json": user_body(w.acme, **overrides)}


def user_scope(**scope):
    def request(w):
        values = {name: value(w) if callable(value) else value for name, value in scope.items()}
        return {"headers": key(), "json": user_body(w.acme, scope=values)}

    return request


def without(*fields):
    return lambda w: {"headers": key(), "json": user_body(w.acme, drop=fields)}


def renamed(old, new):
    """The user body with one documented field under another name (what our client sent before)."""

    def request(w):
        body = user_body(w.acme)
        body[new] = body.pop(old)
        return {"headers": key(), "json": body}

    return request


def with_session(make_request, *, other_login=False):
    """A request made with a new session (created, not logged in) in `w.session`; `other_login`:
    another session of the same user is logged in first."""
    make_request.prepare = "other_login" if other_login else "session"
    return make_request


def login_with(locale="en_GB", *, password=PASSWORD, credentials=True):
    def request(w):
        headers = {**session_cookie(w), **({"Authorization": basic(password)} if credentials else {})}
        return {"params": {"locale": locale}, "headers": headers}

    return request


# (what is wrong, method, path, request, status, Message)
REFUSED = [
    # -- who is calling (documented: a logged-in session's cookie or x-api-key) ----------------------------
    ("no credentials at all", "POST", "/admin/user", lambda w: {"json": user_body(w.acme)}, 401, AUTH_REQUIRED),
    (
        "a wrong x-api-key",
        "POST",
        "/admin/user",
        lambda w: {"headers": {"x-api-key": "nope"}, "json": user_body(w.acme)},
        401,
        AUTH_REQUIRED,
    ),
    (
        "the cookie of a session that never logged in",
        "POST",
        "/admin/user",
        with_session(lambda w: {"headers": session_cookie(w), "json": user_body(w.acme)}),
        401,
        AUTH_REQUIRED,
    ),
    (
        "a made-up JSESSIONID",
        "GET",
        "/partitions",
        lambda w: {"headers": {"Cookie": "JSESSIONID=ABC123"}},
        401,
        AUTH_REQUIRED,
    ),
    (
        "a bearer token (not Akixi's)",
        "GET",
        "/partitions",
        lambda w: {"headers": {"Authorization": "Bearer x"}},
        401,
        AUTH_REQUIRED,
    ),
    (
        "a JSON login (our old flow, not Akixi's)",
        "POST",
        "/login",
        lambda w: {"json": {"username": USERNAME, "password": PASSWORD}},
        405,
        f"POST is not allowed on {API_PREFIX}/login",
    ),
    (
        "a login with the wrong password",
        "GET",
        "/login",
        with_session(login_with(password="wrong")),
        401,
        "Invalid username or password",
    ),
    (
        "a login without HTTP Basic credentials",
        "GET",
        "/login",
        with_session(login_with(credentials=False)),
        401,
        "HTTP Basic credentials are required",
    ),
    (
        "a login without a session",
        "GET",
        "/login",
        lambda w: {"params": {"locale": "en_GB"}, "headers": {"Authorization": basic()}},
        401,
        "No session: POST /session, then send its SessionID as the JSESSIONID cookie",
    ),
    (
        "a login in a locale Akixi does not list",
        "GET",
        "/login",
        with_session(login_with("fr_FR")),
        400,
        "locale must be en_GB or en_US",
    ),
    (
        "a second login while the user's other session lives",
        "GET",
        "/login",
        with_session(login_with(), other_login=True),
        400,
        f"There were other browser sessions active for {USERNAME}",
    ),
    (
        "a session asked for with a body",
        "POST",
        "/session",
        lambda w: {"json": {"user": USERNAME}},
        400,
        "POST /session takes no body",
    ),
    (
        "a session asked for with parameters",
        "POST",
        "/session",
        lambda w: {"params": {"locale": "en_GB"}},
        400,
        "POST /session takes no parameters",
    ),
    # -- the documented POST /admin/user body -----------------------------------------------------------
    (
        "a body that is not JSON",
        "POST",
        "/admin/user",
        lambda w: {"headers": {**key(), "Content-Type": "application/json"}, "content": b"{not json"},
        400,
        "The body must be JSON",
    ),
    (
        "a body that is a JSON list",
        "POST",
        "/admin/user",
        lambda w: {"headers": key(), "json": [user_body(w.acme)]},
        400,
        "The body must be a JSON object",
    ),
    (
        "not sent as application/json",
        "POST",
        "/admin/user",
        lambda w: {"headers": {**key(), "Content-Type": "text/plain"}, "content": json.dumps(user_body(w.acme))},
        400,
        "Content-Type must be application/json",
    ),
    (
        "Email for EmailAddr (our old name)",
        "POST",
        "/admin/user",
        renamed("EmailAddr", "Email"),
        400,
        "EmailAddr is required; Email is not a known field",
    ),
    (
        "PasswordChangeRequired for PasswordChgRequired (our old name)",
        "POST",
        "/admin/user",
        renamed("PasswordChgRequired", "PasswordChangeRequired"),
        400,
        "PasswordChgRequired is required; PasswordChangeRequired is not a known field",
    ),
    (
        "EnableMfa for EnableMFA (misspelt)",
        "POST",
        "/admin/user",
        renamed("EnableMFA", "EnableMfa"),
        400,
        "EnableMFA is required; EnableMfa is not a known field",
    ),
    (
        "our old PartitionPermission inside the Scope",
        "POST",
        "/admin/user",
        user_scope(PartitionPermission=lambda w: [w.acme]),
        400,
        "Scope.PartitionPermission is not a known field",
    ),
    ("no Username", "POST", "/admin/user", without("Username"), 400, "Username is required"),
    ("no Scope", "POST", "/admin/user", without("Scope"), 400, "Scope is required"),
    (
        "no Scope.CMEnvironmentID",
        "POST",
        "/admin/user",
        without("Scope.CMEnvironmentID"),
        400,
        "Scope.CMEnvironmentID is required",
    ),
    ("EnableMFA as text", "POST", "/admin/user", user(EnableMFA="yes"), 400, "EnableMFA must be true or false"),
    (
        "TelSysID not a list",
        "POST",
        "/admin/user",
        user_scope(TelSysID=1),
        400,
        "Scope.TelSysID must be a non-empty list of whole numbers",
    ),
    (
        "PartIDInTelSys as text",
        "POST",
        "/admin/user",
        user_scope(PartIDInTelSys=lambda w: [str(w.acme)]),
        400,
        "Scope.PartIDInTelSys must be a non-empty list of whole numbers",
    ),
    (
        "an EmailAddr that is no address",
        "POST",
        "/admin/user",
        user(EmailAddr="ada-at-alpha"),
        400,
        "EmailAddr must be an email address",
    ),
    (
        "a DefaultLang Akixi does not list",
        "POST",
        "/admin/user",
        user(DefaultLang="fr_FR"),
        400,
        "DefaultLang must be en_GB or en_US",
    ),
    ("a TimeZone that is a number", "POST", "/admin/user", user(TimeZone=0), 400, "TimeZone must be a text or null"),
    ("a Scope that is a list", "POST", "/admin/user", user(Scope=[1]), 400, "Scope must be a JSON object"),
    # -- what this Akixi does not have ----------------------------------------------------------------------
    (
        "a partition that does not exist",
        "POST",
        "/admin/user",
        user_scope(PartIDInTelSys=[999]),
        400,
        "Scope.PartIDInTelSys: no partition 999 in this Telephony Server",
    ),
    ("another Telephony Server", "POST", "/admin/user", user_scope(TelSysID=[2]), 400, "Unknown Scope.TelSysID 2"),
    (
        "another environment",
        "POST",
        "/admin/user",
        user_scope(CMEnvironmentID="elsewhere"),
        400,
        "Unknown Scope.CMEnvironmentID elsewhere",
    ),
    # -- the portal's K4 rules ------------------------------------------------------------------------------
    ("Any Partition (PartIDInTelSys -1)", "POST", "/admin/user", user_scope(PartIDInTelSys=[-1]), 400, ANY_PARTITION),
    ("Any Telephony Server (TelSysID -1)", "POST", "/admin/user", user_scope(TelSysID=[-1]), 400, ANY_PARTITION),
    (
        "partitions of two resellers",
        "POST",
        "/admin/user",
        user_scope(PartIDInTelSys=lambda w: [w.acme, w.other]),
        400,
        "Scope.PartIDInTelSys: partitions of more than one reseller (K4)",
    ),
    ("another role", "POST", "/admin/user", user(Role="Administrator"), 400, 'Role must be "Reporting Only User" (K4)'),
    (
        "no welcome email",
        "POST",
        "/admin/user",
        user(SendWelcomeEmail=False),
        400,
        "SendWelcomeEmail must be true (K4)",
    ),
    # -- a taken Username -----------------------------------------------------------------------------------
    (
        "a Username already taken",
        "POST",
        "/admin/user",
        user(Username="taken.user"),
        409,
        "User taken.user already exists",
    ),
    # -- paths and methods ----------------------------------------------------------------------------------
    ("our old /users path", "POST", "/users", user(), 404, f"No such resource: {API_PREFIX}/users"),
    (
        "a method Akixi does not document here",
        "PUT",
        "/admin/user",
        user(),
        405,
        f"PUT is not allowed on {API_PREFIX}/admin/user",
    ),
    # -- our assumed partition contract ---------------------------------------------------------------------
    (
        "a partition field we never defined",
        "POST",
        "/partitions",
        lambda w: {"headers": key(), "json": partition_body(GroupId="new-group", PartitionName="x")},
        400,
        "PartitionName is not a known field",
    ),
    (
        "a partition search by an unknown parameter",
        "GET",
        "/partitions",
        lambda w: {"headers": key(), "params": {"group": "x"}},
        400,
        "Unknown parameter group",
    ),
]


def test_the_table_has_at_least_twenty_rows_each_named_once():
    names = [row[0] for row in REFUSED]
    assert len(names) >= 20 and len(set(names)) == len(names)


async def new_session(http):
    return (await http.post(api("/session"))).json()["SessionID"]


@pytest.mark.parametrize(
    ("wrong", "method", "path", "request_of", "status", "message"), REFUSED, ids=[row[0] for row in REFUSED]
)
async def test_refused_with_akixis_status_and_message_and_nothing_changes(
    world, wrong, method, path, request_of, status, message
):
    http = world.http
    prepare = getattr(request_of, "prepare", "")
    if prepare == "other_login":
        headers = {"Cookie": f"JSESSIONID={await new_session(http)}", "Authorization": basic()}
        assert (await http.get(api("/login"), params={"locale": "en_GB"}, headers=headers)).status_code == 200
    if prepare:
        world.session = await new_session(http)
    before = (await http.get("/_sim/state")).json()

    response = await http.request(method, api(path), **request_of(world))

    assert (response.status_code, response.json()) == (status, {"Message": message}), wrong
    assert (await http.get("/_sim/state")).json() == before, "a refused request changes nothing"
    if world.session is not None:
        after = await http.get(api("/partitions"), headers=session_cookie(world))
        assert after.status_code == 401, "a refused request logs no session in"
