"""The BroadWorks OCI-P simulator's login and wire format: the nonce and TLS logins driven by the real
client library, and raw documents without it (session, unknown requests, encoding)."""

import logging

import pytest
from mercury_ocip_fast import TCPSessionAtom
from mercury_ocip_fast.commands import commands as c
from mercury_ocip_fast.exceptions import MErrorLogin

from integrations.broadworks.simulator import CLONE_SERVICE_PROVIDER_ID

from .ocip_client import (
    ADMIN,
    PARTNER,
    PASSWORD,
    document,
    exchange,
    group_key,
    oci,
    ok,
    self_signed_cert,
    start,
    summaries,
)

# -- login ------------------------------------------------------------------------------------------


def test_login_over_plain_tcp_uses_the_nonce_handshake_and_never_logs_the_password(sim, caplog):
    caplog.set_level(logging.DEBUG, logger="integrations.broadworks.simulator")
    sp = ok(oci(sim, c.ServiceProviderGetRequest22V4(service_provider_id=CLONE_SERVICE_PROVIDER_ID)))  # G1 preloaded
    assert sp.default_domain == "hostedcomm.com"
    assert "logged in" in caplog.text and "(LoginRequest14sp4)" in caplog.text
    assert PASSWORD not in caplog.text


def test_a_wrong_password_is_refused(sim):
    with pytest.raises(MErrorLogin, match="Invalid password"):
        oci(sim, c.ServiceProviderGetRequest22V4(service_provider_id=PARTNER), password="wrong")


def test_login_over_tls_uses_login_request_22v5(tmp_path, state_path, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="integrations.broadworks.simulator")
    cert, key = self_signed_cert(tmp_path)
    # The client always verifies with ssl.create_default_context(): trust our certificate that way.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    server = start(state_path, tls_cert=cert, tls_key=key)
    try:
        ok(oci(server, c.ServiceProviderGetRequest22V4(service_provider_id=PARTNER), tls=True))
    finally:
        server.stop()
    assert "(LoginRequest22V5)" in caplog.text and PASSWORD not in caplog.text


# -- the wire, without the library ------------------------------------------------------------------


def test_the_wire_requires_a_login_echoes_the_session_and_refuses_unknown_requests(sim):
    login = (
        f'<command xmlns="" xsi:type="LoginRequest22V5"><userId>{ADMIN}</userId>'
        f"<password>{PASSWORD}</password></command>"
    )
    get = (
        '<command xmlns="" xsi:type="ServiceProviderGetRequest22V4">'
        f"<serviceProviderId>{PARTNER}</serviceProviderId></command>"
    )
    # A current request of the schema that the simulator does not implement.
    # (sic: this request's schema spells it GroupId.)
    unknown = (
        '<command xmlns="" xsi:type="UserGetListInGroupRequest">'
        f"<serviceProviderId>{PARTNER}</serviceProviderId><GroupId>X</GroupId></command>"
    )
    before, after, batch, broken = exchange(
        sim.port,
        document(get),
        document(login, get),
        document(unknown, get),
        "<BroadsoftDocument>oops</BroadsoftDocument>",
    )
    assert "Not logged in" in summaries(before)[0]
    assert after.findtext("sessionId") == "raw-1"
    types = [cmd.get("{http://www.w3.org/2001/XMLSchema-instance}type") for cmd in after.findall("command")]
    assert types == ["LoginResponse22V5", "ServiceProviderGetResponse22V4"]
    assert "Request not supported: UserGetListInGroupRequest" in summaries(batch)[0]
    assert batch.findall("command")[1].findtext("serviceProviderName") == "Acme Telecom"
    assert "Invalid OCI document" in summaries(broken)[0]


def test_non_ascii_text_needs_character_references_because_the_library_sends_utf8_labelled_latin1(sim):
    """The client declares ISO-8859-1 but encodes UTF-8, so "Café" arrives as "CafÃ©" on a server
    that honours the declaration. A session atom that sends character references fixes it."""

    class AsciiTCPSessionAtom(TCPSessionAtom):
        async def send(self, payload):
            def ascii_only(text):
                return text.encode("ascii", "xmlcharrefreplace").decode("ascii")

            fixed = [ascii_only(p) for p in payload] if isinstance(payload, list) else ascii_only(payload)
            return await super().send(fixed)

    def add(group_id, atom_type):
        request = c.GroupConsolidatedAddRequest(
            service_provider_id=PARTNER,
            group_id=group_id,
            default_domain="hostedcomm.com",
            user_limit=5,
            group_name="Café Zoë",
        )
        ok(oci(sim, request, atom_type=atom_type))
        return ok(oci(sim, c.GroupGetRequest24(**group_key(group_id)))).group_name

    assert add("CAFE-PLAIN", TCPSessionAtom) == "CafÃ© ZoÃ«"
    assert add("CAFE-FIXED", AsciiTCPSessionAtom) == "Café Zoë"
