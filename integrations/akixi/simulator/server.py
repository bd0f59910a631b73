"""The Akixi simulator as an app (`create_app`, for tests and the command line) and its command line.

python -m integrations.akixi.simulator --host 127.0.0.1 --port 8602 --state var/sim/akixi.json
"""

import os
import time
from collections.abc import Callable
from pathlib import Path

from starlette.applications import Starlette

from integrations.simkit.app import simulator_app
from integrations.simkit.cli import argument_parser, serve
from integrations.simkit.http_faults import http_faults
from integrations.simkit.resellers import Resellers, preload_resellers
from integrations.simkit.state import JsonState, faults_path_for

from .access import Access
from .contract import (
    API_PREFIX,
    DEFAULT_CM_ENVIRONMENT_ID,
    DEFAULT_TELSYS_ID,
    LOGIN_PATH,
    LOGOUT_PATH,
    PARTITIONS_PATH,
    RESELLERS_PATH,
    SESSION_PATH,
    USER_ADD_PATH,
    USER_INFO_PATH,
    USER_PATH,
)
from .errors import answer_as_akixi
from .routes import Partitions, Users
from .state import PartitionSync, empty_state

DEFAULT_API_KEY = "akixi-sim-key"
DEFAULT_USERNAME = "akixi-sim"
DEFAULT_PASSWORD = "akixi-sim-password"


def create_app(
    *,
    state_path: Path,
    api_key: str = DEFAULT_API_KEY,
    username: str = DEFAULT_USERNAME,
    password: str = DEFAULT_PASSWORD,
    sync_polls: int = 2,
    sync_seconds: float = 0.0,
    session_ttl: float = 3600.0,
    telsys_id: int = DEFAULT_TELSYS_ID,
    cm_environment_id: str = DEFAULT_CM_ENVIRONMENT_ID,
    clock: Callable[[], float] = time.time,
) -> Starlette:
    """See PartitionSync for how `sync_polls` and `sync_seconds` move a sync along. `telsys_id` and
    `cm_environment_id` are this Akixi's one Telephony Server and environment (a user's Scope)."""
    state = JsonState(state_path, empty_state)
    injector = http_faults(faults_path_for(state_path), extra_keys={"sync_stall": bool})
    access = Access(api_key=api_key, username=username, password=password, session_ttl=session_ttl, clock=clock)
    sync = PartitionSync(
        polls=sync_polls, seconds=sync_seconds, clock=clock, stalled=lambda: bool(injector.read().get("sync_stall"))
    )
    resellers = Resellers(state, clock)
    partitions = Partitions(state, sync, clock, telsys_id)
    users = Users(state, clock, telsys_id, cm_environment_id)
    app = simulator_app(
        API_PREFIX,
        state=state,
        injector=injector,
        authenticate=access.authenticate,
        open_endpoints=[
            ("POST", SESSION_PATH, access.create_session),  # documented
            ("GET", LOGIN_PATH, access.login),  # documented
            ("GET", LOGOUT_PATH, access.logout),  # seen in a third-party client
        ],
        endpoints=[
            ("POST", USER_ADD_PATH, users.create),  # K4, documented
            ("GET", USER_INFO_PATH, users.get),  # K4, the documented "Info" at our assumed path
            ("GET", USER_ADD_PATH, users.listed),  # the documented "List", our path and filter (#15)
            ("PUT", USER_PATH, users.update),  # the documented "Update", our path and body (#15)
            ("DELETE", USER_PATH, users.delete),  # the documented "Delete", our path (#15)
            ("POST", RESELLERS_PATH, resellers.create),  # K1, assumed
            ("GET", f"{RESELLERS_PATH}/{{partner_id}}", resellers.get),
            ("POST", PARTITIONS_PATH, partitions.create),  # K2, assumed
            ("GET", PARTITIONS_PATH, partitions.find),
            ("GET", f"{PARTITIONS_PATH}/{{partition_id:int}}", partitions.get),
            ("DELETE", f"{PARTITIONS_PATH}/{{partition_id:int}}", partitions.delete),  # documented op, our path
            ("POST", f"{PARTITIONS_PATH}/{{partition_id:int}}/sync", partitions.press_sync),  # K3, assumed
        ],
    )
    answer_as_akixi(app)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argument_parser("akixi", "var/sim/akixi.json")
    parser.add_argument("--sync-polls", type=int, default=2, help="looks at a partition before its sync completes")
    parser.add_argument("--sync-seconds", type=float, default=0.0, help="seconds before a sync can complete")
    parser.add_argument("--telsys-id", type=int, default=DEFAULT_TELSYS_ID, help="the one Telephony Server's TelSysID")
    parser.add_argument("--cm-environment-id", default=DEFAULT_CM_ENVIRONMENT_ID, help="the CMEnvironmentID users get")
    args = parser.parse_args(argv)
    if args.preload_reseller:
        preload_resellers(JsonState(args.state, empty_state), args.preload_reseller)
    app = create_app(
        state_path=args.state,
        api_key=os.environ.get("AKIXI_SIM_API_KEY", DEFAULT_API_KEY),
        username=os.environ.get("AKIXI_SIM_USERNAME", DEFAULT_USERNAME),
        password=os.environ.get("AKIXI_SIM_PASSWORD", DEFAULT_PASSWORD),
        sync_polls=args.sync_polls,
        sync_seconds=args.sync_seconds,
        telsys_id=args.telsys_id,
        cm_environment_id=args.cm_environment_id,
    )
    serve(app, host=args.host, port=args.port, log_level=args.log_level, label=f"Akixi simulator ({args.state})")
