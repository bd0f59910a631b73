"""Akixi CCS REST v1 simulator (K1-K4): reseller accounts, partitions, their synchronisation, and
reporting users, under `/CCS/API/v1`.

Akixi documents its users endpoint (field names here follow the guide's labels; check them against
the vendor's documentation); the partition fields and the sync status are our assumption (see
README.md beside this file). The fixed values below are the ones the onboarding guide
prescribes; the simulator refuses anything else with 422, as a strict platform would, so a client
that gets them wrong fails here first.

    python -m integrations.akixi.simulator --host 127.0.0.1 --port 8602 --state var/sim/akixi.json
"""

import hmac
import logging
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from integrations.simkit import (
    ApiError,
    Checks,
    FaultInjector,
    JsonState,
    argument_parser,
    faults_path_for,
    json_object,
    preload_resellers,
    reseller_routes,
    serve,
    simulator_app,
    utc_iso,
)

logger = logging.getLogger(__name__)

API_PREFIX = "/CCS/API/v1"

TELEPHONY_SERVER_TYPE = "Service Provider Group"  # K2
SYNCHRONISATION_TYPE = "By Service Pack"  # K2
ROLE = "Reporting Only User"  # K4
REPORTING_LEVEL = "1000 Supervisor"  # K4
DEFAULT_REPORTS = "Standard Reports"  # K4
ANY_PARTITION = "Any Partition"  # K4: partner staff only
ANY = "Any"

SYNC_PENDING = "pending"
SYNC_IN_PROGRESS = "in_progress"
SYNC_COMPLETED = "completed"

DEFAULT_API_KEY = "akixi-sim-key"
DEFAULT_USERNAME = "akixi-sim"
DEFAULT_PASSWORD = "akixi-sim-password"

USER_FIELDS = (
    "Username",
    "FullName",
    "Email",
    "Role",
    "ReportingLevel",
    "DefaultReports",
    "PasswordChangeRequired",
    "SendWelcomeEmail",
    "EnableMfa",
    "PartitionPermission",
    "GroupPermission",
    "DevicePermission",
    "AgentPermission",
    "ResellerStaff",
)


def _empty_state() -> dict:
    return {"resellers": {}, "partitions": {}, "next_partition_id": 1, "users": {}}


def _public(record: dict) -> dict:
    """A stored record without the simulator's bookkeeping (keys starting with `_`)."""
    return {key: value for key, value in record.items() if not key.startswith("_")}


