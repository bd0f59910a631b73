"""The BroadWorks OCI-P simulator, driven by the real client library (mercury-ocip-fast) over TCP.

Each call runs the way the gateway will: one `asyncio.run` per operation, a fresh `Client` inside it
(log in, send, close). No database."""

import asyncio
import datetime
import ipaddress
import json
import logging
import os
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.parsers.expat import ExpatError

import pytest
from mercury_ocip_fast import Client, SessionPoolSettings, TCPSessionAtom, TCPSessionSettings
from mercury_ocip_fast.commands import commands as c
from mercury_ocip_fast.commands.base_command import ErrorResponse, OCINil, SuccessResponse
from mercury_ocip_fast.exceptions import MErrorLogin, MErrorSocketDropped, MErrorSocketTimeout

from integrations.broadworks.simulator import (
    CLONE_SERVICE_PROVIDER_ID,
    OCIPSimulator,
    faults_path_for,
    main,
    make_fault,
    preload_demo,
    write_faults,
)

ADMIN, PASSWORD = "portal-admin", "s3cret-Sim!"
PARTNER, CLONE = "ACME01", "ACME01-CLONE"
REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def state_path(tmp_path):
    return tmp_path / "sim" / "broadworks.json"


def _start(state_path, **options):
    server = OCIPSimulator(("127.0.0.1", 0), state_path=state_path, admins={ADMIN: PASSWORD}, **options)
    preload_demo(server.state)
    return server.start_in_thread()


@pytest.fixture
def sim(state_path):
    server = _start(state_path)
    yield server
    server.stop()


def oci(sim, request, *, password=PASSWORD, tls=False, read_timeout=5, atom_type=TCPSessionAtom):
    """One gateway-style operation: asyncio.run around a fresh client (log in, one command or batch, close)."""

    async def run():
        async with Client(
            host="127.0.0.1",
            port=sim.port,
            username=ADMIN,
            password=password,
            atom_type=atom_type,
            session_config=TCPSessionSettings(connect_timeout=5, read_timeout=read_timeout),
            pool_config=SessionPoolSettings(max_size=1),
            tls=tls,
        ) as client:
            return await client.command(request)

    return asyncio.run(run())


def ok(response):
    assert not isinstance(response, ErrorResponse), response.summary
    return response


def refused(response, text):
    assert isinstance(response, ErrorResponse), response
    assert text in response.summary and response.summary.startswith(f"[Error {response.error_code}] ")
    return response


def unlimited():
    return c.UnboundedPositiveInt(unlimited=True)


def clone_group(sim, group_id, name, *, assign_voice_messaging=False):
    """What the gateway's add_group_from_template does: read the template (G1, G2), create the group."""
    key = {"service_provider_id": CLONE_SERVICE_PROVIDER_ID, "group_id": CLONE}
    profile, lengths, domains, services = oci(
        sim,
        [
            c.GroupGetRequest22(**key),
            c.GroupExtensionLengthGetRequest22(**key),
            c.GroupDomainGetAssignedListRequest(**key),
            c.GroupServiceGetAuthorizationListRequest(**key),
        ],
    )
    group_services = [r for r in services.group_services_authorization_table.to_dict() if r["authorized"] == "true"]
    user_services = services.user_services_authorization_table.to_dict()
    packs = services.service_packs_authorization_table.to_dict()
    request = c.GroupConsolidatedAddRequest(
        service_provider_id=PARTNER,
        group_id=group_id,
        default_domain=profile.default_domain,
        user_limit=profile.user_limit,
        group_name=name,
        time_zone=profile.time_zone,
        domain=domains.domain,
        min_extension_length=lengths.min_extension_length,
        max_extension_length=lengths.max_extension_length,
        default_extension_length=lengths.default_extension_length,
        group_service_authorization_and_assignment=[
            c.GroupServiceAuthorizationAndAssignment(
                service_name=r["service_name"],
                authorized_quantity=unlimited(),
                assign=assign_voice_messaging and r["service_name"] == "Voice Messaging Group",
            )
            for r in group_services
        ],
        user_service_authorization=[
            c.UserServiceAuthorization(service_name=r["service_name"], authorized_quantity=unlimited())
            for r in user_services
        ],
        service_pack_authorization=[
            c.ServicePackAuthorization(service_pack_name=r["service_pack_name"], authorized_quantity=unlimited())
            for r in packs
        ],
    )
    return oci(sim, request)


