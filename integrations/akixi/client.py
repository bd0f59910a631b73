"""The Akixi gateway (K1-K4): what the build steps call on `platforms.akixi`, over Akixi's CCS REST v1.

Two modes (setting AKIXI_MODE), as for Call Cabinet:

- "api" (default): `AkixiGateway` speaks to Akixi: its documented login and users endpoint, and our
  assumed contract where Akixi documents nothing (reseller accounts, partitions, synchronisation,
  the user read's path). Each assumption is one named constant below, with its line in
  docs/integrations.md.
- "manual": `AkixiManualGateway` sends nothing. Each create fails with the exact values a
  co-ordinator types into Akixi; once they confirm, the finding method returns what they confirmed
  and the build step completes.

The fixed values of the onboarding guide are set here and nowhere else: a caller passes what differs
per customer (names, IDs, the licence, the partition) and can never pass a telephony server type, a
role or a scope. In particular there is no parameter that could give a customer's reporting user
"Any Partition" (K4, Akixi's -1); a value that looks like it is refused before anything is sent.

Settings (read with getattr, so a missing one falls back to the simulator `make run` starts):
AKIXI_BASE_URL (e.g. http://127.0.0.1:8602/CCS/API/v1), AKIXI_TIMEOUT (seconds); the login:
AKIXI_API_KEY (the `x-api-key` header) or, when it is empty, AKIXI_USERNAME and AKIXI_PASSWORD (the
session login, HTTPS only); every reporting user's scope: AKIXI_TELSYS_ID, AKIXI_CM_ENVIRONMENT_ID;
AKIXI_MODE ("api" | "manual") and for manual mode AKIXI_CONFIRMED_RESELLER,
AKIXI_CONFIRMED_PARTITION, AKIXI_CONFIRMED_USER (dotted paths to the portal's functions that say what
co-ordinators confirmed; dotted, so this package imports no domain app). To use the mode switch,
point AKIXI_GATEWAY at `integrations.akixi.client.akixi_gateway`.

Every call goes through the shared REST transport (integrations/rest.py: timeouts, the ExternalCall
row, error mapping), which also holds the reseller account calls (K1).
"""

import base64
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

from integrations.base import REDACTED, IntegrationError, PermanentError, TransientError, recorded_call
from integrations.manual import nothing_confirmed
from integrations.rest import Json, RestGateway, segment

# Manual mode lives in manual.py; its instructions stay importable from here (the build steps show them).
from .manual import AkixiManualGateway
from .manual import manual_partition_instructions as manual_partition_instructions
from .manual import manual_reseller_instructions as manual_reseller_instructions
from .manual import manual_sync_instructions as manual_sync_instructions
from .manual import manual_user_instructions as manual_user_instructions
from .rules import (
    ANY_ID,
    PARTITION_FIXED,
    REPORTING_USER_ASSUMED,
    REPORTING_USER_FLAGS,
    SYNC_FAILED,
    SYNC_STATES,
    not_one_partition,
)

logger = logging.getLogger(__name__)

AUTH_DOC = "https://akixi.dev/2.2.5.7/api/external/rest/v1/endpoints/auth/auth.html"
USERS_DOC = "https://akixi.dev/3.2/api/external/rest/v1/endpoints/users/users.html"

# Documented by Akixi (AUTH_DOC, USERS_DOC) -------------------------------------------------------------
SESSION_PATH = "/session"  # POST, no body -> {"Nonce", "SessionID"}
LOGIN_PATH = "/login"  # GET ?locale=, HTTP Basic, the SessionID as JSESSIONID cookie
LOGIN_LOCALE = "en_GB"  # en_GB or en_US
SESSION_COOKIE = "JSESSIONID"
LOGOUT_PATH = "/logout"  # the third step Akixi lists; GET with the cookie as a third-party client does
USER_ADD_PATH = "/admin/user"  # POST, Content-Type: application/json
DEFAULT_LANG = "en_GB"  # the example's DefaultLang
ALL = "All"  # Scope.DeviceNumber / AgentNumber: K4's device and agent "any"
CXI_LICENSE_TYPE = "NONE"  # the example's value; K4 asks for no CX licence
TIME_ZONE = None  # the example's value: the instance's time zone
LOCK_OUT = False

