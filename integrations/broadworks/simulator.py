"""A BroadWorks OCI-P simulator: the wire format of the real platform, so the real client library
(mercury-ocip-fast) can be pointed at it. Standard library only.

    python -m integrations.broadworks.simulator --host 127.0.0.1 --port 2208 --state var/sim/broadworks.json

What it speaks (see README.md beside this file for what is ours and what is BroadWorks'):
- OCI-P over a raw TCP socket (optionally TLS): one `BroadsoftDocument` per request, answered by one
  `BroadsoftDocument` carrying the same `sessionId` and one `command` per request command, in order.
- The login handshake: `AuthenticationRequest` -> nonce -> `LoginRequest14sp4` with
  signedPassword = md5(nonce ":" sha1(password)) (what the client does over plain TCP), or a single
  `LoginRequest22V5` with the password (what it does over TLS). The login belongs to the connection.
- The provisioning requests the portal uses (`_HANDLERS` below), with ErrorResponses shaped like the
  real ones: `<summary>[Error NNNN] text</summary>`.

State (service providers, DN pools, groups, admins) lives in one JSON file, rewritten atomically after
every change and reloaded at start. Fault injection (off by default) is driven by methods on the
server or by a JSON "faults" file beside the state file, re-read on every request (`FaultInjector`).
Passwords are never logged and never stored.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import signal
import socket
import socketserver
import ssl
import struct
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from pathlib import Path
from xml.sax.saxutils import escape

logger = logging.getLogger(__name__)

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSI_TYPE = f"{{{XSI}}}type"
XSI_NIL = f"{{{XSI}}}nil"
END_OF_DOCUMENT = b"</BroadsoftDocument>"
MAX_DOCUMENT_BYTES = 4 * 1024 * 1024
MAX_RANGE_SIZE = 100_000

CLONE_SERVICE_PROVIDER_ID = "ExpoePartner"  # G1
VOICE_MESSAGING_GROUP = "Voice Messaging Group"
SYSTEM_DOMAINS = ("exponential-e.com", "hostedcomm.com")  # G5
DEFAULT_ADMIN_USER = "portal-admin"
DEFAULT_ADMIN_PASSWORD = "simulator"  # demo only; set BROADWORKS_SIM_PASSWORD to change it
DEFAULT_TIME_ZONE = "Europe/London"
# Extension lengths BroadWorks' schema allows, and the system default a group gets when none is given.
EXTENSION_LENGTH_LIMITS = (2, 20)
DEFAULT_EXTENSION_LENGTHS = {"min": 2, "max": 6, "default": 4}

# The group services the client library knows (its GroupServiceAuthorization literal): listed, with
# their authorisation, by GroupServiceGetAuthorizationListRequest.
GROUP_SERVICES = (
    "Account/Authorization Codes",
    "Auto Attendant",
    "Auto Attendant - Video",
    "Auto Attendant - Standard",
    "Call Capacity Management",
    "Call Park",
    "Call Pickup",
    "City-Wide Centrex",
    "Custom Ringback Group",
    "Custom Ringback Group - Video",
    "Emergency Zones",
    "Enhanced Outgoing Calling Plan",
    "Find-me/Follow-me",
    "Group Call Queue",
    "Group Paging",
    "Hunt Group",
    "Incoming Calling Plan",
    "Instant Group Call",
    "Intercept Group",
    "Inventory Report",
    "LDAP Integration",
    "Meet-Me Conferencing",
    "Music On Hold",
    "Music On Hold - Video",
    "Outgoing Calling Plan",
    "Preferred Carrier Group",
    "Route Point",
    "Series Completion",
    "Service Scripts Group",
    "Trunk Group",
    "Voice Messaging Group",
    "VoiceXML",
)

# Column headings of GroupServiceGetAuthorizationListResponse's three tables.
SERVICE_PACK_COLUMNS = ("Service Pack Name", "Authorized", "Assigned", "Limited", "Allocated", "Allowed", "Usage")
SERVICE_PACK_COLUMNS += ("Description",)
GROUP_SERVICE_COLUMNS = ("Service Name", "Authorized", "Assigned", "Limited", "Quantity", "Usage", "Licensed")
GROUP_SERVICE_COLUMNS += ("Allowed", "Instance Count")
USER_SERVICE_COLUMNS = GROUP_SERVICE_COLUMNS[:-1] + ("User Assignable", "Group Service Assignable")

# What a partner's clone template group carries when preloaded (the demo's ACME01-CLONE).
DEMO_CLONE_GROUP_SERVICES = ("Voice Messaging Group", "Auto Attendant", "Call Park", "Call Pickup", "Hunt Group")
DEMO_CLONE_USER_SERVICES = (
    "Voice Messaging User",
    "Call Forwarding Always",
    "Call Forwarding Busy",
    "Call Forwarding No Answer",
    "Calling Line ID Delivery Blocking",
    "Three-Way Call",
)
DEMO_CLONE_SERVICE_PACKS = ("UC Essentials",)

# ---------------------------------------------------------------------------------------------
# Errors. Real BroadWorks puts "[Error NNNN] text" in <summary> (and <summaryEnglish>). The shape is
# BroadWorks'; the codes are our assumption (not checked against a live system) and kept here, in
# one table, so they can be corrected in one place. Clients should not branch on the numbers.
# ---------------------------------------------------------------------------------------------
ERRORS: dict[str, tuple[int, str]] = {
    "invalid_document": (4000, "Invalid OCI document: {reason}"),
    "invalid_request": (4001, "Invalid request: {reason}"),
    "unsupported_request": (4002, "Request not supported: {request}"),
    "not_logged_in": (4960, "Not logged in"),
    "invalid_session": (4961, "Invalid session ID"),
    "login_failed": (4962, "Invalid password"),
    "user_not_found": (4008, "User not found: {user_id}"),
    "user_exists": (4100, "User ID already exists: {user_id}"),
    "service_provider_not_found": (4010, "Service Provider not found: {service_provider_id}"),
    "service_provider_exists": (4011, "Service Provider already exists: {service_provider_id}"),
    "group_not_found": (4020, "Group not found: {group_id}"),
    "group_exists": (4021, "Group already exists: {group_id}"),
    "domain_not_assigned": (4030, "Domain not assigned: {domain}"),
    "invalid_phone_number": (4200, "Invalid phone number: {phone_number}"),
    "invalid_dn_range": (4201, "Invalid DN range: {min_phone_number} - {max_phone_number}"),
    "dn_exists": (4202, "DN already exists in the system: {phone_number}"),
    "dn_not_in_pool": (4203, "DN not available in service provider {service_provider_id}: {phone_number}"),
    "dn_assigned_elsewhere": (4204, "DN already assigned to another group: {phone_number}"),
    "dn_not_in_group": (4205, "DN not assigned to group {group_id}: {phone_number}"),
    "dn_in_use": (4206, "DN in use: {phone_number}"),
    "clid_not_in_group": (
        4300,
        "Calling line ID phone number must be one of the group's phone numbers: {phone_number}",
    ),
    "service_not_authorized": (4400, "Service not authorized: {service}"),
    "service_not_assigned": (4401, "Service not assigned: {service}"),
    "service_assigned": (4402, "Service is assigned and cannot be unauthorized: {service}"),
    "invalid_extension": (4500, "Invalid extension: {extension}"),
    "extension_length": (4501, "Invalid extension length: {extension} must have {min} to {max} digits"),
    "extension_lengths": (4502, "Invalid extension length settings: {reason}"),
    "internal": (5000, "Internal error"),
    "injected": (9000, "Simulated permanent failure"),
}


class OCIError(Exception):
    """A request the platform refuses: becomes one ErrorResponse command."""

    def __init__(self, code: int, text: str, detail: str | None = None, summary: str | None = None):
        super().__init__(text)
        self.code = code
        self.text = text
        self.detail = detail
        self.summary = summary or f"[Error {code}] {text}"


def _error(name: str, **values) -> OCIError:
    code, template = ERRORS[name]
    return OCIError(code, template.format(**values))


# ---------------------------------------------------------------------------------------------
# XML in and out.
# ---------------------------------------------------------------------------------------------
class _Nil:
    """An element sent with xsi:nil="true": "clear this value", as opposed to absent ("leave it")."""

    def __repr__(self):
        return "NIL"


NIL = _Nil()


def _opt(el: ET.Element, name: str):
    """Absent -> None; nil -> NIL; else the text ("" for an empty element)."""
    child = el.find(name)
    if child is None:
        return None
    if child.get(XSI_NIL) == "true":
        return NIL
    return (child.text or "").strip()


def _req(el: ET.Element, name: str) -> str:
    value = _opt(el, name)
    if value is None or value is NIL or value == "":
        raise _error("invalid_request", reason=f"{name} is required")
    return value


def _texts(el: ET.Element, name: str) -> list[str]:
    return [(child.text or "").strip() for child in el.findall(name)]


def _bool(el: ET.Element, name: str) -> bool | None:
    value = _opt(el, name)
    if value is None or value is NIL or value == "":
        return None
    if value not in ("true", "false", "1", "0"):
        raise _error("invalid_request", reason=f"{name} must be true or false")
    return value in ("true", "1")


def _int(el: ET.Element, name: str) -> int | None:
    value = _opt(el, name)
    if value is None or value is NIL or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise _error("invalid_request", reason=f"{name} must be a number") from None


def _flat(el: ET.Element | None) -> dict[str, str]:
    """A flat complex type (Contact, StreetAddress) as a dict of its children's text."""
    if el is None:
        return {}
    return {child.tag: (child.text or "").strip() for child in el if child.get(XSI_NIL) != "true"}