def create_app(
    *,
    state_path: Path,
    api_key: str = DEFAULT_API_KEY,
    username: str = DEFAULT_USERNAME,
    password: str = DEFAULT_PASSWORD,
    sync_polls: int = 2,
    sync_seconds: float = 0.0,
    session_ttl: float = 3600.0,
    clock: Callable[[], float] = time.time,
) -> Starlette:
    """A sync completes once it has been looked at `sync_polls` times and `sync_seconds` have passed
    since it started; the first look always sees "pending", later ones "in_progress"."""
    state = JsonState(state_path, _empty_state)
    injector = FaultInjector(faults_path_for(state_path), extra_keys={"sync_stall": bool})
    sessions: dict[str, float] = {}  # token -> expiry; in memory, so a restart logs everyone out

    def authenticate(request: Request) -> None:
        presented_key = request.headers.get("x-api-key")
        if presented_key is not None and hmac.compare_digest(presented_key.encode(), api_key.encode()):
            return
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token:
            expiry = sessions.get(token)
            if expiry is not None and expiry > clock():
                return
            sessions.pop(token, None)
        raise ApiError(401, "unauthorized", "Send a valid x-api-key header or a Bearer token from /login")

    def api(handler):
        async def endpoint(request: Request):
            authenticate(request)
            return await handler(request)

        return endpoint

    def observe_sync(partition: dict) -> None:
        """One API look at a partition: moves its sync along (see create_app)."""
        progress = partition.get("_sync")
        if progress is None:
            return
        now = clock()
        stalled = bool(injector.flag("sync_stall"))
        done = progress["reads"] >= sync_polls and now - progress["started_at"] >= sync_seconds
        if done and not stalled:
            partition["syncStatus"] = SYNC_COMPLETED
            partition["lastSyncCompletedAt"] = utc_iso(now)
            partition["_sync"] = None
        else:
            partition["syncStatus"] = SYNC_PENDING if progress["reads"] == 0 else SYNC_IN_PROGRESS
            progress["reads"] += 1

    def start_sync(partition: dict) -> None:
        partition["syncStatus"] = SYNC_PENDING
        partition["_sync"] = {"started_at": clock(), "reads": 0}

    def partition_or_404(partition_id: int) -> dict:
        partition = state.data["partitions"].get(str(partition_id))
        if partition is None:
            raise ApiError(404, "not_found", f"No partition {partition_id}")
        return partition

    async def login(request: Request) -> JSONResponse:
        body = await json_object(request)
        given_user, given_password = body.get("username"), body.get("password")
        if not isinstance(given_user, str) or not isinstance(given_password, str):
            raise ApiError(400, "bad_request", "username and password are required")
        user_ok = hmac.compare_digest(given_user.encode(), username.encode())
        password_ok = hmac.compare_digest(given_password.encode(), password.encode())
        if not (user_ok and password_ok):
            logger.info("Login refused")
            raise ApiError(401, "unauthorized", "Invalid username or password")
        token = secrets.token_urlsafe(32)
        sessions[token] = clock() + session_ttl
        return JSONResponse({"token": token, "tokenType": "Bearer", "expiresIn": int(session_ttl)})

    # K2 (and K3: a new partition starts synchronising at once)
    async def partition_create(request: Request) -> JSONResponse:
        body = await json_object(request)
        checks = Checks(body)
        fields = {
            name: checks.text(name)
            for name in ("Description", "BillingId", "LicensedFor", "EnterpriseOrProviderId", "GroupId")
        }
        checks.exact("TelephonyServerType", TELEPHONY_SERVER_TYPE)
        checks.exact("SynchronisationType", SYNCHRONISATION_TYPE)
        checks.true("MaintainParity")
        provider = fields["EnterpriseOrProviderId"]
        if provider and provider not in state.data["resellers"]:
            checks.fail(
                "EnterpriseOrProviderId", f"No reseller account for partner ID {provider}; create the reseller first"
            )
        checks.raise_if_any()
        if any(p["GroupId"] == fields["GroupId"] for p in state.data["partitions"].values()):
            raise ApiError(409, "duplicate", f"A partition for GroupId {fields['GroupId']} already exists")
        partition_id = state.data["next_partition_id"]
        state.data["next_partition_id"] = partition_id + 1
        partition = {
            "Id": partition_id,
            **fields,
            "TelephonyServerType": TELEPHONY_SERVER_TYPE,
            "SynchronisationType": SYNCHRONISATION_TYPE,
            "MaintainParity": True,
            "CreatedAt": utc_iso(clock()),
            "lastSyncCompletedAt": None,
        }
        start_sync(partition)
        state.data["partitions"][str(partition_id)] = partition
        state.save()
        return JSONResponse(_public(partition), status_code=201)

    async def partition_list(request: Request) -> JSONResponse:
        group_id = request.query_params.get("groupId")
        provider_id = request.query_params.get("providerId")
        found = [
            p
            for p in state.data["partitions"].values()
            if (group_id is None or p["GroupId"] == group_id)
            and (provider_id is None or p["EnterpriseOrProviderId"] == provider_id)
        ]
        for partition in found:
            observe_sync(partition)
        if found:
            state.save()
        return JSONResponse({"partitions": [_public(p) for p in found]})

    async def partition_get(request: Request) -> JSONResponse:
        partition = partition_or_404(request.path_params["partition_id"])
        observe_sync(partition)
        state.save()
        return JSONResponse(_public(partition))

    # K3: "press sync"; while one is under way, pressing again changes nothing.
    async def partition_sync(request: Request) -> JSONResponse:
        partition = partition_or_404(request.path_params["partition_id"])
        if partition.get("_sync") is None:
            start_sync(partition)
            state.save()
        return JSONResponse({"Id": partition["Id"], "syncStatus": partition["syncStatus"]}, status_code=202)

    # K4
    async def user_create(request: Request) -> JSONResponse:
        body = await json_object(request)
        checks = Checks(body)
        username_value = checks.text("Username")
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
        _check_partition_permission(checks, body.get("PartitionPermission"), staff is True)
        for name in ("GroupPermission", "DevicePermission", "AgentPermission"):
            if not isinstance(body.get(name, ANY), str) or not body.get(name, ANY).strip():
                checks.fail(name, f'{name} must be a text ("{ANY}" unless restricted)')
        checks.raise_if_any()
        if username_value in state.data["users"]:
            raise ApiError(409, "duplicate", f"Username {username_value} is already taken")
        user = {name: body[name] for name in USER_FIELDS if name in body}  # only known fields are kept
        user.update(
            Username=username_value,
            GroupPermission=body.get("GroupPermission", ANY),
            DevicePermission=body.get("DevicePermission", ANY),
            AgentPermission=body.get("AgentPermission", ANY),
            ResellerStaff=staff,
            WelcomeEmailSent=True,
            CreatedAt=utc_iso(clock()),
        )
        state.data["users"][username_value] = user
        state.save()
        return JSONResponse(user, status_code=201)

    def _check_partition_permission(checks: Checks, permission, staff: bool) -> None:
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
        partitions = state.data["partitions"]
        unknown = [p for p in permission if str(p) not in partitions]
        if unknown:
            checks.fail(field, f"Unknown partition IDs: {', '.join(map(str, unknown))}")
            return
        providers = {partitions[str(p)]["EnterpriseOrProviderId"] for p in permission}
        if len(providers) > 1:
            checks.fail(field, "Partitions of more than one reseller cannot be given to one user")

    async def user_list(request: Request) -> JSONResponse:
        users = list(state.data["users"].values())
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

    async def user_get(request: Request) -> JSONResponse:
        user = state.data["users"].get(request.path_params["username"])
        if user is None:
            raise ApiError(404, "not_found", f"No user {request.path_params['username']}")
        return JSONResponse(user)

    api_routes = [
        Route("/login", login, methods=["POST"]),
        *reseller_routes(state, api, clock),
        Route("/partitions", api(partition_create), methods=["POST"]),
        Route("/partitions", api(partition_list), methods=["GET"]),
        Route("/partitions/{partition_id:int}", api(partition_get), methods=["GET"]),
        Route("/partitions/{partition_id:int}/sync", api(partition_sync), methods=["POST"]),
        Route("/users", api(user_create), methods=["POST"]),
        Route("/users", api(user_list), methods=["GET"]),
        Route("/users/{username}", api(user_get), methods=["GET"]),
    ]
    return simulator_app(API_PREFIX, api_routes, state, injector)


def main(argv: list[str] | None = None) -> None:
    parser = argument_parser("akixi", "var/sim/akixi.json")
    parser.add_argument("--sync-polls", type=int, default=2, help="looks at a partition before its sync completes")
    parser.add_argument("--sync-seconds", type=float, default=0.0, help="seconds before a sync can complete")
    args = parser.parse_args(argv)
    if args.preload_reseller:
        preload_resellers(JsonState(args.state, _empty_state), args.preload_reseller)
    app = create_app(
        state_path=args.state,
        api_key=os.environ.get("AKIXI_SIM_API_KEY", DEFAULT_API_KEY),
        username=os.environ.get("AKIXI_SIM_USERNAME", DEFAULT_USERNAME),
        password=os.environ.get("AKIXI_SIM_PASSWORD", DEFAULT_PASSWORD),
        sync_polls=args.sync_polls,
        sync_seconds=args.sync_seconds,
    )
    serve(app, host=args.host, port=args.port, log_level=args.log_level, label=f"Akixi simulator ({args.state})")


if __name__ == "__main__":
    main()