# Assumed: Akixi documents none of these (each has its line in docs/integrations.md) ---------------------
USER_INFO_PATH = "/admin/user/{username}"  # "Info – Get the User by Name": the path is not published
USER_DUPLICATE_STATUS = 409  # what Add answers for a taken Username
OTHER_SESSIONS_ACTIVE = "other browser sessions active"  # a login refused (400) while another session lives
REPORTING_ACCESS = "All"  # Scope.ReportingAccess for a reporting user (the example's "None" is an integrator's)
CALL_REC_INT_ID = None  # Scope.CallRecIntID: no call recording integration
SYNCHRONISE_SUPERVISOR_PERMISSIONS = False  # K4 gives a user its permissions; nothing is copied from BroadWorks
DEFAULT_TELSYS_ID = 1  # AKIXI_TELSYS_ID: the one Telephony Server holding every customer partition
DEFAULT_CM_ENVIRONMENT_ID = "akixi-sim-environment"  # AKIXI_CM_ENVIRONMENT_ID: opaque, per Akixi instance
RESELLERS_PATH = "/resellers"  # K1
PARTITIONS_PATH = "/partitions"  # K2: `?groupId=` to find; `/{Id}` carries `syncStatus` (K3)
PARTITION_SYNC_PATH = "/partitions/{partition}/sync"  # K3: "Perform synchronisation now"
LAST_SYNC_COMPLETED = "lastSyncCompletedAt"  # K3: on the partition, ISO 8601, when its last sync completed
# After the build (#15): Users "Update", "Delete", "List" and Partition "Delete" are documented
# operations; their paths, verbs and bodies are not published.
USER_PATH = USER_INFO_PATH  # PUT (Update: the fields to change, the Scope whole) and DELETE
USERS_PATH = USER_ADD_PATH  # GET (List), filtered by USER_PARTITION_FILTER -> {"users": [...]}
USER_PARTITION_FILTER = "PartIDInTelSys"  # the users whose Scope names this partition

MODE_API = "api"
MODE_MANUAL = "manual"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def new_password() -> str:
    """A first password nobody sees: the user sets their own (PasswordChgRequired, the welcome
    email). The form of the documented example (16 random bytes, base64). Never stored or logged."""
    return base64.b64encode(secrets.token_bytes(16)).decode("ascii")


