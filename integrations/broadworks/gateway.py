"""The BroadWorks gateway: what the build steps and partner onboarding ask of BroadWorks, as plain
synchronous methods, spoken over OCI-P with mercury-ocip-fast.

Every request goes through `BroadWorksGateway._call`, which:
- records it (`recorded_call`: an ExternalCall row saved before the call, completed after it) with
  the request's fields minus anything secret;
- sends it on a logged-in session the process keeps (sessions.py: no login per call);
- turns what comes back into TransientError (retry) or PermanentError (stop, show the reason).

The client library is imported lazily, once per process (`ocip.load`): the import takes seconds;
ocip.py also holds how the requests are described and the answers read. The settings are read by
name (`getattr(settings, NAME, default)`), see `BroadWorksGateway`.
"""

from __future__ import annotations

import re
import ssl
from types import SimpleNamespace
from typing import Any
from xml.parsers.expat import ExpatError

from integrations.base import PermanentError, TransientError, recorded_call, redact

from . import ocip
from .group_changes import VOICE_MESSAGING_GROUP, GroupChangeCalls
from .numbers import NumberCalls
from .ocip import as_list, authorised, describe, dn, e164, is_true, quantity
from .service_providers import ServiceProviderCalls
from .sessions import SESSIONS

PLATFORM = "broadworks"

# What add_group_from_template copies from the partner's clone group (G2), read with Get requests
# and written in one GroupConsolidatedAddRequest. `group_template` returns exactly these keys.
# Not copied, because they belong to the new customer rather than the template: the group name
# (G4) and default domain (G5), which come from the build request, the default extension length
# (from the build request too), the calling line ID name and number (B1 is its own step),
# contact, address, location dialing code, numbers (N1), admins (A1) and voice portal settings (V1).
CLONED_SETTINGS = (
    "domains",  # every domain assigned to the template group (GroupDomainGetAssignedListRequest)
    "extension_lengths",  # min and max (GroupExtensionLengthGetRequest22), widened to fit the requested default
    "user_limit",  # GroupGetRequest24
    "time_zone",  # GroupGetRequest24
    "group_services",  # each authorised group service: quantity, and whether it is assigned
    "user_services",  # each authorised user service: quantity
    "service_packs",  # each authorised service pack: quantity
)

# An ErrorResponse is a refusal (permanent) unless its summary says the platform could not do it
# right now. BroadWorks' own wording is not pinned down (see README.md, "Ours, not BroadWorks'"):
# these are matched case-insensitively in the summary, and nothing else is retried.
TRANSIENT_ERROR_PATTERNS = (
    "not logged in",
    "invalid session",
    "session expired",
    "internal error",
    "busy",
    "try again",
)
# A kept session the platform ended without closing the connection: it is dropped (sessions.py).
SESSION_ENDED = ("not logged in", "invalid session", "session expired")
NOT_FOUND = re.compile(r"\bnot found\b", re.IGNORECASE)

LOGIN_FAILED = "BroadWorks login failed: check BROADWORKS_USERNAME/PASSWORD"


