"""What each Akixi endpoint does: partitions (K2) and their synchronisation (K3) on our assumed
contract, and users (K4) as Akixi documents them (`POST /admin/user`) with the read before it.
Reseller accounts (K1) are the shared `integrations.simkit.resellers`. Every path is below
`/CCS/API/v1` and behind `Access.authenticate` (see server.py); every refusal is Akixi's
`{"Message"}` (errors.py), and changes nothing."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from integrations.simkit.checks import ApiError, Checks, json_object, utc_iso
from integrations.simkit.resellers import check_reseller
from integrations.simkit.state import JsonState

from .contract import (
    ANY_ID,
    ASSUMED_USER_FIELDS,
    DEFAULT_REPORTS,
    DELETED_STATUS,
    K4_FLAGS,
    LAST_SYNC_COMPLETED,
    NOT_UPDATED,
    PARTITION_FIELDS,
    PARTITION_IN_USE_STATUS,
    PARTITION_QUERY,
    REFUSED_STATUS,
    REPORTING_LEVEL,
    ROLE,
    SCOPE_FIELDS,
    SYNCHRONISATION_TYPE,
    TELEPHONY_SERVER_TYPE,
    USER_CREATED_STATUS,
    USER_DUPLICATE_STATUS,
    USER_FIELDS,
    USER_QUERY,
    USER_UPDATED_STATUS,
)
from .shapes import shape_errors
from .state import PartitionSync, public, user_record, user_view

PARTITION_TEXT_FIELDS = ("Description", "BillingId", "LicensedFor", "EnterpriseOrProviderId", "GroupId")


def refuse_if_any(errors: list[str]) -> None:
    if errors:
        raise ApiError(REFUSED_STATUS, "bad_request", "; ".join(errors))


@dataclass
class Partitions:
    """K2: one partition per customer group, made with the guide's fixed values, in the one Telephony
    Server; K3: its sync. All of it our assumed contract."""

    state: JsonState
    sync: PartitionSync
    clock: Callable[[], float]
    telsys_id: int

    def _partition(self, partition_id: int) -> dict[str, Any]:
        partition: dict[str, Any] | None = self.state.data["partitions"].get(str(partition_id))
        if partition is None:
            raise ApiError(404, "not_found", f"No partition {partition_id}")
        return partition

    # K2 (and K3: a new partition starts synchronising at once)
    async def create(self, request: Request) -> JSONResponse:
        body = await json_object(request)
        checks = Checks(body)
        fields = {name: checks.text(name) for name in PARTITION_TEXT_FIELDS}
        checks.exact("TelephonyServerType", TELEPHONY_SERVER_TYPE)
        checks.exact("SynchronisationType", SYNCHRONISATION_TYPE)
        checks.true("MaintainParity")
        provider = fields["EnterpriseOrProviderId"]
        check_reseller(checks, self.state, "EnterpriseOrProviderId", provider, called="partner ID")
        unknown = [f"{name} is not a known field" for name in body if name not in PARTITION_FIELDS]
        refuse_if_any([e["message"] for e in checks.errors] + unknown)
        if any(p["GroupId"] == fields["GroupId"] for p in self.state.data["partitions"].values()):
            raise ApiError(409, "duplicate", f"A partition for GroupId {fields['GroupId']} already exists")
        partition_id = self.state.next_id("next_partition_id")
        partition = {
            "Id": partition_id,
            "TelSysID": self.telsys_id,
            **fields,
            "TelephonyServerType": TELEPHONY_SERVER_TYPE,
            "SynchronisationType": SYNCHRONISATION_TYPE,
            "MaintainParity": True,
            "CreatedAt": utc_iso(self.clock()),
            LAST_SYNC_COMPLETED: None,
        }
        self.sync.start(partition)
        self.state.data["partitions"][str(partition_id)] = partition
        self.state.save()
        return JSONResponse(public(partition), status_code=201)

    async def find(self, request: Request) -> JSONResponse:
        refuse_if_any([f"Unknown parameter {name}" for name in request.query_params if name not in PARTITION_QUERY])
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

    # Partition "Delete" (documented; path ours): refused while a user's Scope names the partition, so
    # no user is left scoped to a partition that is gone (our assumption).
    async def delete(self, request: Request) -> Response:
        partition_id = request.path_params["partition_id"]
        self._partition(partition_id)
        users = sorted(
            name
            for name, user in self.state.data["users"].items()
            if partition_id in (user.get("Scope") or {}).get("PartIDInTelSys", [])
        )
        if users:
            raise ApiError(
                PARTITION_IN_USE_STATUS,
                "in_use",
                f"Partition {partition_id} is in the scope of users {', '.join(users)}; change or delete them first",
            )
        del self.state.data["partitions"][str(partition_id)]
        self.state.save()
        return Response(status_code=DELETED_STATUS)

    # K3: "press sync"; while one is under way, pressing again changes nothing.
    async def press_sync(self, request: Request) -> JSONResponse:
        partition = self._partition(request.path_params["partition_id"])
        if partition.get("_sync") is None:
            self.sync.start(partition)
            self.state.save()
        return JSONResponse({"Id": partition["Id"], "syncStatus": partition["syncStatus"]}, status_code=202)


@dataclass
class Users:
    """`POST /admin/user` read against the documented example body (every field, nothing else), plus
    our assumed K4 fields; then the portal's K4 rules: a reporting user of the customer's own
    partitions (never -1, "Any Partition"), with the guide's role and flags. Usernames are unique
    across Akixi, matched exactly."""

    state: JsonState
    clock: Callable[[], float]
    telsys_id: int
    cm_environment_id: str

    async def create(self, request: Request) -> JSONResponse:
        content_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
        if content_type != "application/json":
            raise ApiError(REFUSED_STATUS, "bad_request", "Content-Type must be application/json")
        body = await json_object(request)
        errors = shape_errors(body, {**USER_FIELDS, **ASSUMED_USER_FIELDS})
        scope = body.get("Scope")
        if isinstance(scope, dict):
            errors += shape_errors(scope, SCOPE_FIELDS, within="Scope")
        refuse_if_any(errors)
        scope = body["Scope"]  # an object now, with every Scope field of the right kind
        refuse_if_any(self._platform_errors(scope))
        refuse_if_any(_k4_errors(body) + self._one_reseller(scope))
        username = body["Username"]
        if username in self.state.data["users"]:
            raise ApiError(USER_DUPLICATE_STATUS, "duplicate", f"User {username} already exists")
        user = user_record(body, created_at=utc_iso(self.clock()))
        self.state.data["users"][username] = user
        self.state.save()
        return JSONResponse(user_view(user), status_code=USER_CREATED_STATUS)

    def _platform_errors(self, scope: dict[str, Any]) -> list[str]:
        """What this Akixi does not have: another environment, Telephony Server or partition."""
        errors = []
        if scope["CMEnvironmentID"] != self.cm_environment_id:
            errors.append(f"Unknown Scope.CMEnvironmentID {scope['CMEnvironmentID']}")
        telsys = [t for t in scope["TelSysID"] if t not in (self.telsys_id, ANY_ID)]
        if telsys:
            errors.append(f"Unknown Scope.TelSysID {', '.join(map(str, telsys))}")
        partitions = self.state.data["partitions"]
        unknown = [p for p in scope["PartIDInTelSys"] if p != ANY_ID and str(p) not in partitions]
        if unknown:
            errors.append(f"Scope.PartIDInTelSys: no partition {', '.join(map(str, unknown))} in this Telephony Server")
        return errors

    async def get(self, request: Request) -> JSONResponse:
        username = request.path_params["username"]
        user = self.state.data["users"].get(username)
        if user is None:
            raise ApiError(404, "not_found", f"User {username} not found")
        return JSONResponse(user_view(user))

    def _user(self, username: str) -> dict[str, Any]:
        user: dict[str, Any] | None = self.state.data["users"].get(username)
        if user is None:
            raise ApiError(404, "not_found", f"User {username} not found")
        return user

    # Users "Update" (documented; path and body ours): the fields to change, each as Add takes it,
    # the Scope whole; then the same platform and K4 checks as Add, on the user as it would be.
    async def update(self, request: Request) -> JSONResponse:
        username = request.path_params["username"]
        user = self._user(username)
        body = await json_object(request)
        changes = {name: value for name, value in body.items() if name not in NOT_UPDATED}
        shape = {**USER_FIELDS, **ASSUMED_USER_FIELDS}
        errors = [f"{name} cannot be changed by Update" for name in NOT_UPDATED if name in body]
        errors += shape_errors(changes, {name: shape[name] for name in changes if name in shape})
        if not body:
            errors.append("Nothing to update")
        if isinstance(body.get("Scope"), dict):
            errors += shape_errors(body["Scope"], SCOPE_FIELDS, within="Scope")
        refuse_if_any(errors)
        updated = {**user_view(user), **body}
        refuse_if_any(self._platform_errors(updated["Scope"]))
        refuse_if_any(_k4_errors(updated) + self._one_reseller(updated["Scope"]))
        user.update(body)
        user["PartitionPermission"] = list(updated["Scope"]["PartIDInTelSys"])
        self.state.save()
        return JSONResponse(user_view(user), status_code=USER_UPDATED_STATUS)

    async def delete(self, request: Request) -> Response:
        """Users "Delete" (documented; path ours)."""
        username = request.path_params["username"]
        self._user(username)
        del self.state.data["users"][username]
        self.state.save()
        return Response(status_code=DELETED_STATUS)

    async def listed(self, request: Request) -> JSONResponse:
        """Users "List" (documented; path and filter ours): `?PartIDInTelSys=<Id>` keeps the users whose
        Scope names that partition."""
        refuse_if_any([f"Unknown parameter {name}" for name in request.query_params if name not in USER_QUERY])
        wanted = request.query_params.get("PartIDInTelSys")
        if wanted is not None and not wanted.lstrip("-").isdigit():
            refuse_if_any([f"PartIDInTelSys must be a whole number, not {wanted}"])
        users = [
            user_view(user)
            for _, user in sorted(self.state.data["users"].items())
            if wanted is None or int(wanted) in (user.get("Scope") or {}).get("PartIDInTelSys", [])
        ]
        return JSONResponse({"users": users})

    def _one_reseller(self, scope: dict[str, Any]) -> list[str]:
        """K4 (ours): the partitions given are one reseller's customer's, never several resellers'."""
        partitions = self.state.data["partitions"]
        providers = {partitions[str(p)]["EnterpriseOrProviderId"] for p in scope["PartIDInTelSys"] if p != ANY_ID}
        return ["Scope.PartIDInTelSys: partitions of more than one reseller (K4)"] if len(providers) > 1 else []


def _k4_errors(body: dict[str, Any]) -> list[str]:
    """The portal's rule K4 (not Akixi's): a customer's reporting user, on its own partition only."""
    errors = []
    scope = body["Scope"]
    if ANY_ID in scope["TelSysID"] or ANY_ID in scope["PartIDInTelSys"]:
        errors.append(
            f'Scope: {ANY_ID} ("Any Partition") is only for partner staff; a reporting user gets the '
            "customer's own partition (K4)"
        )
    for field, value in (("Role", ROLE), ("ReportingLevel", REPORTING_LEVEL), ("DefaultReports", DEFAULT_REPORTS)):
        if body[field] != value:
            errors.append(f'{field} must be "{value}" (K4)')
    errors += [f"{flag} must be true (K4)" for flag in K4_FLAGS if body[flag] is not True]
    return errors
