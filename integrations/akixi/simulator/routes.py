"""What each Akixi endpoint does: partitions (K2) and their synchronisation (K3), reporting users
(K4). Reseller accounts (K1) are the shared `integrations.simkit.resellers`. Every path is below
`/CCS/API/v1` and behind `Access.authenticate` (see server.py)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from integrations.simkit.checks import ApiError, Checks, json_object, utc_iso
from integrations.simkit.resellers import check_reseller
from integrations.simkit.state import JsonState

from .contract import (
    ANY,
    ANY_PARTITION,
    DEFAULT_REPORTS,
    REPORTING_LEVEL,
    ROLE,
    SYNCHRONISATION_TYPE,
    TELEPHONY_SERVER_TYPE,
    USER_FIELDS,
)
from .state import PartitionSync, public

PARTITION_TEXT_FIELDS = ("Description", "BillingId", "LicensedFor", "EnterpriseOrProviderId", "GroupId")


@dataclass
class Partitions:
    """K2: one partition per customer group, made with the guide's fixed values; K3: its sync."""

    state: JsonState
    sync: PartitionSync
    clock: Callable[[], float]

    def _partition(self, partition_id: int) -> dict[str, Any]:
        partition: dict[str, Any] | None = self.state.data["partitions"].get(str(partition_id))
        if partition is None:
            raise ApiError(404, "not_found", f"No partition {partition_id}")
        return partition

    # K2 (and K3: a new partition starts synchronising at once)
    async def create(self, request: Request) -> JSONResponse:
        checks = Checks(await json_object(request))
        fields = {name: checks.text(name) for name in PARTITION_TEXT_FIELDS}
        checks.exact("TelephonyServerType", TELEPHONY_SERVER_TYPE)
        checks.exact("SynchronisationType", SYNCHRONISATION_TYPE)
        checks.true("MaintainParity")
        provider = fields["EnterpriseOrProviderId"]
        check_reseller(checks, self.state, "EnterpriseOrProviderId", provider, called="partner ID")
        checks.raise_if_any()
        if any(p["GroupId"] == fields["GroupId"] for p in self.state.data["partitions"].values()):
            raise ApiError(409, "duplicate", f"A partition for GroupId {fields['GroupId']} already exists")
        partition_id = self.state.next_id("next_partition_id")
        partition = {
            "Id": partition_id,
            **fields,
            "TelephonyServerType": TELEPHONY_SERVER_TYPE,
            "SynchronisationType": SYNCHRONISATION_TYPE,
            "MaintainParity": True,
            "CreatedAt": utc_iso(self.clock()),
            "lastSyncCompletedAt": None,
        }
        self.sync.start(partition)
        self.state.data["partitions"][str(partition_id)] = partition
        self.state.save()
        return JSONResponse(public(partition), status_code=201)

    async def find(self, request: Request) -> JSONResponse:
        group_id = request.query_params.get("groupId")
        provider_id = request.query_params.get("providerId")
        found = [
            p
            for p in self.state.data["partitions"].values()
            if (group_id is None or p["GroupId"] == group_id)
            and (provider_id is None or p["EnterpriseOrProviderId"] == provider_id)
        ]
        for partition in found:
            self.sync.observe(partition)
        if found:
            self.state.save()
        return JSONResponse({"partitions": [public(p) for p in found]})

    async def get(self, request: Request) -> JSONResponse:
        partition = self._partition(request.path_params["partition_id"])
        self.sync.observe(partition)
        self.state.save()
        return JSONResponse(public(partition))

    # K3: "press sync"; while one is under way, pressing again changes nothing.
    async def press_sync(self, request: Request) -> JSONResponse:
        partition = self._partition(request.path_params["partition_id"])
        if partition.get("_sync") is None:
            self.sync.start(partition)
            self.state.save()
        return JSONResponse({"Id": partition["Id"], "syncStatus": partition["syncStatus"]}, status_code=202)


@dataclass
class Users:
    """K4: reporting-only users with the guide's settings, limited to one reseller's partitions
    ("Any Partition" only for reseller staff). Usernames are unique across Akixi, matched exactly."""

    state: JsonState
    clock: Callable[[], float]

    async def create(self, request: Request) -> JSONResponse:
        body = await json_object(request)
        checks = Checks(body)
        username = checks.text("Username")
        checks.text("FullName")
        checks.email("Email")
        checks.exact("Role", ROLE)
        checks.exact("ReportingLevel", REPORTING_LEVEL)
        checks.exact("DefaultReports", DEFAULT_REPORTS)
        for flag in ("PasswordChangeRequired", "SendWelcomeEmail", "EnableMfa"):
            checks.true(flag)
        staff = body.get("ResellerStaff", False)
        if not isinstance(staff, bool):
            checks.fail("ResellerStaff", "ResellerStaff must be true or false")
        self._check_partition_permission(checks, body.get("PartitionPermission"), staff is True)
        for name in ("GroupPermission", "DevicePermission", "AgentPermission"):
            if not isinstance(body.get(name, ANY), str) or not body.get(name, ANY).strip():
                checks.fail(name, f'{name} must be a text ("{ANY}" unless restricted)')
        checks.raise_if_any()
        if username in self.state.data["users"]:
            raise ApiError(409, "duplicate", f"Username {username} is already taken")
        user = {name: body[name] for name in USER_FIELDS if name in body}  # only known fields are kept
        user.update(
            Username=username,
            GroupPermission=body.get("GroupPermission", ANY),
            DevicePermission=body.get("DevicePermission", ANY),
            AgentPermission=body.get("AgentPermission", ANY),
            ResellerStaff=staff,
            WelcomeEmailSent=True,
            CreatedAt=utc_iso(self.clock()),
        )
        self.state.data["users"][username] = user
        self.state.save()
        return JSONResponse(user, status_code=201)

    def _check_partition_permission(self, checks: Checks, permission: object, staff: bool) -> None:
        field = "PartitionPermission"
        if permission == ANY_PARTITION:
            if not staff:
                checks.fail(field, f'"{ANY_PARTITION}" is only for reseller staff; give the customer\'s partition IDs')
            return
        if (
            not isinstance(permission, list)
            or not permission
            or not all(isinstance(p, int) and not isinstance(p, bool) for p in permission)
        ):
            checks.fail(field, f'{field} must be a non-empty list of partition IDs (or "{ANY_PARTITION}" for staff)')
            return
        partitions = self.state.data["partitions"]
        unknown = [p for p in permission if str(p) not in partitions]
        if unknown:
            checks.fail(field, f"Unknown partition IDs: {', '.join(map(str, unknown))}")
            return
        providers = {partitions[str(p)]["EnterpriseOrProviderId"] for p in permission}
        if len(providers) > 1:
            checks.fail(field, "Partitions of more than one reseller cannot be given to one user")

    async def find(self, request: Request) -> JSONResponse:
        users = list(self.state.data["users"].values())
        partition = request.query_params.get("partition")
        if partition is not None:
            if not partition.isdigit():
                raise ApiError(422, "validation_failed", "partition must be a partition ID")
            users = [
                u
                for u in users
                if isinstance(u["PartitionPermission"], list) and int(partition) in u["PartitionPermission"]
            ]
        return JSONResponse({"users": users})

    async def get(self, request: Request) -> JSONResponse:
        user = self.state.data["users"].get(request.path_params["username"])
        if user is None:
            raise ApiError(404, "not_found", f"No user {request.path_params['username']}")
        return JSONResponse(user)