class AkixiGateway(RestGateway):
    """Reseller accounts (K1: `reseller_exists`, `add_reseller`, from RestGateway), one partition per
    customer (K2), its synchronisation (K3) and reporting users limited to that partition (K4)."""

    platform = "akixi"
    label = "Akixi"
    setting_prefix = "AKIXI"
    default_base_url = "http://127.0.0.1:8602/CCS/API/v1"
    default_api_key = ""
    default_timeout = 30.0
    resellers_path = RESELLERS_PATH

    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float | None = None,
        username: str | None = None,
        password: str | None = None,
        telsys_id: int | None = None,
        cm_environment_id: str | None = None,
    ) -> None:
        super().__init__(base_url=base_url, api_key=api_key, timeout=timeout)
        self._username: str = username if username is not None else getattr(settings, "AKIXI_USERNAME", "")
        self._password: str = password if password is not None else getattr(settings, "AKIXI_PASSWORD", "")
        self.telsys_id = int(
            telsys_id if telsys_id is not None else getattr(settings, "AKIXI_TELSYS_ID", DEFAULT_TELSYS_ID)
        )
        self.cm_environment_id: str = (
            cm_environment_id
            if cm_environment_id is not None
            else getattr(settings, "AKIXI_CM_ENVIRONMENT_ID", DEFAULT_CM_ENVIRONMENT_ID)
        )
        self._session_id: str | None = None

    # The login: x-api-key, or a session (POST /session, GET /login, the cookie, GET /logout) ---------

    @property
    def uses_session(self) -> bool:
        """No API key: the documented session login with AKIXI_USERNAME / AKIXI_PASSWORD."""
        return not self._api_key

    def _credential_settings(self) -> str:
        return "AKIXI_USERNAME and AKIXI_PASSWORD" if self.uses_session else "AKIXI_API_KEY"

    def _missing_credentials(self) -> str:
        if self._api_key or (self._username and self._password):
            return ""
        return "AKIXI_API_KEY (or AKIXI_USERNAME and AKIXI_PASSWORD for the session login)"

    def _auth_headers(self) -> dict[str, str]:
        if self._api_key:
            return {self.api_key_header: self._api_key}
        return {"Cookie": f"{SESSION_COOKIE}={self._session_id}"} if self._session_id else {}

    @contextmanager
    def _signed_in(self) -> Iterator[None]:
        """With an API key, nothing to do. Otherwise one session around the block: created, logged in,
        and logged out after it whatever happens (Akixi refuses a login while another session of the
        user lives). Re-entrant: a method making several calls makes them in one session."""
        if not self.uses_session or self._session_id is not None:
            yield
            return
        missing = "AKIXI_BASE_URL" if not self.base_url else self._missing_credentials()
        if missing:
            raise PermanentError(f"{self.label} is not configured: set {missing}.")
        host = urlsplit(self.base_url).hostname
        if not self.base_url.startswith("https://") and host not in LOOPBACK:
            raise PermanentError(
                "Akixi's session login sends HTTP Basic credentials, and Akixi documents HTTPS only: "
                "AKIXI_BASE_URL must start with https://.",
                code="not_https",
            )
        created = self._session_call("session_create", "POST", SESSION_PATH)
        session_id = created.get("SessionID")
        if not isinstance(session_id, str) or not session_id:
            raise PermanentError("Akixi answered POST /session without a SessionID; check AKIXI_BASE_URL.")
        self._session_id = session_id
        try:
            self._session_call(
                "login", "GET", LOGIN_PATH, params={"locale": LOGIN_LOCALE}, auth=(self._username, self._password)
            )
            yield
        finally:
            try:
                self._session_call("logout", "GET", LOGOUT_PATH)
            except IntegrationError as exc:  # recorded in its row; the work itself is done (or failed)
                logger.warning("Akixi logout failed: %s", exc)
            self._session_id = None

    def _session_call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> Json:
        """One step of the login, recorded like any call, without the credentials or the SessionID.
        Akixi documents no body for a login or logout, so none is required."""
        record: Json = {"method": method, "path": path}
        if params:
            record["query"] = params
        with recorded_call(platform=self.platform, operation=operation, target=self._username, request=record) as call:
            response = self._send(operation, method, path, params=params, body=None, auth=auth)
            try:
                payload = response.json()
            except ValueError:
                payload = None
            body = payload if isinstance(payload, dict) else {}
            kept = {key: (REDACTED if key in ("SessionID", "Nonce") else value) for key, value in body.items()}
            call.response = {"status": response.status_code, "body": kept}
            logger.info("Akixi %s %s %s -> %s", operation, method, path, response.status_code)
            if 200 <= response.status_code < 300:
                return body
            message = str(body.get("Message") or "")
            if operation == "login" and response.status_code == 400 and OTHER_SESSIONS_ACTIVE in message.lower():
                raise TransientError(
                    f"Akixi refused the login while another session of {self._username} is open: {message}",
                    code="session_busy",
                )
            raise self._error(response.status_code, payload, response.reason_phrase)

    def _error_message(self, body: Json, reason: str, status: int) -> str:
        """Akixi's error body is `{"Message"}` (the simulator's injected faults say `message`)."""
        return str(body.get("Message") or body.get("message") or reason or f"HTTP {status}")

    # K2 ------------------------------------------------------------------------------------------

    def _partition_for_group(self, group_id: str, operation: str) -> Json | None:
        partitions = self._find_for_group(
            operation, PARTITIONS_PATH, listed="partitions", group_field="GroupId", group_id=group_id
        )
        if not partitions:
            return None
        if len(partitions) > 1:
            ids = ", ".join(str(p.get("Id")) for p in partitions)
            raise PermanentError(f"Akixi has {len(partitions)} partitions for group {group_id} ({ids}); K2 allows one.")
        partition = partitions[0]
        wrong = [f"{k} is {partition[k]!r}" for k, v in PARTITION_FIXED.items() if k in partition and partition[k] != v]
        if wrong:
            raise PermanentError(
                f"Akixi partition {partition.get('Id')} for group {group_id} was not made as K2 requires "
                f"({'; '.join(wrong)}); correct it in Akixi, then retry."
            )
        return partition

    def find_partition(self, group_id: str) -> int | None:
        """The Id of the customer group's partition, or None."""
        partition = self._partition_for_group(group_id, "find_partition")
        return partition["Id"] if partition else None

    def add_partition(
        self, *, description: str, billing_id: str, licensed_for: str, provider_id: str, group_id: str
    ) -> int:
        """K2: the partition with the guide's fixed values; returns its Id. If the group already has a
        partition of the same partner and billing ID (say our earlier attempt timed out after Akixi
        made it), that one is returned; any other clash is refused."""
        body = {
            "Description": description,
            "BillingId": billing_id,
            "LicensedFor": licensed_for,
            "EnterpriseOrProviderId": provider_id,
            "GroupId": group_id,
            **PARTITION_FIXED,
        }
        with self._signed_in():
            status, payload = self._request(
                "add_partition", "POST", PARTITIONS_PATH, target=f"{provider_id}/{group_id}", body=body, accept=(409,)
            )
            if status != 409:
                return payload["Id"]
            existing = self._partition_for_group(group_id, "find_partition")
        if existing is None:
            raise PermanentError(f"Akixi: {_message(payload) or 'duplicate partition'}", code="duplicate")
        if existing.get("EnterpriseOrProviderId") != provider_id or existing.get("BillingId") != billing_id:
            raise PermanentError(
                f"Akixi already has partition {existing.get('Id')} for group {group_id}, but for provider "
                f"{existing.get('EnterpriseOrProviderId')} / billing ID {existing.get('BillingId')}; "
                "sort this out in Akixi before retrying.",
                code="duplicate",
            )
        return existing["Id"]

    # K3 ------------------------------------------------------------------------------------------

    def sync_status(self, partition: Any) -> str:
        """ "pending", "in_progress", "completed" or whatever else Akixi says (then ask for a sync)."""
        partition_id = _partition_id(partition, "sync_status")
        _, payload = self._request("sync_status", "GET", f"{PARTITIONS_PATH}/{partition_id}", target=str(partition_id))
        return str(payload.get("syncStatus") or "unknown")

    def request_sync(self, partition: Any) -> str:
        """ "Perform synchronisation now"; Akixi ignores it while a sync is under way."""
        partition_id = _partition_id(partition, "request_sync")
        path = PARTITION_SYNC_PATH.format(partition=partition_id)
        _, payload = self._request("request_sync", "POST", path, target=str(partition_id))
        return str(payload.get("syncStatus") or "unknown")

    def sync_state(self, partition: Any) -> dict[str, Any]:
        """K3, for "synchronise now": `{"status": "pending" | "in_progress" | "completed" | "failed",
        "completed_at": when the partition's last sync completed (aware, UTC) | None}`. A change that
        asked for a sync at T is done once the status is "completed" with `completed_at` after T (an
        earlier completion is still shown while the new sync runs). A status Akixi gives that is none
        of the four reads as "failed": the sync is not known to have completed, so ask again."""
        partition_id = _partition_id(partition, "sync_state")
        _, payload = self._request("sync_state", "GET", f"{PARTITIONS_PATH}/{partition_id}", target=str(partition_id))
        status = str(payload.get("syncStatus") or "").strip().lower().replace(" ", "_").replace("-", "_")
        return {
            "status": status if status in SYNC_STATES else SYNC_FAILED,
            "completed_at": _utc(payload.get(LAST_SYNC_COMPLETED), LAST_SYNC_COMPLETED),
        }

    def partition_info(self, partition: Any) -> dict[str, Any] | None:
        """K2, read back (reconciliation): the partition's values, or None when Akixi has no such
        partition."""
        partition_id = _partition_id(partition, "partition_info")
        status, payload = self._request(
            "partition_info", "GET", f"{PARTITIONS_PATH}/{partition_id}", target=str(partition_id), accept=(404,)
        )
        if status == 404:
            return None
        return {
            "description": payload.get("Description"),
            "billing_tag": payload.get("BillingId"),
            "licence": payload.get("LicensedFor"),
            "provider_id": payload.get("EnterpriseOrProviderId"),
            "group_id": payload.get("GroupId"),
            "server_type": payload.get("TelephonyServerType"),
            "sync_type": payload.get("SynchronisationType"),
            "maintain_parity": payload.get("MaintainParity"),
        }

    def delete_partition(self, partition: Any) -> None:
        """Decommissioning: the partition deleted (Partition "Delete"). One already gone is done.
        Delete its users first: the simulator refuses a partition a user's Scope still names."""
        partition_id = _partition_id(partition, "delete_partition")
        path = f"{PARTITIONS_PATH}/{partition_id}"
        self._request("delete_partition", "DELETE", path, target=str(partition_id), accept=(404,))

    # K4 ------------------------------------------------------------------------------------------

    def user_exists(self, username: str) -> bool:
        """Akixi's "Info – Get the User by Name" (the read before the add)."""
        status, _ = self._request("user_exists", "GET", _user_path(username), target=username, accept=(404,))
        return status != 404

    def reporting_user_body(self, *, username: str, full_name: str, email: str, partition_id: int) -> Json:
        """K4 through the documented Add body: the three flags on, device and agent "All", and the
        scope of this one partition in our Telephony Server, never -1 ("Any Partition"). Role,
        reporting level and default reports go in fields of our own (REPORTING_USER_ASSUMED)."""
        return {
            "FullName": full_name,
            "EmailAddr": email,
            "Username": username,
            "DefaultLang": DEFAULT_LANG,
            "Password": new_password(),
            "PasswordChgRequired": REPORTING_USER_FLAGS["PasswordChgRequired"],
            "LockOut": LOCK_OUT,
            "SendWelcomeEmail": REPORTING_USER_FLAGS["SendWelcomeEmail"],
            "EnableMFA": REPORTING_USER_FLAGS["EnableMFA"],
            "SynchroniseSupervisorPermissions": SYNCHRONISE_SUPERVISOR_PERMISSIONS,
            "TimeZone": TIME_ZONE,
            "Scope": {
                "CMEnvironmentID": self.cm_environment_id,
                "TelSysID": [self.telsys_id],
                "PartIDInTelSys": [partition_id],
                "DeviceNumber": ALL,
                "AgentNumber": ALL,
                "ReportingAccess": REPORTING_ACCESS,
                "CallRecIntID": CALL_REC_INT_ID,
                "CXILicenseType": CXI_LICENSE_TYPE,
            },
            **REPORTING_USER_ASSUMED,
        }

    def add_reporting_user(self, *, username: str, full_name: str, email: str, partition: Any) -> str:
        """K4: a reporting-only user of exactly this one partition, with the guide's fixed settings.
        There is no way to ask for "Any Partition" (partner staff only); a partition that is not one
        partition Id is refused before anything is sent. A user of that name already on this
        partition (an earlier attempt that timed out) counts as done; one elsewhere is refused."""
        partition_id = _partition_id(partition, "add_reporting_user")
        if self.telsys_id <= 0:
            raise PermanentError(f"AKIXI_TELSYS_ID must be a Telephony Server's ID, not {self.telsys_id} (K4).")
        body = self.reporting_user_body(username=username, full_name=full_name, email=email, partition_id=partition_id)
        with self._signed_in():
            status, payload = self._request(
                "add_reporting_user", "POST", USER_ADD_PATH, target=username, body=body, accept=(USER_DUPLICATE_STATUS,)
            )
            if status != USER_DUPLICATE_STATUS:
                return username
            _, existing = self._request("find_user", "GET", _user_path(username), target=username, accept=(404,))
        scope = existing.get("Scope") or {}
        ours = scope.get("PartIDInTelSys") == [partition_id] and scope.get("TelSysID") == [self.telsys_id]
        if ours and existing.get("Role") == REPORTING_USER_ASSUMED["Role"]:
            return username
        raise PermanentError(
            f"Akixi: {_message(payload) or 'duplicate user'} (usernames are unique across Akixi, K4); "
            "choose another username.",
            code="duplicate",
        )

    def reporting_user(self, username: str) -> dict[str, Any] | None:
        """K4, read back (reconciliation): `{"username", "full_name", "email", "any_partition",
        "partition_ids"}`, or None when Akixi has no such user. `any_partition` is true when the
        Scope has -1 ("any") for the partition or the Telephony Server: either way the user is not
        held to named partitions of ours (K4 allows that to partner staff only)."""
        status, payload = self._request("reporting_user", "GET", _user_path(username), target=username, accept=(404,))
        return None if status == 404 else _reporting_user(payload)

    def partition_users(self, partition: Any) -> list[str]:
        """K4, read back: the usernames of every user whose Scope names this partition, sorted."""
        partition_id = _partition_id(partition, "partition_users")
        _, payload = self._request(
            "partition_users",
            "GET",
            USERS_PATH,
            target=str(partition_id),
            params={USER_PARTITION_FILTER: str(partition_id)},
        )
        # Only those that really name it, whatever the filter did.
        return sorted(
            str(user.get("Username"))
            for user in payload.get("users") or []
            if partition_id in ((user.get("Scope") or {}).get("PartIDInTelSys") or [])
        )

    def restrict_reporting_user(self, username: str, partition: Any) -> None:
        """K4 restored: the user's Scope set back to this one partition of our Telephony Server
        (Users "Update", the Scope sent whole: as read, with those two changed). Reads first; a user
        already so scoped is left alone (a repeat writes nothing). A user Akixi does not have, or
        one that is not a customer's reporting user (partner staff keep "Any Partition"), is
        refused."""
        partition_id = _partition_id(partition, "restrict_reporting_user")
        with self._signed_in():
            status, user = self._request(
                "restrict_reporting_user", "GET", _user_path(username), target=username, accept=(404,)
            )
            if status == 404:
                raise PermanentError(f"Akixi has no user {username} to restrict (K4).", code="not_found")
            role = user.get("Role")
            if role is not None and role != REPORTING_USER_ASSUMED["Role"]:
                raise PermanentError(
                    f"Akixi user {username} is a {role!r}, not a customer's reporting user: not restricted (K4).",
                    code="not_reporting_user",
                )
            scope = user.get("Scope") or {}
            if scope.get("PartIDInTelSys") == [partition_id] and scope.get("TelSysID") == [self.telsys_id]:
                return
            body = {"Scope": {**scope, "TelSysID": [self.telsys_id], "PartIDInTelSys": [partition_id]}}
            self._request("restrict_reporting_user", "PUT", _user_path(username), target=username, body=body)

    def delete_reporting_user(self, username: str) -> None:
        """Decommissioning: the user deleted (Users "Delete"). One already gone is done."""
        self._request("delete_reporting_user", "DELETE", _user_path(username), target=username, accept=(404,))