def add_numbers(sim, group_id, numbers):
    ok(oci(sim, c.ServiceProviderDnAddListRequest(service_provider_id=PARTNER, phone_number=numbers)))
    key = {"service_provider_id": PARTNER, "group_id": group_id}
    ok(oci(sim, c.GroupDnAssignListRequest(**key, phone_number=numbers)))
    ok(oci(sim, c.GroupDnActivateListRequest(**key, phone_number=numbers)))


def group_key(group_id="ACME-BAKERY"):
    return {"service_provider_id": PARTNER, "group_id": group_id}


# -- login ------------------------------------------------------------------------------------------


def test_login_over_plain_tcp_uses_the_nonce_handshake_and_never_logs_the_password(sim, caplog):
    caplog.set_level(logging.DEBUG, logger="integrations.broadworks.simulator")
    sp = ok(oci(sim, c.ServiceProviderGetRequest22(service_provider_id=CLONE_SERVICE_PROVIDER_ID)))  # G1 preloaded
    assert sp.default_domain == "hostedcomm.com"
    assert "logged in" in caplog.text and "(LoginRequest14sp4)" in caplog.text
    assert PASSWORD not in caplog.text


def test_a_wrong_password_is_refused(sim):
    with pytest.raises(MErrorLogin, match="Invalid password"):
        oci(sim, c.ServiceProviderGetRequest22(service_provider_id=PARTNER), password="wrong")


def _self_signed_cert(directory):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "broadworks-simulator")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "sim.crt", directory / "sim.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_login_over_tls_uses_login_request_22v5(tmp_path, state_path, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="integrations.broadworks.simulator")
    cert, key = _self_signed_cert(tmp_path)
    # The client always verifies with ssl.create_default_context(): trust our certificate that way.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    server = _start(state_path, tls_cert=cert, tls_key=key)
    try:
        ok(oci(server, c.ServiceProviderGetRequest22(service_provider_id=PARTNER), tls=True))
    finally:
        server.stop()
    assert "(LoginRequest22V5)" in caplog.text and PASSWORD not in caplog.text


# -- the clone group and the new group --------------------------------------------------------------


def test_G2_the_partners_clone_template_group_reads_back(sim):
    key = {"service_provider_id": CLONE_SERVICE_PROVIDER_ID, "group_id": CLONE}
    profile, lengths, domains, services = oci(
        sim,
        [
            c.GroupGetRequest22(**key),
            c.GroupExtensionLengthGetRequest22(**key),
            c.GroupDomainGetAssignedListRequest(**key),
            c.GroupServiceGetAuthorizationListRequest(**key),
        ],
    )
    assert profile.default_domain == "hostedcomm.com"
    assert (lengths.min_extension_length, lengths.max_extension_length, lengths.default_extension_length) == (2, 6, 4)
    assert domains.group_default_domain == "hostedcomm.com"
    authorized = {
        r["service_name"] for r in services.group_services_authorization_table.to_dict() if r["authorized"] == "true"
    }
    assert "Voice Messaging Group" in authorized
    unknown = oci(sim, c.GroupGetRequest22(service_provider_id=CLONE_SERVICE_PROVIDER_ID, group_id="NO-SUCH-CLONE"))
    refused(unknown, "Group not found: NO-SUCH-CLONE")
    refused(oci(sim, c.GroupGetRequest22(service_provider_id="NOPE", group_id=CLONE)), "Service Provider not found")


def test_G3_G4_G5_a_group_is_created_from_the_template_and_a_duplicate_group_id_is_refused(sim):
    assert isinstance(ok(clone_group(sim, "ACME-BAKERY", "Acme Bakery Ltd")), SuccessResponse)
    group = ok(oci(sim, c.GroupGetRequest22(**group_key())))
    assert (group.group_name, group.default_domain) == ("Acme Bakery Ltd", "hostedcomm.com")
    lengths = ok(oci(sim, c.GroupExtensionLengthGetRequest22(**group_key())))
    assert (lengths.min_extension_length, lengths.max_extension_length, lengths.default_extension_length) == (2, 6, 4)

    refused(clone_group(sim, "ACME-BAKERY", "Another name"), "Group already exists: ACME-BAKERY")

    other_domain = c.GroupConsolidatedAddRequest(
        service_provider_id=PARTNER, group_id="ACME-X", default_domain="example.com", user_limit=5
    )
    refused(oci(sim, other_domain), "Domain not assigned: example.com")