class BroadWorksGateway(ServiceProviderCalls, NumberCalls, GroupChangeCalls):
    """BroadWorks over OCI-P. Settings (each read with a default, so nothing breaks before they exist):

    - BROADWORKS_HOST (default "127.0.0.1"), BROADWORKS_PORT (2208)
    - BROADWORKS_USERNAME ("portal-admin"), BROADWORKS_PASSWORD ("")
    - BROADWORKS_TLS (False): True logs in with LoginRequest22V5 over TLS (real platforms: port 2209);
      False uses the nonce login over plain TCP (the simulator).
    - BROADWORKS_TIMEOUT (30): seconds to connect, and to wait for each reply.
    - CLONE_SERVICE_PROVIDER_ID ("ExpoePartner"): where clone groups live (G1).

    Constructor arguments override the settings (tests)."""

    def __init__(
        self,
        *,
        host: str | None = None,
        port: int | None = None,
        username: str | None = None,
        password: str | None = None,
        tls: bool | None = None,
        timeout: float | None = None,
        clone_service_provider_id: str | None = None,
    ) -> None:
        from django.conf import settings

        def pick(value: Any, name: str, default: Any) -> Any:
            return value if value is not None else getattr(settings, name, default)

        self.host: str = pick(host, "BROADWORKS_HOST", "127.0.0.1")
        self.port = int(pick(port, "BROADWORKS_PORT", 2208))
        self.username: str = pick(username, "BROADWORKS_USERNAME", "portal-admin")
        self._password: str = pick(password, "BROADWORKS_PASSWORD", "")
        self.tls = bool(pick(tls, "BROADWORKS_TLS", False))
        self.timeout = float(pick(timeout, "BROADWORKS_TIMEOUT", 30))
        # Logged-in sessions the process keeps open at most (one per thread calling at once).
        self.sessions = int(pick(None, "BROADWORKS_SESSIONS", 4))
        self.clone_service_provider_id: str = pick(
            clone_service_provider_id, "CLONE_SERVICE_PROVIDER_ID", "ExpoePartner"
        )

    def __repr__(self) -> str:
        return f"BroadWorksGateway({self.username}@{self.host}:{self.port}, tls={self.tls})"

    # -- the one way out ----------------------------------------------------------------------------
    def _call(self, operation: str, target: str, requests: Any, *, not_found: bool = False) -> Any:
        """Send one request, or a list of them in one document; return the response(s).

        Every ErrorResponse raises (see TRANSIENT_ERROR_PATTERNS), except that with `not_found=True`
        a single "... not found" refusal returns None: the question "does it exist?" got its answer."""
        library = ocip.load()
        batch = isinstance(requests, list | tuple)
        listed_requests = list(requests) if batch else [requests]
        described = {"requests": describe(listed_requests)}
        # OCI-P names every request that only reads "...Get...Request" (GroupGetRequest24,
        # GroupDnGetAssignmentListRequest18); everything else adds, modifies or deletes.
        read = all("Get" in type(r).__name__ for r in listed_requests)
        with recorded_call(platform=PLATFORM, operation=operation, target=target, request=described, read=read) as call:
            responses = self._send(library, list(requests) if batch else requests)
            listed = as_list(responses) if batch else [responses]
            call.response = {"responses": [self._summary(library, r) for r in listed]}
            for response in listed:
                if isinstance(response, library.ErrorResponse):
                    summary = redact(response.summary or response.summary_english or "ErrorResponse")
                    code = "" if response.error_code is None else str(response.error_code)
                    if not_found and not batch and NOT_FOUND.search(summary):
                        call.response["not_found"] = True
                        return None
                    if any(p in summary.lower() for p in SESSION_ENDED):
                        SESSIONS.reset(self._session_key())  # the platform ended it: log in afresh
                    if any(p in summary.lower() for p in TRANSIENT_ERROR_PATTERNS):
                        raise TransientError(summary, code=code)
                    raise PermanentError(summary, code=code)
            return listed if batch else responses

    def _session_key(self) -> tuple[Any, ...]:
        return (self.host, self.port, self.username, self._password, self.tls, self.timeout, self.sessions)

    def _send(self, library: SimpleNamespace, requests: Any) -> Any:
        def make_client() -> Any:
            return library.Client(
                host=self.host,
                port=self.port,
                username=self.username,
                password=self._password,
                atom_type=library.Atom,
                session_config=library.TCPSessionSettings(connect_timeout=self.timeout, read_timeout=self.timeout),
                pool_config=library.SessionPoolSettings(max_size=self.sessions, acquire_timeout=self.timeout),
                tls=self.tls,
            )

        try:
            return SESSIONS.run(self._session_key(), make_client, requests, timeout=self.timeout * 4)
        except library.MErrorLogin as exc:
            raise PermanentError(f"{LOGIN_FAILED} ({redact(exc.message)})", code="login_failed") from exc
        except library.MError as exc:  # MErrorTransport and the rest: sockets, timeouts, unreadable replies
            cause = exc.__cause__
            if isinstance(cause, ssl.SSLCertVerificationError):  # configuration, not luck: do not retry
                message = f"BroadWorks TLS certificate not trusted: {cause.verify_message}"
                raise PermanentError(message, code="tls") from exc
            detail = redact(str(exc.message))[:300]  # a malformed reply's message is the whole reply
            raise TransientError(f"BroadWorks connection failed: {type(exc).__name__}: {detail}") from exc
        except ExpatError as exc:  # the library's error for a reply cut off mid-document
            raise TransientError(f"BroadWorks connection dropped mid-reply ({exc})") from exc
        except TimeoutError as exc:
            raise TransientError(f"BroadWorks did not answer within {self.timeout * 4:g} s") from exc
        except OSError as exc:
            raise TransientError(f"BroadWorks connection failed: {type(exc).__name__}: {exc}") from exc

    @staticmethod
    def _summary(library: SimpleNamespace, response: Any) -> dict[str, Any]:
        if isinstance(response, library.ErrorResponse):
            return {"type": "ErrorResponse", "error_code": response.error_code, "summary": response.summary}
        return {"type": type(response).__name__}

    def _group_call(self, operation: str, request_class: Any, sp: str, group_id: str, **fields: Any) -> Any:
        """One request about one group (named by `sp` and `group_id`), recorded against `sp/group_id`."""
        request = request_class(service_provider_id=sp, group_id=group_id, **fields)
        return self._call(operation, f"{sp}/{group_id}", request)

    # -- service providers (O2): the calls in service_providers.py, and the partner's clone group --
    def add_clone_group(self, clone_group_id: str, *, template_group_id: str, name: str) -> None:
        """O2: a new partner's clone group in the clone service provider (G1), copied from an existing
        template group there, with that template's default domain and extension lengths."""
        clones = self.clone_service_provider_id
        self._clone("add_clone_group", (clones, clone_group_id), (clones, template_group_id), name=name)

    # -- groups (G1-G5) ------------------------------------------------------------------------------
    def group_exists(self, sp: str, group_id: str) -> bool:
        c = ocip.load().c
        request = c.GroupGetListInServiceProviderRequest(
            service_provider_id=sp,
            search_criteria_group_id=[
                c.SearchCriteriaGroupId(mode="Equal To", value=group_id, is_case_insensitive=False)
            ],
        )
        response = self._call("group_exists", f"{sp}/{group_id}", request)
        return any(row.get("group_id") == group_id for row in response.group_table.to_dict())

    def group_id_owners(self, group_id: str) -> list[str]:
        """G3: the service providers that have a group with this ID, anywhere on the platform,
        compared ignoring case (as the portal keeps them unique)."""
        c = ocip.load().c
        request = c.GroupGetListInSystemRequest(
            search_criteria_group_id=[
                c.SearchCriteriaGroupId(mode="Equal To", value=group_id, is_case_insensitive=True)
            ]
        )
        response = self._call("group_id_owners", group_id, request)
        return sorted({row["organization_id"] for row in response.group_table.to_dict()})

    def group_profile(self, sp: str, group_id: str) -> dict[str, Any]:
        """Name, domains, limits and CLID of a group (GroupGetRequest24)."""
        c = ocip.load().c
        response = self._group_call("group_profile", c.GroupGetRequest24, sp, group_id)
        return {
            "name": response.group_name,
            "default_domain": response.default_domain,
            "user_limit": response.user_limit,
            "time_zone": response.time_zone,
            "calling_line_id_phone_number": e164(response.calling_line_id_phone_number),
        }

    def group_template(self, sp: str, group_id: str, *, operation: str = "group_template") -> dict[str, Any]:
        """The settings of a group that cloning copies (CLONED_SETTINGS), read in one document."""
        c = ocip.load().c
        key = {"service_provider_id": sp, "group_id": group_id}
        profile, lengths, domains, services = self._call(
            operation,
            f"{sp}/{group_id}",
            [
                c.GroupGetRequest24(**key),
                c.GroupExtensionLengthGetRequest22(**key),
                c.GroupDomainGetAssignedListRequest(**key),
                c.GroupServiceGetAuthorizationListRequest(**key),
            ],
        )
        return {
            "domains": list(dict.fromkeys([domains.group_default_domain, *as_list(domains.domain)])),
            "extension_lengths": {
                "min": lengths.min_extension_length,
                "max": lengths.max_extension_length,
                "default": lengths.default_extension_length,
            },
            "user_limit": profile.user_limit,
            "time_zone": profile.time_zone,
            "group_services": {
                row["service_name"]: {"quantity": quantity(row), "assigned": is_true(row.get("assigned"))}
                for row in authorised(services.group_services_authorization_table)
            },
            "user_services": {
                row["service_name"]: quantity(row) for row in authorised(services.user_services_authorization_table)
            },
            "service_packs": {
                row["service_pack_name"]: quantity(row)
                for row in authorised(services.service_packs_authorization_table)
            },
        }

    def add_group_from_template(
        self,
        *,
        service_provider_id: str,
        template_group_id: str,
        group_id: str,
        name: str,
        domain: str,
        extension_length: int,
        template_service_provider_id: str | None = None,
        extra_user_services: tuple[str, ...] = (),
    ) -> None:
        """G1-G5: read the partner's clone group (in the clone service provider, G1) and create the
        customer's group in the partner's service provider with its settings (CLONED_SETTINGS), the
        customer's name (G4) and default domain (G5), and `extension_length` as the default;
        `extra_user_services` are authorised too when the template lacks them (C6: Call Recording).
        Not idempotent by itself: the build step asks group_exists first (a duplicate is refused, G3)."""
        template = (template_service_provider_id or self.clone_service_provider_id, template_group_id)
        self._clone(
            "add_group_from_template",
            (service_provider_id, group_id),
            template,
            name=name,
            domain=domain,
            extension_length=extension_length,
            extra_user_services=extra_user_services,
        )

    def _clone(
        self,
        operation: str,
        new: tuple[str, str],
        template: tuple[str, str],
        *,
        name: str,
        domain: str | None = None,
        extension_length: int | None = None,
        extra_user_services: tuple[str, ...] = (),
    ) -> None:
        """The group `new` (service provider, group ID) made with GroupConsolidatedAddRequest from what
        `template` (service provider, group ID) has; without a domain or an extension length, the
        template's defaults."""
        c = ocip.load().c
        settings = self.group_template(*template, operation=operation)
        user_services = {**dict.fromkeys(extra_user_services), **settings["user_services"]}
        lengths = settings["extension_lengths"]
        default_length = extension_length or lengths["default"]
        domains = settings["domains"]
        default_domain = domain or domains[0]

        def quantity_of(amount: int | None) -> Any:
            return c.UnboundedPositiveInt(quantity=amount) if amount else c.UnboundedPositiveInt(unlimited=True)

        service_provider_id, group_id = new
        request = c.GroupConsolidatedAddRequest(
            service_provider_id=service_provider_id,
            group_id=group_id,
            group_name=name,
            default_domain=default_domain,
            domain=list(dict.fromkeys([default_domain, *domains])),
            user_limit=settings["user_limit"],
            time_zone=settings["time_zone"],
            min_extension_length=min(lengths["min"], default_length),
            max_extension_length=max(lengths["max"], default_length),
            default_extension_length=default_length,
            group_service_authorization_and_assignment=[
                c.GroupServiceAuthorizationAndAssignment(
                    service_name=service, authorized_quantity=quantity_of(s["quantity"]), assign=s["assigned"]
                )
                for service, s in settings["group_services"].items()
            ]
            or None,
            user_service_authorization=[
                c.UserServiceAuthorization(service_name=service, authorized_quantity=quantity_of(amount))
                for service, amount in user_services.items()
            ]
            or None,
            service_pack_authorization=[
                c.ServicePackAuthorization(service_pack_name=pack, authorized_quantity=quantity_of(amount))
                for pack, amount in settings["service_packs"].items()
            ]
            or None,
        )
        self._call(operation, f"{service_provider_id}/{group_id}", request)

    # -- business profile (B1) -----------------------------------------------------------------------
    def group_clid(self, sp: str, group_id: str) -> dict[str, Any]:
        """B1: the group's calling line ID number, and whether its users present it as their caller ID."""
        c = ocip.load().c
        key = {"service_provider_id": sp, "group_id": group_id}
        profile, clid = self._call(
            "group_clid", f"{sp}/{group_id}", [c.GroupGetRequest24(**key), c.GroupCallingLineIdGetRequest(**key)]
        )
        return {
            "number": e164(profile.calling_line_id_phone_number),
            "present_as_caller_id": is_true(clid.use_group_number),
        }

    def set_group_clid(self, sp: str, group_id: str, number: str, *, present_as_caller_id: bool = False) -> None:
        """B1: the business profile number, one of the group's own numbers (BroadWorks checks), and
        whether the group's users present it as their outbound caller ID (the guide's option): the
        profile and the calling line ID settings in one document."""
        if not number:
            raise PermanentError("A business profile number is required (B1).", code="B1")
        c = ocip.load().c
        key = {"service_provider_id": sp, "group_id": group_id}
        self._call(
            "set_group_clid",
            f"{sp}/{group_id}",
            [
                c.GroupModifyRequest(**key, calling_line_id_phone_number=dn(number)),
                c.GroupCallingLineIdModifyRequest(**key, use_group_number=present_as_caller_id),
            ],
        )

    # -- voice portal (V1, V2) -----------------------------------------------------------------------
    def enable_voice_portal(
        self, sp: str, group_id: str, *, number: str | None, extension: str | None, external_dial_in: bool
    ) -> None:
        """V1, V2: Voice Messaging Group authorised and assigned if it is not yet (read first), then
        the voice portal given its number and/or extension and made active. Safe to repeat."""
        if external_dial_in and not number:
            raise PermanentError("Dialling into voicemail from outside needs a voice portal number (V2).", code="V2")
        if not number and not extension:
            raise PermanentError("The voice portal needs a number or an extension (V1).", code="V1")
        c = ocip.load().c
        target, key = f"{sp}/{group_id}", {"service_provider_id": sp, "group_id": group_id}
        row = self._voice_messaging_group(sp, group_id, operation="voice_portal_services")
        missing = []
        if not is_true(row.get("authorized")):
            unlimited = c.UnboundedPositiveInt(unlimited=True)
            authorisation = c.GroupServiceAuthorization(
                service_name=VOICE_MESSAGING_GROUP, authorized_quantity=unlimited
            )
            missing.append(
                c.GroupServiceModifyAuthorizationListRequest(**key, group_service_authorization=[authorisation])
            )
        if not is_true(row.get("assigned")):
            missing.append(c.GroupServiceAssignListRequest(**key, service_name=[VOICE_MESSAGING_GROUP]))
        current = None
        if missing:
            self._call("enable_voice_portal", target, missing)
        else:
            current = self._voice_portal_now(sp, group_id)
            if current == {"active": True, "number": number or None, "extension": extension or None}:
                return  # already as wanted: a repeated step writes nothing
        # A number or extension the portal has and is no longer wanted is removed (xsi:nil): left
        # out of the request, BroadWorks would keep it (a change to an extension only, #15).
        nil = ocip.load().OCINil
        profile = c.ServiceInstanceModifyProfile(
            phone_number=dn(number) if number else (nil() if current and current["number"] else None),
            extension=extension or (nil() if current and current["extension"] else None),
        )
        self._group_call(
            "enable_voice_portal",
            c.GroupVoiceMessagingGroupModifyVoicePortalRequest,
            sp,
            group_id,
            service_instance_profile=profile,
            is_active=True,
        )

    # -- group administrators (A1, A2) ---------------------------------------------------------------
    def group_admin_exists(
        self, user_id: str, service_provider_id: str | None = None, group_id: str | None = None
    ) -> bool:
        """A1: is this user ID taken? With only the user ID: GroupAdminGetRequest22V3, system-wide, as
        A1 wants (the simulator implements it too). Given the group as well:
        whether the group's admin list has it (a user ID taken elsewhere then shows up as A1's
        refusal when it is added)."""
        c = ocip.load().c
        if service_provider_id and group_id:
            response = self._group_call("group_admin_exists", c.GroupAdminGetListRequest, service_provider_id, group_id)
            return any(row.get("administrator_id") == user_id for row in response.group_admin_table.to_dict())
        response = self._call(
            "group_admin_exists", user_id, c.GroupAdminGetRequest22V3(user_id=user_id), not_found=True
        )
        return response is not None

    def add_group_admin(
        self, sp: str, group_id: str, *, user_id: str, first_name: str, last_name: str, password: str
    ) -> None:
        """A1, A2: the password goes to BroadWorks and nowhere else: not in the ExternalCall row
        (`describe` leaves secret fields out), not in a log, not in an error."""
        c = ocip.load().c
        self._group_call(
            "add_group_admin",
            c.GroupAdminAddRequest,
            sp,
            group_id,
            user_id=user_id,
            first_name=first_name,
            last_name=last_name,
            password=password,
        )