def _reporting_user(user: Json) -> dict[str, Any]:
    scope = user.get("Scope") or {}
    partitions = [p for p in scope.get("PartIDInTelSys") or [] if isinstance(p, int)]
    return {
        "username": user.get("Username"),
        "full_name": user.get("FullName"),
        "email": user.get("EmailAddr"),
        "any_partition": ANY_ID in partitions or ANY_ID in (scope.get("TelSysID") or []),
        "partition_ids": sorted(p for p in partitions if p != ANY_ID),
    }


def _utc(value: object, field: str) -> datetime | None:
    """An ISO 8601 time from Akixi as an aware UTC datetime (one without an offset taken as UTC)."""
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise PermanentError(f"Akixi answered {field}={value!r}, which is not an ISO 8601 time.") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _message(payload: Json) -> str:
    return str(payload.get("Message") or payload.get("message") or "")


def _user_path(username: str) -> str:
    return USER_INFO_PATH.format(username=segment(username))


def _partition_id(partition: Any, operation: str) -> int:
    """One partition Id, or PermanentError (K4: never "Any Partition", never several)."""
    if isinstance(partition, str) and partition.strip().isdigit():
        partition = int(partition.strip())
    if isinstance(partition, int) and not isinstance(partition, bool) and partition > 0:
        return partition
    raise not_one_partition(partition, operation)


def akixi_gateway() -> AkixiGateway | AkixiManualGateway:
    """The gateway AKIXI_MODE asks for ("api" unless set)."""
    mode = str(getattr(settings, "AKIXI_MODE", MODE_API) or MODE_API).strip().lower()
    if mode == MODE_API:
        return AkixiGateway()
    if mode == MODE_MANUAL:
        # What co-ordinators confirmed is kept by the portal; the gateway only asks for it.
        default = f"{__name__}.{nothing_confirmed.__name__}"
        return AkixiManualGateway(
            confirmed_reseller=import_string(getattr(settings, "AKIXI_CONFIRMED_RESELLER", default)),
            confirmed_partition=import_string(getattr(settings, "AKIXI_CONFIRMED_PARTITION", default)),
            confirmed_user=import_string(getattr(settings, "AKIXI_CONFIRMED_USER", default)),
        )
    raise PermanentError(f'AKIXI_MODE must be "{MODE_API}" or "{MODE_MANUAL}", not "{mode}".')