# -- numbers (N1, N2), CLID (B1) --------------------------------------------------------------------


def test_N1_N2_numbers_go_to_the_partner_pool_then_to_the_group_and_only_from_that_pool(sim):
    ok(clone_group(sim, "ACME-BAKERY", "Acme Bakery Ltd"))
    pool = ["+441134960001", "+441134960002"]
    ok(oci(sim, c.ServiceProviderDnAddListRequest(service_provider_id=PARTNER, phone_number=pool)))
    ok(
        oci(
            sim,
            c.ServiceProviderDnAddListRequest(
                service_provider_id=PARTNER,
                dn_range=[c.DNRange(min_phone_number="+441134960010", max_phone_number="+441134960012")],
            ),
        )
    )
    available = ok(oci(sim, c.ServiceProviderDnGetAvailableListRequest(service_provider_id=PARTNER))).available_dn
    assert {*pool, "+441134960010", "+441134960011", "+441134960012"} <= set(available)
    assert "+442079460099" in available and len(available) == 105  # the demo's pool is preloaded too

    ok(oci(sim, c.GroupDnAssignListRequest(**group_key(), phone_number=pool)))
    ok(oci(sim, c.GroupDnActivateListRequest(**group_key(), phone_number=pool)))
    assert ok(oci(sim, c.GroupDnGetListRequest(**group_key()))).phone_number == pool
    table = ok(oci(sim, c.GroupDnGetAssignmentListRequest18(**group_key()))).dn_table.to_dict()
    assert [(r["phone_numbers"], r["activated"]) for r in table] == [(n, "true") for n in pool]

    stranger = oci(sim, c.GroupDnAssignListRequest(**group_key(), phone_number=["+441134969999"]))
    refused(stranger, "DN not available in service provider ACME01: +441134969999")

    # N2: a number on another partner's pool cannot be assigned to this partner's group.
    sim.state.preload_partner("BETA02", "BETA02-CLONE", numbers=["+441614960000"])
    refused(oci(sim, c.GroupDnAssignListRequest(**group_key(), phone_number=["+441614960000"])), "not available")
    refused(
        oci(sim, c.ServiceProviderDnAddListRequest(service_provider_id=PARTNER, phone_number=["+441614960000"])),
        "DN already exists",
    )


def test_B1_the_group_clid_must_be_one_of_the_groups_numbers(sim):
    ok(clone_group(sim, "ACME-BAKERY", "Acme Bakery Ltd"))
    add_numbers(sim, "ACME-BAKERY", ["+441134960001"])
    ok(oci(sim, c.ServiceProviderDnAddListRequest(service_provider_id=PARTNER, phone_number=["+441134960099"])))

    not_ours = oci(sim, c.GroupModifyRequest(**group_key(), calling_line_id_phone_number="+441134960099"))
    refused(not_ours, "must be one of the group's phone numbers: +441134960099")

    ok(oci(sim, c.GroupModifyRequest(**group_key(), calling_line_id_phone_number="+441134960001")))
    assert ok(oci(sim, c.GroupGetRequest22(**group_key()))).calling_line_id_phone_number == "+441134960001"


def test_clearing_a_value_needs_an_OCINil_instance_because_the_library_mangles_empty_strings(sim):
    """Library quirks: "" becomes the text "<class '...OCINil'>"; OCINil() becomes C:nil="true" (an
    unbound prefix, which the simulator reads as xsi:nil)."""
    ok(clone_group(sim, "ACME-BAKERY", "Acme Bakery Ltd"))
    add_numbers(sim, "ACME-BAKERY", ["+441134960001"])
    ok(oci(sim, c.GroupModifyRequest(**group_key(), calling_line_id_phone_number="+441134960001")))

    refused(oci(sim, c.GroupModifyRequest(**group_key(), calling_line_id_phone_number="")), "Invalid phone number")
    ok(oci(sim, c.GroupModifyRequest(**group_key(), calling_line_id_phone_number=OCINil())))
    assert ok(oci(sim, c.GroupGetRequest22(**group_key()))).calling_line_id_phone_number is None


