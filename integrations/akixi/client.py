"""The Akixi gateway (K1-K4): what the build steps call on `platforms.akixi`, over Akixi's CCS REST v1.

The fixed values of the onboarding guide are set here and nowhere else: a caller passes what differs
per customer (names, IDs, the licence, the partition) and can never pass a telephony server type, a
role or a partition permission. In particular there is no parameter that could give a customer's
reporting user "Any Partition" (K4); a value that looks like it is refused before anything is sent.

Settings (read with getattr, so a missing one falls back to the simulator `make run` starts):
AKIXI_BASE_URL (e.g. http://127.0.0.1:8602/CCS/API/v1), AKIXI_API_KEY, AKIXI_TIMEOUT (seconds).

`RestGateway` holds what the Call Cabinet gateway shares (one request method: timeouts, the
ExternalCall row, error mapping); it lives here only because this module came first.
"""

import logging
from functools import cache
from urllib.parse import quote

import httpx
from django.conf import settings

from integrations.base import PermanentError, TransientError, recorded_call

logger = logging.getLogger(__name__)

# K2: every partition is made with these; the caller cannot choose them.
TELEPHONY_SERVER_TYPE = "Service Provider Group"
SYNCHRONISATION_TYPE = "By Service Pack"
MAINTAIN_PARITY = True
PARTITION_FIXED = {
    "TelephonyServerType": TELEPHONY_SERVER_TYPE,
    "SynchronisationType": SYNCHRONISATION_TYPE,
    "MaintainParity": MAINTAIN_PARITY,
}

# K4: every customer reporting user is made with these; the caller cannot choose them.
ANY_PARTITION = "Any Partition"
ANY = "Any"
REPORTING_USER_FIXED = {
    "Role": "Reporting Only User",
    "ReportingLevel": "1000 Supervisor",
    "DefaultReports": "Standard Reports",
    "PasswordChangeRequired": True,
    "SendWelcomeEmail": True,
    "EnableMfa": True,
    "GroupPermission": ANY,
    "DevicePermission": ANY,
    "AgentPermission": ANY,
    "ResellerStaff": False,
}

SYNC_PENDING = "pending"
SYNC_IN_PROGRESS = "in_progress"
SYNC_COMPLETED = "completed"