def _quantity(el: ET.Element | None) -> int | None:
    """UnboundedPositiveInt: None for unlimited (or absent), else the quantity."""
    if el is None:
        return None
    quantity = _int(el, "quantity")
    return quantity


def _e(name: str, value) -> str:
    """One element, or nothing for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{name}>{escape(str(value))}</{name}>"


def _table(name: str, headings: Iterable[str], rows: Iterable[Iterable]) -> str:
    head = "".join(_e("colHeading", h) for h in headings)
    body = "".join("<row>" + "".join(_e("col", "" if c is None else c) for c in row) + "</row>" for row in rows)
    return f"<{name}>{head}{body}</{name}>"


def _data(response_type: str, body: str) -> str:
    return f'<command echo="" xsi:type="{response_type}" xmlns="">{body}</command>'


SUCCESS = '<command echo="" xsi:type="c:SuccessResponse" xmlns:c="C" xmlns=""/>'


def _error_command(error: OCIError) -> str:
    return (
        '<command type="Error" echo="" xsi:type="c:ErrorResponse" xmlns:c="C" xmlns="">'
        f"{_e('errorCode', error.code)}{_e('summary', error.summary)}{_e('summaryEnglish', error.summary)}"
        f"{_e('detail', error.detail)}</command>"
    )


def _document(session_id: str, commands: Iterable[str]) -> bytes:
    xml = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
        f'<BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="{XSI}">'
        f'<sessionId xmlns="">{escape(session_id)}</sessionId>' + "".join(commands) + "</BroadsoftDocument>"
    )
    # The declared encoding, with anything outside it as a character reference.
    return xml.encode("iso-8859-1", "xmlcharrefreplace")


def parse_document(raw: bytes) -> tuple[str, list[tuple[str, ET.Element]]]:
    """The session ID and the (request type, element) of each command of one BroadsoftDocument.

    The bytes are decoded as the XML declaration says (ISO-8859-1 from mercury-ocip-fast), as a
    conforming server does."""
    # mercury-ocip-fast writes nil as C:nil="true" with no "C" prefix bound, which no XML parser
    # accepts; we read it as xsi:nil (xsi is bound on the document element). See README.md.
    raw = raw.replace(b' C:nil="', b' xsi:nil="')
    try:
        root = ET.fromstring(raw)  # noqa: S314 - our own test/demo peer; stdlib only by design
    except ET.ParseError as exc:
        raise _error("invalid_document", reason=str(exc)) from None
    if root.tag.rsplit("}", 1)[-1] != "BroadsoftDocument":
        raise _error("invalid_document", reason="the root element is not BroadsoftDocument")
    session = root.find("sessionId")
    session_id = (session.text or "").strip() if session is not None else ""
    commands = []
    for command in root.findall("command"):
        request_type = (command.get(XSI_TYPE) or "").split(":", 1)[-1]
        commands.append((request_type, command))
    if not commands:
        raise _error("invalid_document", reason="no command")
    return session_id, commands


# ---------------------------------------------------------------------------------------------
# Numbers.
# ---------------------------------------------------------------------------------------------
_DN = re.compile(r"\A\+?[0-9][0-9-]{0,22}\Z")
_DN_TAIL = re.compile(r"\A(.*?)([0-9]+)\Z")


def _check_dn(number: str) -> str:
    if not _DN.match(number or ""):
        raise _error("invalid_phone_number", phone_number=number)
    return number


def _expand_range(low: str, high: str) -> list[str]:
    """Every DN from low to high inclusive: same prefix, numeric tails of the same length."""
    _check_dn(low)
    _check_dn(high)
    a, b = _DN_TAIL.match(low), _DN_TAIL.match(high)
    if not (a and b) or a.group(1) != b.group(1) or len(a.group(2)) != len(b.group(2)):
        raise _error("invalid_dn_range", min_phone_number=low, max_phone_number=high)
    first, last, width = int(a.group(2)), int(b.group(2)), len(a.group(2))
    if last < first or last - first + 1 > MAX_RANGE_SIZE:
        raise _error("invalid_dn_range", min_phone_number=low, max_phone_number=high)
    return [f"{a.group(1)}{n:0{width}d}" for n in range(first, last + 1)]


def _dns_of(el: ET.Element, number_tag: str = "phoneNumber") -> list[str]:
    """The phoneNumber elements and dnRange elements of a request, expanded, in order, once each."""
    numbers = [_check_dn(n) for n in _texts(el, number_tag)]
    for rng in el.findall("dnRange"):
        numbers.extend(_expand_range(_req(rng, "minPhoneNumber"), _req(rng, "maxPhoneNumber")))
    return list(dict.fromkeys(numbers))


# ---------------------------------------------------------------------------------------------
# State.
# ---------------------------------------------------------------------------------------------
def _atomic_write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


_HANDLERS: dict[str, Callable[[BroadWorksState, ET.Element], str]] = {}
_READ_ONLY: set[str] = set()


def _handles(*request_types: str, read_only: bool = False):
    def register(fn):
        for request_type in request_types:
            _HANDLERS[request_type] = fn
            if read_only:
                _READ_ONLY.add(request_type)
        return fn

    return register


class BroadWorksState:
    """Everything the simulated platform knows, as one JSON-shaped dict, and the requests on it.

    ``data`` layout (also the state file's)::

        {"format": 1,
         "service_providers": {sp_id: {"name", "is_enterprise", "default_domain", "domains": [..],
                                       "support_email", "dns": {number: group_id | null},
                                       "groups": {group_id: GROUP}}},
         "users": {user_id: {"kind": "group_admin" | "voice_portal", "service_provider_id",
                             "group_id", "first_name", "last_name", "language"}}}

        GROUP = {"name", "default_domain", "domains": [..], "user_limit", "calling_line_id_name",
                 "calling_line_id_phone_number", "time_zone", "location_dialing_code", "contact": {},
                 "address": {}, "extension_length": {"min", "max", "default"},
                 "group_services": {name: {"quantity": int | null, "assigned": bool}},
                 "user_services": {name: int | null}, "service_packs": {name: int | null},
                 "dns": {number: {"activated": bool}},
                 "voice_portal": null | {"service_user_id", "name", "calling_line_id_last_name",
                                         "calling_line_id_first_name", "phone_number", "extension",
                                         "active"}}

    Every request runs under one lock; a refused request changes nothing (handlers check everything
    before they change anything), and an accepted change is on disk before the reply is sent.
    """

    def __init__(self, path: Path | None = None, data: dict | None = None):
        self.path = Path(path) if path else None
        self.lock = threading.RLock()
        self.data = data or {"format": 1, "service_providers": {}, "users": {}}
        self._dn_owner: dict[str, str] = {}  # number -> service provider, across the system
        self._reindex()
        self.ensure_service_provider(CLONE_SERVICE_PROVIDER_ID, name="EXPO-e partner templates")  # G1

    @classmethod
    def load(cls, path: Path | str | None) -> BroadWorksState:
        path = Path(path) if path else None
        data = None
        if path and path.exists():
            with path.open(encoding="utf-8") as fh:
                data = json.load(fh)
            logger.info("BroadWorks simulator state loaded from %s", path)
        return cls(path, data)

    def _reindex(self) -> None:
        self._dn_owner = {number: sp_id for sp_id, sp in self.data["service_providers"].items() for number in sp["dns"]}

    def save(self) -> None:
        if self.path is not None:
            with self.lock:
                _atomic_write_json(self.path, self.data)

    def snapshot(self) -> dict:
        with self.lock:
            return copy.deepcopy(self.data)

    # -- set-up helpers (not OCI-P requests) ------------------------------------------------------
    def ensure_service_provider(
        self,
        sp_id: str,
        *,
        name: str | None = None,
        default_domain: str = SYSTEM_DOMAINS[1],
        domains: Iterable[str] = SYSTEM_DOMAINS,
        is_enterprise: bool = True,
    ) -> dict:
        """The service provider/enterprise `sp_id`, created if missing (saved when created)."""
        with self.lock:
            sps = self.data["service_providers"]
            if sp_id not in sps:
                sps[sp_id] = {
                    "name": name or sp_id,
                    "is_enterprise": is_enterprise,
                    "default_domain": default_domain,
                    "domains": list(dict.fromkeys([default_domain, *domains])),
                    "support_email": None,
                    "dns": {},
                    "groups": {},
                }
                self.save()
            return sps[sp_id]

    def add_pool_numbers(self, sp_id: str, numbers: Iterable[str]) -> None:
        """Put numbers on a service provider's pool (those already there are left alone)."""
        with self.lock:
            sp = self._sp(sp_id)
            numbers = [_check_dn(n) for n in numbers]
            for number in numbers:
                if self._dn_owner.get(number, sp_id) != sp_id:
                    raise _error("dn_exists", phone_number=number)
            for number in numbers:
                sp["dns"].setdefault(number, None)
                self._dn_owner[number] = sp_id
            self.save()

    def preload_partner(
        self,
        partner_id: str,
        clone_group_id: str,
        *,
        partner_name: str | None = None,
        clone_service_provider_id: str = CLONE_SERVICE_PROVIDER_ID,
        default_domain: str = "hostedcomm.com",
        extension_lengths: tuple[int, int, int] = (2, 6, 4),
        group_services: Iterable[str] = DEMO_CLONE_GROUP_SERVICES,
        user_services: Iterable[str] = DEMO_CLONE_USER_SERVICES,
        service_packs: Iterable[str] = DEMO_CLONE_SERVICE_PACKS,
        numbers: Iterable[str] = (),
    ) -> None:
        """A partner's service provider/enterprise (its number pool) and its clone template group.

        The template group sits in the clone service provider (G1: ExpoePartner), where the portal
        reads it (G2); the partner's customer groups are created in the partner's own enterprise.
        Idempotent: what exists is left as it is. `extension_lengths` is (min, max, default)."""
        with self.lock:
            self.ensure_service_provider(partner_id, name=partner_name or partner_id, default_domain=default_domain)
            clone_sp = self.ensure_service_provider(clone_service_provider_id)
            if clone_group_id not in clone_sp["groups"]:
                low, high, default = extension_lengths
                group = self._new_group(
                    name=f"{partner_name or partner_id} clone template",
                    default_domain=default_domain,
                    domains=[default_domain],
                    user_limit=25,
                    extension_length={"min": low, "max": high, "default": default},
                )
                for service in group_services:
                    group["group_services"][service] = {"quantity": None, "assigned": service == VOICE_MESSAGING_GROUP}
                group["user_services"] = dict.fromkeys(user_services)
                group["service_packs"] = dict.fromkeys(service_packs)
                clone_sp["groups"][clone_group_id] = group
                if VOICE_MESSAGING_GROUP in group["group_services"]:
                    self._create_voice_portal(clone_service_provider_id, clone_group_id, group)
            self.add_pool_numbers(partner_id, numbers)
            self.save()

    # -- lookups ------------------------------------------------------------------------------------
    def _sp(self, sp_id: str) -> dict:
        sp = self.data["service_providers"].get(sp_id)
        if sp is None:
            raise _error("service_provider_not_found", service_provider_id=sp_id)
        return sp

    def _group(self, el: ET.Element) -> tuple[str, str, dict, dict]:
        sp_id, group_id = _req(el, "serviceProviderId"), _req(el, "groupId")
        sp = self._sp(sp_id)
        group = sp["groups"].get(group_id)
        if group is None:
            raise _error("group_not_found", group_id=group_id)
        return sp_id, group_id, sp, group

    def _check_new_user_id(self, user_id: str, group: dict, taken: Iterable[str] = ()) -> None:
        """A1: user IDs are unique across the whole system, compared case-sensitively; a user ID with
        a domain part must use one of the group's domains."""
        if not user_id or len(user_id) > 161:
            raise _error("invalid_request", reason="userId must be 1 to 161 characters")
        if user_id in self.data["users"] or user_id in taken:
            raise _error("user_exists", user_id=user_id)
        if "@" in user_id:
            domain = user_id.rsplit("@", 1)[1]
            if domain not in group["domains"]:
                raise _error("domain_not_assigned", domain=domain)

    @staticmethod
    def _new_group(*, name, default_domain, domains, user_limit, extension_length) -> dict:
        return {
            "name": name,
            "default_domain": default_domain,
            "domains": list(dict.fromkeys([default_domain, *domains])),
            "user_limit": user_limit,
            "calling_line_id_name": None,
            "calling_line_id_phone_number": None,
            "time_zone": DEFAULT_TIME_ZONE,
            "location_dialing_code": None,
            "contact": {},
            "address": {},
            "extension_length": dict(extension_length),
            "group_services": {},
            "user_services": {},
            "service_packs": {},
            "dns": {},
            "voice_portal": None,
        }

    def _create_voice_portal(self, sp_id: str, group_id: str, group: dict) -> None:
        """Assigning Voice Messaging Group gives the group its voice portal service instance (inactive,
        no number, no extension) with a generated service user ID."""
        base = f"{group_id}_VMR"
        user_id, n = f"{base}@{group['default_domain']}", 1
        while user_id in self.data["users"]:
            n += 1
            user_id = f"{base}{n}@{group['default_domain']}"
        self.data["users"][user_id] = {
            "kind": "voice_portal",
            "service_provider_id": sp_id,
            "group_id": group_id,
            "first_name": "Voice Portal",
            "last_name": "Voice Portal",
            "language": None,
        }
        group["voice_portal"] = {
            "service_user_id": user_id,
            "name": "Voice Portal",
            "calling_line_id_last_name": "Voice Portal",
            "calling_line_id_first_name": "Voice Portal",
            "phone_number": None,
            "extension": None,
            "active": False,
        }

    def _remove_voice_portal(self, group: dict) -> None:
        portal = group["voice_portal"]
        if portal:
            self.data["users"].pop(portal["service_user_id"], None)
        group["voice_portal"] = None

    @staticmethod
    def _check_extension_lengths(low: int, high: int, default: int) -> None:
        floor, ceiling = EXTENSION_LENGTH_LIMITS
        if not (floor <= low <= default <= high <= ceiling):
            raise _error(
                "extension_lengths",
                reason=f"need {floor} <= min ({low}) <= default ({default}) <= max ({high}) <= {ceiling}",
            )

    # -- dispatch ---------------------------------------------------------------------------------
    def execute(self, request_type: str, el: ET.Element) -> str:
        """One command's reply (a data, success or error command)."""
        handler = _HANDLERS.get(request_type)
        if handler is None:
            return _error_command(_error("unsupported_request", request=request_type or "(no xsi:type)"))
        with self.lock:
            try:
                reply = handler(self, el)
            except OCIError as exc:
                logger.info("BroadWorks simulator: %s refused: %s", request_type, exc.summary)
                return _error_command(exc)
            except Exception:
                logger.exception("BroadWorks simulator: %s failed", request_type)
                return _error_command(_error("internal"))
            if request_type not in _READ_ONLY:
                self.save()
            return reply

    # -- service providers ------------------------------------------------------------------------
    @_handles("ServiceProviderGetRequest22", read_only=True)
    def _sp_get(self, el):
        sp = self._sp(_req(el, "serviceProviderId"))
        body = (
            _e("isEnterprise", sp["is_enterprise"])
            + _e("defaultDomain", sp["default_domain"])
            + _e("serviceProviderName", sp["name"])
            + _e("supportEmail", sp["support_email"])
            + _e("useServiceProviderLanguages", False)
        )
        return _data("ServiceProviderGetResponse22", body)

    @_handles("ServiceProviderAddRequest13mp2")
    def _sp_add(self, el):
        sp_id = _req(el, "serviceProviderId")
        if len(sp_id) > 30:
            raise _error("invalid_request", reason="serviceProviderId must be 1 to 30 characters")
        if sp_id in self.data["service_providers"]:
            raise _error("service_provider_exists", service_provider_id=sp_id)
        default_domain = _req(el, "defaultDomain")
        self.data["service_providers"][sp_id] = {
            "name": _opt(el, "serviceProviderName") or sp_id,
            "is_enterprise": bool(_bool(el, "isEnterprise")),
            "default_domain": default_domain,
            "domains": [default_domain],
            "support_email": _opt(el, "supportEmail") or None,
            "dns": {},
            "groups": {},
        }
        return SUCCESS

    @_handles("ServiceProviderDomainAssignListRequest")
    def _sp_domain_assign(self, el):
        sp = self._sp(_req(el, "serviceProviderId"))
        for domain in _texts(el, "domain"):
            if domain and domain not in sp["domains"]:
                sp["domains"].append(domain)
        return SUCCESS

    @_handles("ServiceProviderDnAddListRequest")
    def _sp_dn_add(self, el):
        sp_id = _req(el, "serviceProviderId")
        sp = self._sp(sp_id)
        numbers = _dns_of(el)
        for number in numbers:
            if number in self._dn_owner:
                raise _error("dn_exists", phone_number=number)
        for number in numbers:
            sp["dns"][number] = None
            self._dn_owner[number] = sp_id
        return SUCCESS

    @_handles("ServiceProviderDnDeleteListRequest")
    def _sp_dn_delete(self, el):
        sp_id = _req(el, "serviceProviderId")
        sp = self._sp(sp_id)
        numbers = _dns_of(el)
        for number in numbers:
            if number not in sp["dns"]:
                raise _error("dn_not_in_pool", service_provider_id=sp_id, phone_number=number)
            if sp["dns"][number] is not None:
                raise _error("dn_in_use", phone_number=number)
        for number in numbers:
            del sp["dns"][number]
            del self._dn_owner[number]
        return SUCCESS

    @_handles("ServiceProviderDnGetAvailableListRequest", read_only=True)
    def _sp_dn_available(self, el):
        sp = self._sp(_req(el, "serviceProviderId"))
        free = sorted(number for number, group_id in sp["dns"].items() if group_id is None)
        return _data("ServiceProviderDnGetAvailableListResponse", "".join(_e("availableDn", n) for n in free))

    @_handles("ServiceProviderDnGetSummaryListRequest", read_only=True)
    def _sp_dn_summary(self, el):
        sp = self._sp(_req(el, "serviceProviderId"))
        rows = []
        for number, group_id in sorted(sp["dns"].items()):
            rows.append((number, group_id or "", group_id is None))
        table = _table("dnSummaryTable", ("Phone Numbers", "Group Id", "Can Delete"), rows)
        return _data("ServiceProviderDnGetSummaryListResponse", table)

    # -- groups -----------------------------------------------------------------------------------
    @_handles("GroupGetListInServiceProviderRequest", read_only=True)
    def _group_list(self, el):
        sp = self._sp(_req(el, "serviceProviderId"))
        rows = [(gid, g["name"] or "", g["user_limit"]) for gid, g in sorted(sp["groups"].items())]
        limit = _int(el, "responseSizeLimit")
        if limit:
            rows = rows[:limit]
        table = _table("groupTable", ("Group Id", "Group Name", "User Limit"), rows)
        return _data("GroupGetListInServiceProviderResponse", table)

    @_handles("GroupGetRequest22", read_only=True)
    def _group_get(self, el):
        _sp_id, _group_id, _sp, g = self._group(el)
        contact = "".join(_e(k, v) for k, v in g["contact"].items())
        address = "".join(_e(k, v) for k, v in g["address"].items())
        body = (
            _e("defaultDomain", g["default_domain"])
            + _e("userLimit", g["user_limit"])
            + _e("userCount", 0)
            + _e("groupName", g["name"])
            + _e("callingLineIdName", g["calling_line_id_name"])
            + _e("callingLineIdPhoneNumber", g["calling_line_id_phone_number"])
            + _e("callingLineIdDisplayPhoneNumber", g["calling_line_id_phone_number"])
            + _e("timeZone", g["time_zone"])
            + _e("timeZoneDisplayName", f"({g['time_zone']})")
            + _e("locationDialingCode", g["location_dialing_code"])
            + (f"<contact>{contact}</contact>" if contact else "")
            + (f"<address>{address}</address>" if address else "")
        )
        return _data("GroupGetResponse22", body)

    @_handles("GroupConsolidatedAddRequest")
    def _group_add(self, el):
        sp_id, group_id = _req(el, "serviceProviderId"), _req(el, "groupId")
        sp = self._sp(sp_id)
        if len(group_id) > 30:
            raise _error("invalid_request", reason="groupId must be 1 to 30 characters")
        if group_id in sp["groups"]:
            raise _error("group_exists", group_id=group_id)  # G3 (as BroadWorks sees it: per service provider)
        default_domain = _req(el, "defaultDomain")
        domains = list(dict.fromkeys([default_domain, *_texts(el, "domain")]))
        for domain in domains:
            if domain not in sp["domains"]:
                raise _error("domain_not_assigned", domain=domain)
        user_limit = _int(el, "userLimit")
        if user_limit is None or user_limit < 1:
            raise _error("invalid_request", reason="userLimit must be a positive number")
        lengths = {
            "min": _int(el, "minExtensionLength") or DEFAULT_EXTENSION_LENGTHS["min"],
            "max": _int(el, "maxExtensionLength") or DEFAULT_EXTENSION_LENGTHS["max"],
            "default": _int(el, "defaultExtensionLength") or DEFAULT_EXTENSION_LENGTHS["default"],
        }
        self._check_extension_lengths(lengths["min"], lengths["max"], lengths["default"])
        group = self._new_group(
            name=_opt(el, "groupName") or None,
            default_domain=default_domain,
            domains=domains,
            user_limit=user_limit,
            extension_length=lengths,
        )
        group["calling_line_id_name"] = _opt(el, "callingLineIdName") or None
        group["time_zone"] = _opt(el, "timeZone") or DEFAULT_TIME_ZONE
        group["location_dialing_code"] = _opt(el, "locationDialingCode") or None
        group["contact"] = _flat(el.find("contact"))
        group["address"] = _flat(el.find("address"))
        for item in el.findall("groupServiceAuthorizationAndAssignment"):
            group["group_services"][_req(item, "serviceName")] = {
                "quantity": _quantity(item.find("authorizedQuantity")),
                "assigned": bool(_bool(item, "assign")),
            }
        for item in el.findall("userServiceAuthorization"):
            group["user_services"][_req(item, "serviceName")] = _quantity(item.find("authorizedQuantity"))
        for item in el.findall("servicePackAuthorization"):
            group["service_packs"][_req(item, "servicePackName")] = _quantity(item.find("authorizedQuantity"))
        # Numbers given with the group: from the service provider's pool, not another group's (N1, N2).
        activations: dict[str, bool] = {}
        for item in el.findall("activatablePhoneNumber"):
            activations[_check_dn(_req(item, "DN"))] = bool(_bool(item, "activate"))
        for item in el.findall("activatableDNRange"):
            activate = bool(_bool(item, "activate"))
            for number in _expand_range(_req(item, "minPhoneNumber"), _req(item, "maxPhoneNumber")):
                activations[number] = activate
        for number in activations:
            if number not in sp["dns"]:
                raise _error("dn_not_in_pool", service_provider_id=sp_id, phone_number=number)
            if sp["dns"][number] is not None:
                raise _error("dn_assigned_elsewhere", phone_number=number)
        admins = []
        for item in el.findall("admin"):
            user_id = _req(item, "userId")
            self._check_new_user_id(user_id, group, taken=[a[0] for a in admins])
            admins.append((user_id, _opt(item, "firstName"), _opt(item, "lastName"), _opt(item, "language")))
        # Everything checked: now change.
        sp["groups"][group_id] = group
        for number, activate in activations.items():
            sp["dns"][number] = group_id
            group["dns"][number] = {"activated": activate}
        for user_id, first, last, language in admins:
            self._add_admin_record(sp_id, group_id, user_id, first, last, language)
        if group["group_services"].get(VOICE_MESSAGING_GROUP, {}).get("assigned"):
            self._create_voice_portal(sp_id, group_id, group)
        return SUCCESS

    @_handles("GroupModifyRequest")
    def _group_modify(self, el):
        _sp_id, _group_id, _sp, g = self._group(el)
        changes: dict = {}
        for tag, key in (
            ("groupName", "name"),
            ("callingLineIdName", "calling_line_id_name"),
            ("locationDialingCode", "location_dialing_code"),
        ):
            value = _opt(el, tag)
            if value is not None:
                changes[key] = None if value is NIL or value == "" else value
        clid = _opt(el, "callingLineIdPhoneNumber")
        if clid is not None:
            if clid is NIL or clid == "":
                changes["calling_line_id_phone_number"] = None
            elif _check_dn(clid) not in g["dns"]:  # B1: the group CLID is one of the group's own numbers
                raise _error("clid_not_in_group", phone_number=clid)
            else:
                changes["calling_line_id_phone_number"] = clid
        default_domain = _opt(el, "defaultDomain")
        if default_domain not in (None, NIL, ""):
            if default_domain not in g["domains"]:
                raise _error("domain_not_assigned", domain=default_domain)
            changes["default_domain"] = default_domain
        user_limit = _int(el, "userLimit")
        if user_limit is not None:
            changes["user_limit"] = user_limit
        time_zone = _opt(el, "timeZone")
        if time_zone not in (None, NIL, ""):
            changes["time_zone"] = time_zone
        for tag in ("contact", "address"):
            if el.find(tag) is not None:
                changes[tag] = {**g[tag], **_flat(el.find(tag))}
        settings = el.find("extensionLengthSettings")
        if settings is not None:
            lengths = {
                "min": _int(settings, "minExtensionLength") or g["extension_length"]["min"],
                "max": _int(settings, "maxExtensionLength") or g["extension_length"]["max"],
                "default": _int(settings, "defaultExtensionLength") or g["extension_length"]["default"],
            }
            self._check_extension_lengths(lengths["min"], lengths["max"], lengths["default"])
            portal_extension = (g["voice_portal"] or {}).get("extension")
            if portal_extension and not lengths["min"] <= len(portal_extension) <= lengths["max"]:
                raise _error(
                    "extension_lengths", reason=f"the voice portal's extension {portal_extension} would not fit"
                )
            changes["extension_length"] = lengths
        g.update(changes)
        return SUCCESS

    @_handles("GroupDeleteRequest")
    def _group_delete(self, el):
        sp_id, group_id, sp, g = self._group(el)
        for number in g["dns"]:
            sp["dns"][number] = None
        for user_id in [
            u for u, r in self.data["users"].items() if (r["service_provider_id"], r["group_id"]) == (sp_id, group_id)
        ]:
            del self.data["users"][user_id]
        del sp["groups"][group_id]
        return SUCCESS

    @_handles("GroupDomainGetAssignedListRequest", read_only=True)
    def _group_domains(self, el):
        _sp_id, _group_id, _sp, g = self._group(el)
        body = _e("groupDefaultDomain", g["default_domain"]) + "".join(_e("domain", d) for d in g["domains"])
        return _data("GroupDomainGetAssignedListResponse", body)

    @_handles("GroupExtensionLengthGetRequest22", "GroupExtensionLengthGetRequest17", read_only=True)
    def _group_extension_length(self, el):
        _sp_id, _group_id, _sp, g = self._group(el)
        lengths = g["extension_length"]
        body = (
            _e("minExtensionLength", lengths["min"])
            + _e("maxExtensionLength", lengths["max"])
            + _e("defaultExtensionLength", lengths["default"])
        )
        if el.get(XSI_TYPE, "").endswith("22"):
            body += _e("useEnterpriseExtensionLengthSetting", False)
            return _data("GroupExtensionLengthGetResponse22", body)
        return _data("GroupExtensionLengthGetResponse17", body)

    # -- services ---------------------------------------------------------------------------------
    @_handles("GroupServiceGetAuthorizationListRequest", read_only=True)
    def _group_service_authorizations(self, el):
        _sp_id, _group_id, _sp, g = self._group(el)

        def limit(quantity):
            return ("Unlimited", "-1") if quantity is None else ("Limited", str(quantity))

        packs = [(name, True, False, *limit(q), "-1", "0", "") for name, q in sorted(g["service_packs"].items())]
        group_rows = []
        for name in [*GROUP_SERVICES, *sorted(set(g["group_services"]) - set(GROUP_SERVICES))]:
            entry = g["group_services"].get(name)
            if entry is None:
                group_rows.append((name, False, False, "", "", "0", True, "-1", "0"))
            else:
                assigned = entry["assigned"]
                group_rows.append((name, True, assigned, *limit(entry["quantity"]), "0", True, "-1", int(assigned)))
        user_rows = [
            (name, True, False, *limit(q), "0", True, "-1", True, False)
            for name, q in sorted(g["user_services"].items())
        ]
        body = (
            _table("servicePacksAuthorizationTable", SERVICE_PACK_COLUMNS, packs)
            + _table("groupServicesAuthorizationTable", GROUP_SERVICE_COLUMNS, group_rows)
            + _table("userServicesAuthorizationTable", USER_SERVICE_COLUMNS, user_rows)
        )
        return _data("GroupServiceGetAuthorizationListResponse", body)

    @_handles("GroupServiceModifyAuthorizationListRequest")
    def _group_service_authorize(self, el):
        _sp_id, _group_id, _sp, g = self._group(el)
        group_changes, user_changes, pack_changes = [], [], []
        for item in el.findall("groupServiceAuthorization"):
            name = _req(item, "serviceName")
            if _bool(item, "unauthorized"):
                if g["group_services"].get(name, {}).get("assigned"):
                    raise _error("service_assigned", service=name)
                group_changes.append((name, None, True))
            else:
                group_changes.append((name, _quantity(item.find("authorizedQuantity")), False))
        for item in el.findall("userServiceAuthorization"):
            user_changes.append(
                (_req(item, "serviceName"), _quantity(item.find("authorizedQuantity")), _bool(item, "unauthorized"))
            )
        for item in el.findall("servicePackAuthorization"):
            pack_changes.append(
                (_req(item, "servicePackName"), _quantity(item.find("authorizedQuantity")), _bool(item, "unauthorized"))
            )
        for name, quantity, remove in group_changes:
            if remove:
                g["group_services"].pop(name, None)
            else:
                g["group_services"].setdefault(name, {"quantity": None, "assigned": False})["quantity"] = quantity
        for table, changes in ((g["user_services"], user_changes), (g["service_packs"], pack_changes)):
            for name, quantity, remove in changes:
                if remove:
                    table.pop(name, None)
                else:
                    table[name] = quantity
        return SUCCESS

    @_handles("GroupServiceAssignListRequest")
    def _group_service_assign(self, el):
        sp_id, group_id, _sp, g = self._group(el)
        names = _texts(el, "serviceName")
        for name in names:
            if name not in g["group_services"]:
                raise _error("service_not_authorized", service=name)
        for name in names:
            entry = g["group_services"][name]
            if not entry["assigned"]:
                entry["assigned"] = True
                if name == VOICE_MESSAGING_GROUP:
                    self._create_voice_portal(sp_id, group_id, g)
        return SUCCESS

    @_handles("GroupServiceUnassignListRequest")
    def _group_service_unassign(self, el):
        _sp_id, _group_id, _sp, g = self._group(el)
        for name in _texts(el, "serviceName"):
            entry = g["group_services"].get(name)
            if entry and entry["assigned"]:
                entry["assigned"] = False
                if name == VOICE_MESSAGING_GROUP:
                    self._remove_voice_portal(g)
        return SUCCESS

    # -- numbers ----------------------------------------------------------------------------------
    @_handles("GroupDnAssignListRequest")
    def _group_dn_assign(self, el):
        sp_id, group_id, sp, g = self._group(el)
        numbers = _dns_of(el)
        for number in numbers:
            owner = sp["dns"].get(number, False)
            if owner is False:  # N1, N2: only numbers on this service provider's pool
                raise _error("dn_not_in_pool", service_provider_id=sp_id, phone_number=number)
            if owner not in (None, group_id):
                raise _error("dn_assigned_elsewhere", phone_number=number)
        for number in numbers:
            sp["dns"][number] = group_id
            g["dns"].setdefault(number, {"activated": False})
        return SUCCESS

    def _group_numbers(self, el, g, group_id) -> list[str]:
        numbers = _dns_of(el)
        for number in numbers:
            if number not in g["dns"]:
                raise _error("dn_not_in_group", group_id=group_id, phone_number=number)
        return numbers

    @_handles("GroupDnActivateListRequest", "GroupDnDeactivateListRequest")
    def _group_dn_activate(self, el):
        _sp_id, group_id, _sp, g = self._group(el)
        activate = el.get(XSI_TYPE, "").split(":")[-1] == "GroupDnActivateListRequest"
        for number in self._group_numbers(el, g, group_id):
            g["dns"][number]["activated"] = activate  # activating an active DN is not an error
        return SUCCESS

    @_handles("GroupDnUnassignListRequest")
    def _group_dn_unassign(self, el):
        _sp_id, group_id, sp, g = self._group(el)
        numbers = self._group_numbers(el, g, group_id)
        portal_number = (g["voice_portal"] or {}).get("phone_number")
        for number in numbers:
            if number in (g["calling_line_id_phone_number"], portal_number):
                raise _error("dn_in_use", phone_number=number)
        for number in numbers:
            del g["dns"][number]
            sp["dns"][number] = None
        return SUCCESS

    @_handles("GroupDnGetListRequest", read_only=True)
    def _group_dn_list(self, el):
        _sp_id, _group_id, _sp, g = self._group(el)
        return _data("GroupDnGetListResponse", "".join(_e("phoneNumber", n) for n in sorted(g["dns"])))

    @_handles("GroupDnGetAssignmentListRequest18", read_only=True)
    def _group_dn_assignments(self, el):
        _sp_id, _group_id, _sp, g = self._group(el)
        portal = g["voice_portal"] or {}
        rows = []
        for number, info in sorted(g["dns"].items()):
            user = portal if portal.get("phone_number") == number else {}
            rows.append(
                (
                    number,
                    "",
                    info["activated"],
                    user.get("service_user_id", ""),
                    user.get("name", ""),
                    "Voice Messaging Portal" if user else "",
                    user.get("extension") or "",
                    "",
                    "Voice Messaging Portal" if user else "",
                    "",
                    "",
                )
            )
        headings = (
            "Phone Numbers", "Department", "Activated", "User Id", "Last Name", "First Name", "Extension",
            "Email Address", "User Type", "Country Code", "National Prefix",
        )  # fmt: skip
        return _data("GroupDnGetAssignmentListResponse18", _table("dnTable", headings, rows))

    # -- voice portal -----------------------------------------------------------------------------
    @_handles("GroupVoiceMessagingGroupModifyVoicePortalRequest")
    def _voice_portal_modify(self, el):
        _sp_id, group_id, _sp, g = self._group(el)
        if not g["group_services"].get(VOICE_MESSAGING_GROUP, {}).get("assigned") or not g["voice_portal"]:
            raise _error("service_not_assigned", service=VOICE_MESSAGING_GROUP)  # V1
        portal = g["voice_portal"]
        changes: dict = {}
        profile = el.find("serviceInstanceProfile")
        if profile is not None:
            for tag, key in (
                ("name", "name"),
                ("callingLineIdLastName", "calling_line_id_last_name"),
                ("callingLineIdFirstName", "calling_line_id_first_name"),
            ):
                value = _opt(profile, tag)
                if value not in (None, NIL, ""):
                    changes[key] = value
            number = _opt(profile, "phoneNumber")
            if number is NIL or number == "":
                changes["phone_number"] = None
            elif number is not None:  # V2: the number must be one of the group's
                _check_dn(number)
                if number not in g["dns"]:
                    raise _error("dn_not_in_group", group_id=group_id, phone_number=number)
                changes["phone_number"] = number
            extension = _opt(profile, "extension")
            if extension is NIL or extension == "":
                changes["extension"] = None
            elif extension is not None:
                if not extension.isdigit():
                    raise _error("invalid_extension", extension=extension)
                low, high = g["extension_length"]["min"], g["extension_length"]["max"]
                if not low <= len(extension) <= high:
                    raise _error("extension_length", extension=extension, min=low, max=high)
                changes["extension"] = extension
        active = _bool(el, "isActive")
        if active is not None:
            changes["active"] = active
        portal.update(changes)
        return SUCCESS

    @_handles("GroupVoiceMessagingGroupGetVoicePortalRequest21sp1", read_only=True)
    def _voice_portal_get(self, el):
        _sp_id, _group_id, _sp, g = self._group(el)
        portal = g["voice_portal"]
        if not g["group_services"].get(VOICE_MESSAGING_GROUP, {}).get("assigned") or not portal:
            raise _error("service_not_assigned", service=VOICE_MESSAGING_GROUP)
        profile = (
            _e("name", portal["name"])
            + _e("callingLineIdLastName", portal["calling_line_id_last_name"])
            + _e("callingLineIdFirstName", portal["calling_line_id_first_name"])
            + _e("phoneNumber", portal["phone_number"])
            + _e("extension", portal["extension"])
            + _e("language", "English")
            + _e("timeZone", g["time_zone"])
            + _e("timeZoneDisplayName", f"({g['time_zone']})")
        )
        body = (
            _e("serviceUserId", portal["service_user_id"])
            + f"<serviceInstanceProfile>{profile}</serviceInstanceProfile>"
            + _e("isActive", portal["active"])
            + _e("allowIdentificationByPhoneNumberOrVoiceMailAliasesOnLogin", False)
            + _e("useVoicePortalWizard", True)
            + _e("voicePortalExternalRoutingScope", "System")
            + _e("useExternalRouting", False)
            + _e("expressMode", False)
        )
        return _data("GroupVoiceMessagingGroupGetVoicePortalResponse21sp1", body)

    # -- group administrators ---------------------------------------------------------------------
    def _add_admin_record(self, sp_id, group_id, user_id, first, last, language) -> None:
        # The password is accepted and dropped: the simulator never keeps one (A2).
        self.data["users"][user_id] = {
            "kind": "group_admin",
            "service_provider_id": sp_id,
            "group_id": group_id,
            "first_name": first or None,
            "last_name": last or None,
            "language": language or None,
        }

    @_handles("GroupAdminAddRequest")
    def _admin_add(self, el):
        sp_id, group_id, _sp, g = self._group(el)
        user_id = _req(el, "userId")
        self._check_new_user_id(user_id, g)  # A1
        self._add_admin_record(
            sp_id, group_id, user_id, _opt(el, "firstName"), _opt(el, "lastName"), _opt(el, "language")
        )
        return SUCCESS

    @_handles("GroupAdminDeleteRequest")
    def _admin_delete(self, el):
        user_id = _req(el, "userId")
        record = self.data["users"].get(user_id)
        if record is None or record["kind"] != "group_admin":
            raise _error("user_not_found", user_id=user_id)
        del self.data["users"][user_id]
        return SUCCESS

    @_handles("GroupAdminGetListRequest", read_only=True)
    def _admin_list(self, el):
        sp_id, group_id, _sp, _g = self._group(el)
        rows = [
            (
                user_id,
                r["last_name"] or "",
                r["first_name"] or "",
                "",
                r["language"] or "English",
                "en_US",
                "ISO-8859-1",
            )
            for user_id, r in sorted(self.data["users"].items())
            if r["kind"] == "group_admin" and (r["service_provider_id"], r["group_id"]) == (sp_id, group_id)
        ]
        headings = ("Administrator ID", "Last Name", "First Name", "Department", "Language", "Locale", "Encoding")
        return _data("GroupAdminGetListResponse", _table("groupAdminTable", headings, rows))

    @_handles("GroupAdminGetRequest22", read_only=True)
    def _admin_get(self, el):
        """A1: a group administrator looked up by user ID alone, system-wide."""
        user_id = _req(el, "userId")
        record = self.data["users"].get(user_id)
        if record is None or record["kind"] != "group_admin":
            raise _error("user_not_found", user_id=user_id)
        body = (
            _e("serviceProviderId", record["service_provider_id"])
            + _e("groupId", record["group_id"])
            + _e("firstName", record["first_name"])
            + _e("lastName", record["last_name"])
            + _e("language", record["language"] or "English")
            + _e("locale", "en_US")
            + _e("encoding", "ISO-8859-1")
        )
        return _data("GroupAdminGetResponse22", body)


# ---------------------------------------------------------------------------------------------
# Fault injection (tests and demo only; off by default).
# ---------------------------------------------------------------------------------------------
FAULT_KINDS = {
    # The request is carried out, half the reply is sent, then the connection is closed (FIN): the
    # change happened but the client cannot know. mercury-ocip-fast raises xml's ExpatError here.
    "drop": "carried out; half the reply, then the connection closes",
    # As drop, but the connection is reset (RST): the client raises MErrorSocketDropped.
    "reset": "carried out; half the reply, then the connection is reset",
    # The connection closes before the request is carried out: nothing changed.
    "disconnect": "not carried out; the connection closes without a reply",
    # The request is carried out and the reply waits delay_seconds (past the client's read timeout,
    # it is a timeout for the client; the change happened).
    "delay": "carried out; the reply waits delay_seconds",
    # An ErrorResponse instead of carrying out the request (error_code / summary, or the default).
    "error": "not carried out; an ErrorResponse",
}
# Requests a fault without an explicit "request" does not count: the login handshake.
HANDSHAKE_REQUESTS = frozenset({"AuthenticationRequest", "LoginRequest14sp4", "LoginRequest22V5", "LogoutRequest"})


def faults_path_for(state_path: Path | str) -> Path:
    """The faults file beside a state file: var/sim/broadworks.json -> var/sim/broadworks.faults.json."""
    state_path = Path(state_path)
    return state_path.with_name(f"{state_path.stem}.faults.json")


def make_fault(
    kind: str,
    *,
    count: int = 1,
    request: str | None = None,
    delay_seconds: float = 0.0,
    error_code: int | None = None,
    summary: str | None = None,
) -> dict:
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; one of {', '.join(FAULT_KINDS)}")
    if count < 1:
        raise ValueError("count must be at least 1")
    fault = {"kind": kind, "count": int(count), "request": request or None}
    if kind == "delay":
        fault["delay_seconds"] = float(delay_seconds)
    if kind == "error":
        code, text = ERRORS["injected"]
        fault["error_code"] = int(error_code if error_code is not None else code)
        fault["summary"] = summary or f"[Error {fault['error_code']}] {text}"
    return fault


def write_faults(path: Path | str, faults: Iterable[dict] = (), *, reply_delay_seconds: float = 0.0) -> None:
    """Set a running simulator's faults from another process (read before its next request)."""
    _atomic_write_json(Path(path), {"faults": list(faults), "reply_delay_seconds": float(reply_delay_seconds)})


class FaultInjector:
    """Faults to apply to the next requests, and a delay for every reply.

    The faults file (JSON: {"faults": [fault, ...], "reply_delay_seconds": 0.0}, each fault from
    `make_fault`) is re-read before each request when it changed, and rewritten when a fault is used
    up, so another process sees what is left. The methods here change the same list (and file)."""

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path else None
        self._lock = threading.Lock()
        self._faults: list[dict] = []
        self._reply_delay = 0.0
        self._seen: tuple[int, int] | None = None

    def _stat(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except (OSError, AttributeError):
            return None
        return (st.st_mtime_ns, st.st_size)

    def _refresh(self) -> None:
        if self.path is None:
            return
        seen = self._stat()
        if seen == self._seen:
            return
        self._seen = seen
        if seen is None:
            self._faults, self._reply_delay = [], 0.0
            return
        try:
            with self.path.open(encoding="utf-8") as fh:
                data = json.load(fh)
            faults = [make_fault(**f) for f in data.get("faults", [])]
            delay = float(data.get("reply_delay_seconds", 0.0))
        except (OSError, ValueError, TypeError) as exc:
            logger.warning("BroadWorks simulator: ignoring unreadable faults file %s: %s", self.path, exc)
            return
        self._faults, self._reply_delay = faults, delay

    def _persist(self) -> None:
        if self.path is not None:
            write_faults(self.path, self._faults, reply_delay_seconds=self._reply_delay)
            self._seen = self._stat()

    def add(self, kind: str, **options) -> None:
        with self._lock:
            self._refresh()
            self._faults.append(make_fault(kind, **options))
            self._persist()

    def set_reply_delay(self, seconds: float) -> None:
        with self._lock:
            self._refresh()
            self._reply_delay = float(seconds)
            self._persist()

    def clear(self) -> None:
        with self._lock:
            self._faults, self._reply_delay = [], 0.0
            self._persist()

    def pending(self) -> list[dict]:
        with self._lock:
            self._refresh()
            return copy.deepcopy(self._faults)

    def take(self, request_types: list[str]) -> tuple[dict | None, float]:
        """The fault that applies to a document with these commands (used up by one), and the reply delay."""
        with self._lock:
            self._refresh()
            for fault in self._faults:
                wanted = fault["request"]
                if (wanted and wanted in request_types) or (
                    not wanted and any(t not in HANDSHAKE_REQUESTS for t in request_types)
                ):
                    fault["count"] -= 1
                    if fault["count"] <= 0:
                        self._faults.remove(fault)
                    self._persist()
                    return dict(fault), self._reply_delay
            return None, self._reply_delay


# ---------------------------------------------------------------------------------------------
# The server.
# ---------------------------------------------------------------------------------------------
class _Connection:
    """What one TCP connection knows: its login (OCI-P over TCP logs in per connection)."""

    def __init__(self, peer):
        self.peer = peer
        self.nonce: str | None = None
        self.nonce_user: str | None = None
        self.user: str | None = None
        self.session_id: str | None = None


def _signed(nonce: str, password: str) -> str:
    """What the client sends in signedPassword: md5(nonce ":" sha1(password)), lowercase hex."""
    sha1 = hashlib.sha1(password.encode()).hexdigest().lower()  # noqa: S324 - the OCI-P algorithm
    return hashlib.md5(f"{nonce}:{sha1}".encode()).hexdigest().lower()  # noqa: S324


class _Handler(socketserver.BaseRequestHandler):
    server: OCIPSimulator

    def handle(self):
        sock = self.request
        server = self.server
        if server.ssl_context is not None:
            sock.settimeout(10)
            try:
                sock = server.ssl_context.wrap_socket(sock, server_side=True)
            except (OSError, ssl.SSLError) as exc:
                logger.info("BroadWorks simulator: TLS handshake with %s failed: %s", self.client_address, exc)
                return
            sock.settimeout(None)
        server._track(sock)
        conn = _Connection(self.client_address)
        buffer = b""
        try:
            while True:
                while END_OF_DOCUMENT not in buffer:
                    chunk = sock.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                    if len(buffer) > MAX_DOCUMENT_BYTES:
                        logger.warning("BroadWorks simulator: document from %s too large", self.client_address)
                        return
                end = buffer.index(END_OF_DOCUMENT) + len(END_OF_DOCUMENT)
                # The client writes "\n" after each document, sometimes in a packet (or TLS record) of its
                # own: whitespace before the XML declaration is not allowed, so it goes.
                raw, buffer = buffer[:end].lstrip(), buffer[end:]
                if not server.answer(sock, conn, raw):
                    return
        except OSError:
            return  # the peer went away, or the server is stopping
        finally:
            server._untrack(sock)
            with contextlib.suppress(OSError):
                sock.close()


class OCIPSimulator(socketserver.ThreadingTCPServer):
    """The simulated BroadWorks: `OCIPSimulator(("127.0.0.1", 0), state_path=...)`, then
    `start_in_thread()` (tests) or `serve_forever()` (main). `admins` maps each OCI-P login user to
    its password; the faults file defaults to the one beside the state file."""

    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(
        self,
        address: tuple[str, int],
        *,
        state_path: Path | str | None = None,
        admins: dict[str, str] | None = None,
        tls_cert: Path | str | None = None,
        tls_key: Path | str | None = None,
        faults_path: Path | str | None | bool = True,
        system_domain: str = SYSTEM_DOMAINS[1],
    ):
        self.state = BroadWorksState.load(state_path)
        self.state.save()
        if faults_path is True:
            faults_path = faults_path_for(state_path) if state_path else None
        self.faults = FaultInjector(faults_path or None)
        self._admins = dict(admins or {DEFAULT_ADMIN_USER: DEFAULT_ADMIN_PASSWORD})
        self.system_domain = system_domain
        self.ssl_context = None
        if tls_cert:
            self.ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.ssl_context.load_cert_chain(tls_cert, tls_key)
        self._sockets: set[socket.socket] = set()
        self._sockets_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        super().__init__(address, _Handler)

    # -- life cycle -------------------------------------------------------------------------------
    @property
    def host(self) -> str:
        return self.server_address[0]

    @property
    def port(self) -> int:
        return self.server_address[1]

    def start_in_thread(self) -> OCIPSimulator:
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, name="broadworks-simulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, close every open connection (as a restart would), release the port."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join(5)
            self._thread = None
        with self._sockets_lock:
            open_sockets = list(self._sockets)
        for sock in open_sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self.server_close()

    def _track(self, sock) -> None:
        with self._sockets_lock:
            self._sockets.add(sock)

    def _untrack(self, sock) -> None:
        with self._sockets_lock:
            self._sockets.discard(sock)

    # -- fault control (tests, demo) ------------------------------------------------------------------
    def fail_next(self, kind: str = "error", **options) -> None:
        """Make the next request(s) fail: see FAULT_KINDS and `make_fault` for the options."""
        self.faults.add(kind, **options)

    def set_reply_delay(self, seconds: float) -> None:
        self.faults.set_reply_delay(seconds)

    def clear_faults(self) -> None:
        self.faults.clear()

    # -- one request document -----------------------------------------------------------------------
    def answer(self, sock, conn: _Connection, raw: bytes) -> bool:
        """Answer one document on `sock`; False when the connection is to be closed."""
        try:
            session_id, commands = parse_document(raw)
        except OCIError as exc:
            logger.info("BroadWorks simulator: unreadable document from %s: %s", conn.peer, exc.summary)
            sock.sendall(_document("", [_error_command(exc)]))
            return True
        types = [t for t, _ in commands]
        fault, reply_delay = self.faults.take(types)
        if fault:
            logger.info("BroadWorks simulator: injecting %s fault on %s", fault["kind"], ",".join(types))
        if fault and fault["kind"] == "disconnect":
            return False
        if fault and fault["kind"] == "error":
            injected = OCIError(
                fault["error_code"], "", detail="Injected by the simulator's fault settings", summary=fault["summary"]
            )
            replies = [_error_command(injected)] * len(commands)
        else:
            replies = [self._execute(conn, session_id, t, el) for t, el in commands]
        delay = reply_delay + (fault["delay_seconds"] if fault and fault["kind"] == "delay" else 0.0)
        if delay > 0:
            time.sleep(delay)
        reply = _document(session_id, replies)
        if fault and fault["kind"] in ("drop", "reset"):
            sock.sendall(reply[: len(reply) // 2])
            if fault["kind"] == "reset":
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        sock.sendall(reply)
        return True

    def _execute(self, conn: _Connection, session_id: str, request_type: str, el: ET.Element) -> str:
        try:
            if request_type == "AuthenticationRequest":
                return self._authenticate(conn, el)
            if request_type.startswith("LoginRequest"):
                return self._login(conn, session_id, request_type, el)
            if conn.user is None:
                raise _error("not_logged_in")
            if session_id != conn.session_id:
                raise _error("invalid_session")
            if request_type == "LogoutRequest":
                logger.info("BroadWorks simulator: %s logged out", conn.user)
                conn.user = conn.session_id = None
                return SUCCESS
        except OCIError as exc:
            return _error_command(exc)
        logger.debug("BroadWorks simulator: %s from %s", request_type, conn.user)
        return self.state.execute(request_type, el)

    def _authenticate(self, conn: _Connection, el: ET.Element) -> str:
        user_id = _req(el, "userId")
        conn.nonce, conn.nonce_user = str(secrets.randbelow(10**15)), user_id
        body = _e("userId", user_id) + _e("nonce", conn.nonce) + _e("passwordAlgorithm", "MD5")
        return _data("AuthenticationResponse", body)

    def _login(self, conn: _Connection, session_id: str, request_type: str, el: ET.Element) -> str:
        user_id = _req(el, "userId")
        password = self._admins.get(user_id)
        plain = _opt(el, "password") if request_type != "LoginRequest14sp4" else _opt(el, "plainTextPassword")
        signed = _opt(el, "signedPassword")
        accepted = False
        if password is not None:
            if isinstance(plain, str) and plain:
                accepted = hmac.compare_digest(plain.encode(), password.encode())
            elif isinstance(signed, str) and signed and conn.nonce and conn.nonce_user == user_id:
                accepted = hmac.compare_digest(signed.lower(), _signed(conn.nonce, password))
        conn.nonce = conn.nonce_user = None  # a nonce is good for one login attempt
        if not accepted:
            logger.info("BroadWorks simulator: login refused for %s from %s", user_id, conn.peer)
            raise _error("login_failed")
        conn.user, conn.session_id = user_id, session_id
        logger.info("BroadWorks simulator: %s logged in from %s (%s)", user_id, conn.peer, request_type)
        response_type = "LoginResponse14sp4" if request_type == "LoginRequest14sp4" else "LoginResponse22V5"
        body = (
            _e("loginType", "System")
            + _e("locale", "en_US")
            + _e("encoding", "ISO-8859-1")
            + _e("isEnterprise", False)
            + _e("userDomain", self.system_domain)
        )
        return _data(response_type, body)


# ---------------------------------------------------------------------------------------------
# Command line.
# ---------------------------------------------------------------------------------------------
# partner ID, clone group ID, name, the partner's number pool (as onboarding/demo.py seeds it: Ofcom's
# 020 7946 0xxx drama range).
DEMO_PARTNERS = (("ACME01", "ACME01-CLONE", "Acme Telecom", ("+442079460000", "+442079460099")),)
# EXPO.e's own template for new partners' clone groups (O2), in the clone service provider.
MASTER_CLONE_GROUP_ID = "EXPOE-MASTER-CLONE"


def preload_demo(state: BroadWorksState) -> None:
    """The demo's partner: ACME01 (enterprise, hostedcomm.com, pool +442079460000-099) with its clone
    group ACME01-CLONE in ExpoePartner (G1, G2): extension length 4 (2 to 6), Voice Messaging Group
    among its services; and EXPOE-MASTER-CLONE there, from which new partners' clone groups are
    copied (O2). Idempotent."""
    for partner_id, clone_group_id, name, (first, last) in DEMO_PARTNERS:
        state.preload_partner(partner_id, clone_group_id, partner_name=name, numbers=_expand_range(first, last))
    state.preload_partner(CLONE_SERVICE_PROVIDER_ID, MASTER_CLONE_GROUP_ID, partner_name="EXPO.e master")


def preload_partner(state: BroadWorksState | Path | str, partner_id: str, clone_group_id: str, **options) -> None:
    """`BroadWorksState.preload_partner` on a live state, or on a state file while no simulator runs
    on it (a running simulator would overwrite the file with its own copy)."""
    if not isinstance(state, BroadWorksState):
        state = BroadWorksState.load(state)
    state.preload_partner(partner_id, clone_group_id, **options)


def _parse_fault(text: str) -> dict:
    """KIND[:COUNT[:REQUEST]], e.g. drop, error:2, delay:1:GroupConsolidatedAddRequest."""
    kind, _, rest = text.partition(":")
    count, _, request = rest.partition(":")
    return make_fault(kind, count=int(count or 1), request=request or None, delay_seconds=5.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m integrations.broadworks.simulator",
        description="BroadWorks OCI-P simulator (plain TCP unless --tls-cert is given); runs until killed.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2208)
    parser.add_argument("--state", default="var/sim/broadworks.json", help="state file (JSON), kept across restarts")
    parser.add_argument("--faults", help="faults file (default: <state>.faults.json beside the state file)")
    parser.add_argument("--tls-cert", help="PEM certificate: serve OCI-P over TLS")
    parser.add_argument("--tls-key", help="PEM private key for --tls-cert")
    parser.add_argument("--admin-user", default=os.environ.get("BROADWORKS_SIM_USER", DEFAULT_ADMIN_USER))
    parser.add_argument(
        "--preload-partner",
        action="append",
        default=[],
        metavar="PARTNER_ID:CLONE_GROUP_ID",
        help="create a partner enterprise and its clone group in ExpoePartner (repeatable)",
    )
    parser.add_argument("--preload-demo", action="store_true", help="preload ACME01 with ACME01-CLONE")
    parser.add_argument(
        "--set-fault",
        action="append",
        default=[],
        metavar="KIND[:COUNT[:REQUEST]]",
        help=f"write the faults file and exit; KIND is one of {', '.join(FAULT_KINDS)} (delay: 5 s)",
    )
    parser.add_argument("--clear-faults", action="store_true", help="empty the faults file and exit")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")

    faults_path = Path(args.faults) if args.faults else faults_path_for(args.state)
    if args.set_fault or args.clear_faults:
        write_faults(faults_path, [_parse_fault(f) for f in args.set_fault])
        print(f"faults written to {faults_path}")
        return 0

    password = os.environ.get("BROADWORKS_SIM_PASSWORD", DEFAULT_ADMIN_PASSWORD)
    server = OCIPSimulator(
        (args.host, args.port),
        state_path=args.state,
        admins={args.admin_user: password},
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        faults_path=faults_path,
    )
    if args.preload_demo:
        preload_demo(server.state)
    for item in args.preload_partner:
        partner_id, _, clone_group_id = item.partition(":")
        server.state.preload_partner(partner_id, clone_group_id or f"{partner_id}-CLONE")

    def _stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    logger.info(
        "BroadWorks OCI-P simulator on %s:%d (%s), state %s, faults %s, login user %s",
        server.host,
        server.port,
        "TLS" if server.ssl_context else "plain TCP",
        args.state,
        faults_path,
        args.admin_user,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