# -- voice portal (V1, V2) --------------------------------------------------------------------------


def test_V1_V2_the_voice_portal_needs_voice_messaging_group_a_group_number_and_an_extension_in_range(sim):
    ok(clone_group(sim, "ACME-BAKERY", "Acme Bakery Ltd"))  # authorised, not assigned
    add_numbers(sim, "ACME-BAKERY", ["+441134960001"])
    enable = c.GroupVoiceMessagingGroupModifyVoicePortalRequest(
        **group_key(),
        service_instance_profile=c.ServiceInstanceModifyProfile(phone_number="+441134960001", extension="8000"),
        is_active=True,
    )
    refused(oci(sim, enable), "Service not assigned: Voice Messaging Group")
    refused(oci(sim, c.GroupVoiceMessagingGroupGetVoicePortalRequest21sp1(**group_key())), "Service not assigned")

    ok(
        oci(
            sim,
            c.GroupServiceModifyAuthorizationListRequest(
                **group_key(),
                group_service_authorization=[
                    c.GroupServiceAuthorization(service_name="Voice Messaging Group", authorized_quantity=unlimited())
                ],
            ),
        )
    )
    ok(oci(sim, c.GroupServiceAssignListRequest(**group_key(), service_name=["Voice Messaging Group"])))

    too_long = c.GroupVoiceMessagingGroupModifyVoicePortalRequest(
        **group_key(), service_instance_profile=c.ServiceInstanceModifyProfile(extension="1234567")
    )
    refused(oci(sim, too_long), "Invalid extension length: 1234567 must have 2 to 6 digits")
    not_ours = c.GroupVoiceMessagingGroupModifyVoicePortalRequest(
        **group_key(), service_instance_profile=c.ServiceInstanceModifyProfile(phone_number="+441134960077")
    )
    refused(oci(sim, not_ours), "DN not assigned to group ACME-BAKERY: +441134960077")

    ok(oci(sim, enable))
    portal = ok(oci(sim, c.GroupVoiceMessagingGroupGetVoicePortalRequest21sp1(**group_key())))
    assert portal.is_active is True
    assert (portal.service_instance_profile.phone_number, portal.service_instance_profile.extension) == (
        "+441134960001",
        "8000",
    )
    assert portal.service_user_id.endswith("@hostedcomm.com")


def test_a_service_must_be_authorised_before_it_is_assigned(sim):
    ok(
        oci(
            sim,
            c.GroupConsolidatedAddRequest(
                service_provider_id=PARTNER, group_id="BARE", default_domain="hostedcomm.com", user_limit=5
            ),
        )
    )
    assign = c.GroupServiceAssignListRequest(**group_key("BARE"), service_name=["Voice Messaging Group"])
    refused(oci(sim, assign), "Service not authorized: Voice Messaging Group")


# -- admins (A1, A2) --------------------------------------------------------------------------------


def test_A1_A2_admin_user_ids_are_unique_system_wide_and_case_sensitive(sim):
    ok(clone_group(sim, "ACME-BAKERY", "Acme Bakery Ltd"))
    ok(clone_group(sim, "ACME-DAIRY", "Acme Dairy Ltd"))

    def admin(group_id, user_id):
        return c.GroupAdminAddRequest(
            **group_key(group_id), user_id=user_id, first_name="Jane", last_name="Doe", password="Gen3rated!pw"
        )

    ok(oci(sim, admin("ACME-BAKERY", "jane.doe@hostedcomm.com")))
    refused(oci(sim, admin("ACME-BAKERY", "jane.doe@hostedcomm.com")), "User ID already exists")
    refused(oci(sim, admin("ACME-DAIRY", "jane.doe@hostedcomm.com")), "User ID already exists")  # system-wide
    ok(oci(sim, admin("ACME-DAIRY", "Jane.Doe@hostedcomm.com")))  # differs only in case: another user
    refused(oci(sim, admin("ACME-DAIRY", "jane.doe@example.com")), "Domain not assigned: example.com")

    table = ok(oci(sim, c.GroupAdminGetListRequest(**group_key()))).group_admin_table.to_dict()
    assert [(r["administrator_id"], r["first_name"], r["last_name"]) for r in table] == [
        ("jane.doe@hostedcomm.com", "Jane", "Doe")
    ]
    assert "Gen3rated!pw" not in sim.state.path.read_text()  # A2: passwords are never kept


