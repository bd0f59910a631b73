"""The Akixi gateway (K1-K4): what the build steps call on `platforms.akixi`, over Akixi's CCS REST v1.

The fixed values of the onboarding guide are set here and nowhere else: a caller passes what differs
per customer (names, IDs, the licence, the partition) and can never pass a telephony server type, a
role or a partition permission. In particular there is no parameter that could give a customer's
reporting user "Any Partition" (K4); a value that looks like it is refused before anything is sent.

Settings (read with getattr, so a missing one falls back to the simulator `make run` starts):
AKIXI_BASE_URL (e.g. http://127.0.0.1:8602/CCS/API/v1), AKIXI_API_KEY, AKIXI_TIMEOUT (seconds).
Every call goes through the shared REST transport (integrations/rest.py: timeouts, the ExternalCall
row, error mapping), which also holds the reseller account calls (K1).
"""

from typing import Any

from integrations.base import PermanentError
from integrations.rest import Json, RestGateway, segment

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


class AkixiGateway(RestGateway):
    """Reseller accounts (K1: `reseller_exists`, `add_reseller`, from RestGateway), one partition per
    customer (K2), its synchronisation (K3) and reporting users limited to that partition (K4)."""

    platform = "akixi"
    label = "Akixi"
    setting_prefix = "AKIXI"
    default_base_url = "http://127.0.0.1:8602/CCS/API/v1"
    default_api_key = ""
    default_timeout = 30.0

    # K2 ------------------------------------------------------------------------------------------

    def _partition_for_group(self, group_id: str, operation: str) -> Json | None:
        partitions = self._find_for_group(
            operation, "/partitions", listed="partitions", group_field="GroupId", group_id=group_id
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

    def sync_status(self, partition: Any) -> str:
        """ "pending", "in_progress", "completed" or whatever else Akixi says (then ask for a sync)."""
        partition_id = _partition_id(partition, "sync_status")
        _, payload = self._request("sync_status", "GET", f"/partitions/{partition_id}", target=str(partition_id))
        return str(payload.get("syncStatus") or "unknown")

    def request_sync(self, partition: Any) -> str:
        """ "Perform synchronisation now"; Akixi ignores it while a sync is under way."""
        partition_id = _partition_id(partition, "request_sync")
        _, payload = self._request("request_sync", "POST", f"/partitions/{partition_id}/sync", target=str(partition_id))
        return str(payload.get("syncStatus") or "unknown")

    # K4 ------------------------------------------------------------------------------------------

    def user_exists(self, username: str) -> bool:
        status, _ = self._request("user_exists", "GET", f"/users/{segment(username)}", target=username, accept=(404,))
        return status != 404

    def add_reporting_user(self, *, username: str, full_name: str, email: str, partition: Any) -> str:
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
        _, existing = self._request("find_user", "GET", f"/users/{segment(username)}", target=username, accept=(404,))
        if existing.get("PartitionPermission") == [partition_id] and existing.get("ResellerStaff") is not True:
            return username
        raise PermanentError(
            f"Akixi: {payload.get('message') or 'duplicate user'} (usernames are unique across Akixi, K4); "
            "choose another username.",
            code="duplicate",
        )


def _partition_id(partition: Any, operation: str) -> int:
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