class RestGateway:
    """A JSON-over-HTTPS platform behind an API key header. Subclasses name the platform and the
    settings; every call goes through `_request`."""

    platform = ""  # integrations.choices.Platform value
    label = ""  # how people name the platform in messages
    setting_prefix = ""  # AKIXI -> AKIXI_BASE_URL, AKIXI_API_KEY, AKIXI_TIMEOUT
    default_base_url = ""
    default_api_key = ""
    default_timeout = 30.0
    api_key_header = "x-api-key"

    def __init__(self, *, base_url: str | None = None, api_key: str | None = None, timeout: float | None = None):
        prefix = self.setting_prefix
        self.base_url = (
            base_url if base_url is not None else getattr(settings, f"{prefix}_BASE_URL", self.default_base_url)
        ).rstrip("/")
        self._api_key = api_key if api_key is not None else getattr(settings, f"{prefix}_API_KEY", self.default_api_key)
        self.timeout = float(
            timeout if timeout is not None else getattr(settings, f"{prefix}_TIMEOUT", self.default_timeout)
        )

    def __repr__(self):  # never shows the key
        return f"<{type(self).__name__} {self.base_url}>"

    def _request(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        target: str = "",
        params: dict | None = None,
        body: dict | None = None,
        accept: tuple[int, ...] = (),
    ) -> tuple[int, dict]:
        """One call, recorded as an ExternalCall row. Returns (status, JSON body) for a 2xx or for a
        status in `accept` (which the caller handles, e.g. 404 = "not there", 409 = "already there");
        raises TransientError for what may work later and PermanentError for a refusal."""
        if not self.base_url:
            raise PermanentError(f"{self.label} is not configured: set {self.setting_prefix}_BASE_URL.")
        if not self._api_key:
            raise PermanentError(f"{self.label} is not configured: set {self.setting_prefix}_API_KEY.")
        record = {"method": method, "path": path}
        if params:
            record["query"] = params
        if body is not None:
            record["body"] = body
        with recorded_call(platform=self.platform, operation=operation, target=target, request=record) as call:
            try:
                with httpx.Client(timeout=self.timeout, verify=_tls_context()) as client:
                    response = client.request(
                        method,
                        f"{self.base_url}{path}",
                        params=params,
                        json=body,
                        headers={self.api_key_header: self._api_key, "Accept": "application/json"},
                    )
            except httpx.TimeoutException as exc:
                raise TransientError(
                    f"{self.label} did not answer within {self.timeout:g} s ({operation}).", code="timeout"
                ) from exc
            except httpx.TransportError as exc:
                raise TransientError(
                    f"{self.label} could not be reached or dropped the connection ({operation}): {type(exc).__name__}.",
                    code="connection",
                ) from exc
            status = response.status_code
            payload = _json_body(response)
            call.response = {"status": status, "body": payload}
            logger.info("%s %s %s %s -> %s", self.label, operation, method, path, status)
            if 200 <= status < 300:
                if not isinstance(payload, dict):
                    raise PermanentError(
                        f"{self.label} answered {operation} with something other than JSON; "
                        f"check {self.setting_prefix}_BASE_URL.",
                        code="bad_response",
                    )
                return status, payload
            if status in accept:
                return status, payload if isinstance(payload, dict) else {}
            raise self._error(status, payload, response.reason_phrase)

    def _error(self, status: int, payload, reason: str):
        body = payload if isinstance(payload, dict) else {}
        message = str(body.get("message") or reason or f"HTTP {status}")
        for error in body.get("errors") or []:
            if not isinstance(error, dict):
                continue
            text = str(error.get("message") or "")
            if text and text not in message:
                field = error.get("field")
                message = f"{message}; {field}: {text}" if field else f"{message}; {text}"
        code = str(body.get("code") or status)
        if status >= 500 or status in (408, 429) or body.get("transient") is True:
            return TransientError(f"{self.label} is unavailable ({status}): {message}", code=code)
        if status == 401:
            return PermanentError(
                f"{self.label} refused our credentials ({status}): {message.rstrip('.')}. "
                f"Check {self.setting_prefix}_API_KEY.",
                code=code,
            )
        return PermanentError(f"{self.label}: {message}", code=code)


@cache
def _tls_context():
    """Built once: making one costs tens of milliseconds (it loads the CA bundle)."""
    return httpx.create_ssl_context()


def _json_body(response: httpx.Response):
    try:
        return response.json()
    except ValueError:
        return None


def _segment(value) -> str:
    return quote(str(value), safe="")