# -- state ------------------------------------------------------------------------------------------


def test_state_survives_a_restart(state_path):
    first = _start(state_path)
    try:
        ok(clone_group(first, "ACME-BAKERY", "Acme Bakery Ltd", assign_voice_messaging=True))
        add_numbers(first, "ACME-BAKERY", ["+441134960001", "+441134960002"])
        ok(oci(first, c.GroupModifyRequest(**group_key(), calling_line_id_phone_number="+441134960001")))
        ok(oci(first, c.GroupAdminAddRequest(**group_key(), user_id="jo.bloggs@hostedcomm.com", first_name="Jo")))
    finally:
        first.stop()
    assert not list(state_path.parent.glob(".*.tmp"))  # written atomically

    second = _start(state_path)
    try:
        assert ok(oci(second, c.GroupGetRequest22(**group_key()))).calling_line_id_phone_number == "+441134960001"
        assert ok(oci(second, c.GroupDnGetListRequest(**group_key()))).phone_number == [
            "+441134960001",
            "+441134960002",
        ]
        admins = ok(oci(second, c.GroupAdminGetListRequest(**group_key()))).group_admin_table.to_dict()
        assert [r["administrator_id"] for r in admins] == ["jo.bloggs@hostedcomm.com"]
        ok(oci(second, c.GroupVoiceMessagingGroupGetVoicePortalRequest21sp1(**group_key())))
        refused(clone_group(second, "ACME-BAKERY", "Again"), "Group already exists")
    finally:
        second.stop()


# -- fault injection --------------------------------------------------------------------------------


def test_transient_faults_fail_one_request_and_the_next_succeeds(sim):
    request = c.GroupGetRequest22(service_provider_id=CLONE_SERVICE_PROVIDER_ID, group_id=CLONE)
    # Half a reply then a closed connection: the library does not wrap the XML parser's error.
    sim.fail_next("drop", request="GroupGetRequest22")
    with pytest.raises(ExpatError):
        oci(sim, request)
    ok(oci(sim, request))

    sim.fail_next("reset")
    with pytest.raises(MErrorSocketDropped):
        oci(sim, request)
    ok(oci(sim, request))

    sim.fail_next("disconnect")
    with pytest.raises(ExpatError):
        oci(sim, request)
    ok(oci(sim, request))

    sim.fail_next("delay", delay_seconds=1.3)
    with pytest.raises(MErrorSocketTimeout):
        oci(sim, request, read_timeout=1)
    ok(oci(sim, request, read_timeout=1))
    assert sim.faults.pending() == []


def test_a_dropped_reply_may_hide_a_change_that_happened(sim):
    """Why every build step checks before it acts: the group exists although the call failed."""
    sim.fail_next("drop", request="GroupConsolidatedAddRequest")
    with pytest.raises(ExpatError):
        clone_group(sim, "ACME-BAKERY", "Acme Bakery Ltd")
    ok(oci(sim, c.GroupGetRequest22(**group_key())))
    refused(clone_group(sim, "ACME-BAKERY", "Acme Bakery Ltd"), "Group already exists")


def test_a_permanent_fault_returns_an_error_response(sim):
    request = c.ServiceProviderGetRequest22(service_provider_id=PARTNER)
    sim.fail_next("error", count=2, error_code=4242, summary="[Error 4242] Simulated refusal")
    first, second = oci(sim, request), oci(sim, request)
    assert (first.error_code, first.summary) == (4242, "[Error 4242] Simulated refusal")
    assert second.error_code == 4242
    ok(oci(sim, request))


def test_faults_and_reply_delay_are_set_by_another_process_through_the_faults_file(sim, state_path):
    path = faults_path_for(state_path)
    assert path == state_path.parent / "broadworks.faults.json"
    write_faults(path, [make_fault("error", request="GroupGetRequest22")], reply_delay_seconds=0.1)

    ok(oci(sim, c.ServiceProviderGetRequest22(service_provider_id=PARTNER)))  # another request type: untouched
    refused(oci(sim, c.GroupGetRequest22(**group_key("ANY"))), "Simulated permanent failure")
    assert json.loads(path.read_text())["faults"] == []  # used up, visible to the other process

    started = time.monotonic()
    ok(oci(sim, c.ServiceProviderGetRequest22(service_provider_id=PARTNER)))
    assert time.monotonic() - started >= 0.1 * 3  # authentication, login, request
    sim.clear_faults()


