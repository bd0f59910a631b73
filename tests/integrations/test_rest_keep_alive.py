"""The REST gateways (Akixi, Call Cabinet) share one keep-alive HTTP client per process (#14): calls
reuse its connections instead of opening one each, no cookie passes from one platform's reply to
another's request, and a forked process makes a client of its own."""

import httpx
import pytest

from integrations import rest
from integrations.callcabinet.client import CallCabinetGateway
from integrations.callcabinet.simulator import API_PREFIX, create_app

from .akixi.sim_servers import serving_in_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway(tmp_path):
    with serving_in_thread(create_app(state_path=tmp_path / "cc.json", api_key="k")) as url:
        yield CallCabinetGateway(base_url=f"{url}{API_PREFIX}", api_key="k", timeout=5)


def test_calls_reuse_one_client_and_its_connection(gateway, monkeypatch):
    made = []
    real = httpx.Client

    def counting(*args, **kwargs):
        made.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(rest, "_clients", {})
    monkeypatch.setattr(rest.httpx, "Client", counting)
    for partner in ("ACME01", "BETA02", "GAMMA03", "ACME01"):
        gateway.reseller_exists(partner)
    assert len(made) == 1, "one client for every call"
    (client,) = rest._clients.values()
    pool = client._transport._pool  # httpcore's pool: how many connections the calls used
    assert len(pool.connections) == 1


def test_no_cookie_is_kept_from_a_reply_nor_sent_with_a_request():
    from http.cookiejar import CookieJar

    seen = []

    def platform(request):
        seen.append(request.headers.get("cookie"))
        return httpx.Response(200, json={}, headers={"Set-Cookie": "JSESSIONID=abc; Path=/"})

    client = httpx.Client(transport=httpx.MockTransport(platform), cookies=CookieJar(rest._NoCookies()))
    client.get("http://127.0.0.1:8602/CCS/API/v1/login")
    client.get("http://127.0.0.1:8603/api/v1/resellers/ACME01")  # another platform on the same host
    assert not list(client.cookies.jar) and seen == [None, None]


def test_a_forked_process_does_not_reuse_the_parents_client(monkeypatch):
    first = rest._http_client(5.0)
    monkeypatch.setattr(rest, "_clients_pid", -1)  # as a forked child sees it: another process
    assert rest._http_client(5.0) is not first