class AkixiGateway(RestGateway):
    """Reseller accounts (K1), one partition per customer (K2), its synchronisation (K3) and reporting
    users limited to that partition (K4)."""

    platform = "akixi"
    label = "Akixi"
    setting_prefix = "AKIXI"
    default_base_url = "http://127.0.0.1:8602/CCS/API/v1"
    default_api_key = ""
    default_timeout = 30.0

    # K1 ------------------------------------------------------------------------------------------

    def reseller_exists(self, partner_id: str) -> bool:
        status, _ = self._request(
            "reseller_exists", "GET", f"/resellers/{_segment(partner_id)}", target=partner_id, accept=(404,)
        )
        return status != 404

    def add_reseller(self, partner_id: str, name: str, email: str) -> str:
        """The partner's reseller account (Akixi sends the welcome email). Already there: done."""
        body = {"PartnerId": partner_id, "Name": name, "Email": email}
        status, payload = self._request(
            "add_reseller", "POST", "/resellers", target=partner_id, body=body, accept=(409,)
        )
        if status == 409 and not self.reseller_exists(partner_id):
            raise PermanentError(f"Akixi: {payload.get('message') or 'duplicate reseller'}", code="duplicate")
        return partner_id

    # K2 ------------------------------------------------------------------------------------------

    def _partition_for_group(self, group_id: str, operation: str) -> dict | None:
        _, payload = self._request(operation, "GET", "/partitions", target=group_id, params={"groupId": group_id})
        partitions = [p for p in payload.get("partitions") or [] if p.get("GroupId") == group_id]
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
        status, payload = self._request(
            "add_partition", "POST", "/partitions", target=f"{provider_id}/{group_id}", body=body, accept=(409,)
        )
        if status != 409:
            return payload["Id"]
        existing = self._partition_for_group(group_id, "find_partition")
        if existing is None:
            raise PermanentError(f"Akixi: {payload.get('message') or 'duplicate partition'}", code="duplicate")
        if existing.get("EnterpriseOrProviderId") != provider_id or existing.get("BillingId") != billing_id:
            raise PermanentError(
                f"Akixi already has partition {existing.get('Id')} for group {group_id}, but for provider "
                f"{existing.get('EnterpriseOrProviderId')} / billing ID {existing.get('BillingId')}; "
                "sort this out in Akixi before retrying.",
                code="duplicate",
            )
        return existing["Id"]

    # K3 ------------------------------------------------------------------------------------------

    def sync_status(self, partition) -> str:
        """ "pending", "in_progress", "completed" or whatever else Akixi says (then ask for a sync)."""
        partition_id = _partition_id(partition, "sync_status")
        _, payload = self._request("sync_status", "GET", f"/partitions/{partition_id}", target=str(partition_id))
        return str(payload.get("syncStatus") or "unknown")

    def request_sync(self, partition) -> str:
        """ "Perform synchronisation now"; Akixi ignores it while a sync is under way."""
        partition_id = _partition_id(partition, "request_sync")
        _, payload = self._request("request_sync", "POST", f"/partitions/{partition_id}/sync", target=str(partition_id))
        return str(payload.get("syncStatus") or "unknown")

    # K4 ------------------------------------------------------------------------------------------

    def user_exists(self, username: str) -> bool:
        status, _ = self._request("user_exists", "GET", f"/users/{_segment(username)}", target=username, accept=(404,))
        return status != 404

    def add_reporting_user(self, *, username: str, full_name: str, email: str, partition) -> str:
        """K4: a reporting-only user of exactly this one partition, with the guide's fixed settings.
        There is no way to ask for "Any Partition" (partner staff only); a partition that is not one
        partition Id is refused before anything is sent. A user of that name already on this
        partition (an earlier attempt that timed out) counts as done; one elsewhere is refused."""
        partition_id = _partition_id(partition, "add_reporting_user")
        body = {
            "Username": username,
            "FullName": full_name,
            "Email": email,
            **REPORTING_USER_FIXED,
            "PartitionPermission": [partition_id],
        }
        status, payload = self._request(
            "add_reporting_user", "POST", "/users", target=username, body=body, accept=(409,)
        )
        if status != 409:
            return username
        _, existing = self._request("find_user", "GET", f"/users/{_segment(username)}", target=username, accept=(404,))
        if existing.get("PartitionPermission") == [partition_id] and existing.get("ResellerStaff") is not True:
            return username
        raise PermanentError(
            f"Akixi: {payload.get('message') or 'duplicate user'} (usernames are unique across Akixi, K4); "
            "choose another username.",
            code="duplicate",
        )


def _partition_id(partition, operation: str) -> int:
    """One partition Id, or PermanentError (K4: never "Any Partition", never several)."""
    if isinstance(partition, str) and partition.strip().isdigit():
        partition = int(partition.strip())
    if isinstance(partition, int) and not isinstance(partition, bool) and partition > 0:
        return partition
    if isinstance(partition, str) and partition.strip().lower().startswith("any"):
        raise PermanentError(
            f'Akixi {operation}: "{ANY_PARTITION}" is only for partner staff (K4); a customer\'s reporting user '
            "gets the customer's own partition only.",
            code="any_partition",
        )
    if partition is None:
        raise PermanentError(
            f"Akixi {operation}: the customer has no Akixi partition yet; create it first (K2).", code="no_partition"
        )
    raise PermanentError(
        f"Akixi {operation}: expected one partition Id, got {partition!r} (K4: the customer's own partition only).",
        code="bad_partition",
    )