def test_the_command_line_writes_the_faults_file(state_path):
    assert main(["--state", str(state_path), "--set-fault", "error:2:GroupAdminAddRequest", "--set-fault", "drop"]) == 0
    faults = json.loads(faults_path_for(state_path).read_text())["faults"]
    assert [(f["kind"], f["count"], f["request"]) for f in faults] == [
        ("error", 2, "GroupAdminAddRequest"),
        ("drop", 1, None),
    ]


# -- the wire, without the library ------------------------------------------------------------------


def _exchange(port, *documents):
    replies = []
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        for document in documents:
            sock.sendall(document.encode("iso-8859-1"))
            buffer = b""
            while b"</BroadsoftDocument>" not in buffer:
                chunk = sock.recv(65536)
                assert chunk, "connection closed"
                buffer += chunk
            replies.append(ET.fromstring(buffer))
    return replies


def _doc(*commands, session="raw-1"):
    return (
        '<?xml version="1.0" encoding="ISO-8859-1"?><BroadsoftDocument protocol="OCI" xmlns="C" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'<sessionId xmlns="">{session}</sessionId>' + "".join(commands) + "</BroadsoftDocument>"
    )


def _summaries(reply):
    return [(cmd.findtext("summary") or "") for cmd in reply.findall("command")]


def test_the_wire_requires_a_login_echoes_the_session_and_refuses_unknown_requests(sim):
    login = (
        f'<command xmlns="" xsi:type="LoginRequest22V5"><userId>{ADMIN}</userId>'
        f"<password>{PASSWORD}</password></command>"
    )
    get = (
        '<command xmlns="" xsi:type="ServiceProviderGetRequest22">'
        f"<serviceProviderId>{PARTNER}</serviceProviderId></command>"
    )
    unknown = '<command xmlns="" xsi:type="UserGetRequest23"><userId>x</userId></command>'
    before, after, batch, broken = _exchange(
        sim.port, _doc(get), _doc(login, get), _doc(unknown, get), "<BroadsoftDocument>oops</BroadsoftDocument>"
    )
    assert "Not logged in" in _summaries(before)[0]
    assert after.findtext("sessionId") == "raw-1"
    types = [cmd.get("{http://www.w3.org/2001/XMLSchema-instance}type") for cmd in after.findall("command")]
    assert types == ["LoginResponse22V5", "ServiceProviderGetResponse22"]
    assert "Request not supported: UserGetRequest23" in _summaries(batch)[0]
    assert batch.findall("command")[1].findtext("serviceProviderName") == "Acme Telecom"
    assert "Invalid OCI document" in _summaries(broken)[0]


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
        return ok(oci(sim, c.GroupGetRequest22(**group_key(group_id)))).group_name

    assert add("CAFE-PLAIN", TCPSessionAtom) == "CafÃ© ZoÃ«"
    assert add("CAFE-FIXED", AsciiTCPSessionAtom) == "Café Zoë"


def test_main_serves_until_terminated_and_preloads_the_demo(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    state = tmp_path / "broadworks.json"
    env = {**os.environ, "BROADWORKS_SIM_PASSWORD": PASSWORD, "PYTHONPATH": str(REPO_ROOT)}
    command = [sys.executable, "-m", "integrations.broadworks.simulator", "--port", str(port), "--state", str(state)]
    process = subprocess.Popen(  # noqa: S603
        [*command, "--preload-demo", "--admin-user", ADMIN, "--log-level", "WARNING"], cwd=REPO_ROOT, env=env
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, "the simulator did not start"
                time.sleep(0.05)

        class Port:
            pass

        server = Port()
        server.port = port
        sp = ok(oci(server, c.ServiceProviderGetRequest22(service_provider_id=PARTNER)))
        assert sp.service_provider_name == "Acme Telecom"
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
    assert PARTNER in json.loads(state.read_text())["service_providers"]
