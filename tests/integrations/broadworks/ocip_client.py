"""Driving the BroadWorks OCI-P simulator with the real client library (mercury-ocip-fast) over TCP,
the way the gateway does: one `asyncio.run` per operation, a fresh `Client` inside it (log in, send,
close). Shared by the simulator's tests (test_simulator_*.py) and, for the TLS certificate, the
gateway's."""

import asyncio
import datetime
import ipaddress
import socket
import xml.etree.ElementTree as ET
from pathlib import Path

from mercury_ocip_fast import Client, SessionPoolSettings, TCPSessionAtom, TCPSessionSettings
from mercury_ocip_fast.commands import commands as c
from mercury_ocip_fast.commands.base_command import ErrorResponse

from integrations.broadworks.simulator import CLONE_SERVICE_PROVIDER_ID, OCIPSimulator, preload_demo

ADMIN, PASSWORD = "portal-admin", "s3cret-Sim!"
PARTNER, CLONE = "ACME01", "ACME01-CLONE"
REPO_ROOT = Path(__file__).resolve().parents[3]


def start(state_path, **options):
    server = OCIPSimulator(("127.0.0.1", 0), state_path=state_path, admins={ADMIN: PASSWORD}, **options)
    preload_demo(server.state)
    return server.start_in_thread()


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


def read_clone_template(sim):
    """The partner's clone group, read as the gateway's group_template reads it (G1, G2): its profile,
    extension lengths, domains and service authorisations, in one document."""
    key = {"service_provider_id": CLONE_SERVICE_PROVIDER_ID, "group_id": CLONE}
    return oci(
        sim,
        [
            c.GroupGetRequest24(**key),
            c.GroupExtensionLengthGetRequest22(**key),
            c.GroupDomainGetAssignedListRequest(**key),
            c.GroupServiceGetAuthorizationListRequest(**key),
        ],
    )


def clone_group(sim, group_id, name, *, assign_voice_messaging=False):
    """What the gateway's add_group_from_template does: read the template (G1, G2), create the group."""
    profile, lengths, domains, services = read_clone_template(sim)
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


def self_signed_cert(directory):
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


# -- the wire, without the library ------------------------------------------------------------------


def exchange(port, *documents):
    """Send each raw document on one connection; the parsed reply to each."""
    replies = []
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        for text in documents:
            sock.sendall(text.encode("iso-8859-1"))
            buffer = b""
            while b"</BroadsoftDocument>" not in buffer:
                chunk = sock.recv(65536)
                assert chunk, "connection closed"
                buffer += chunk
            replies.append(ET.fromstring(buffer))
    return replies


def document(*commands, session="raw-1"):
    return (
        '<?xml version="1.0" encoding="ISO-8859-1"?><BroadsoftDocument protocol="OCI" xmlns="C" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'<sessionId xmlns="">{session}</sessionId>' + "".join(commands) + "</BroadsoftDocument>"
    )


def summaries(reply):
    return [(cmd.findtext("summary") or "") for cmd in reply.findall("command")]


def command(request_type, body):
    return f'<command xmlns="" xsi:type="{request_type}">{body}</command>'


def send_raw(sim, *commands, user=ADMIN, password=PASSWORD):
    """Log in, then send `commands` in one document: the reply commands (after the login's)."""
    login = command("LoginRequest22V5", f"<userId>{user}</userId><password>{password}</password>")
    (reply,) = exchange(sim.port, document(login, *commands))
    return reply.findall("command")[1:]
