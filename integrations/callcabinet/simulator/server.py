"""The Call Cabinet simulator as an app (`create_app`, for tests and the command line) and its
command line.

    python -m integrations.callcabinet.simulator --host 127.0.0.1 --port 8603 --state var/sim/callcabinet.json
"""

import os
import time
from collections.abc import Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request

from integrations.simkit.app import simulator_app
from integrations.simkit.checks import ApiError, same_secret
from integrations.simkit.cli import argument_parser, serve
from integrations.simkit.http_faults import http_faults
from integrations.simkit.resellers import Resellers, preload_resellers
from integrations.simkit.state import JsonState, faults_path_for

from .routes import API_PREFIX, Customers
from .state import empty_state

DEFAULT_API_KEY = "callcabinet-sim-key"
DEFAULT_WEB_BASE_URL = "https://recording.callcabinet.invalid"


def create_app(
    *,
    state_path: Path,
    api_key: str = DEFAULT_API_KEY,
    web_base_url: str = DEFAULT_WEB_BASE_URL,
    clock: Callable[[], float] = time.time,
) -> Starlette:
    state = JsonState(state_path, empty_state)

    def authenticate(request: Request) -> None:
        if not same_secret(request.headers.get("x-api-key", ""), api_key):
            raise ApiError(401, "unauthorized", "Send a valid X-Api-Key header")

    resellers, customers = Resellers(state, clock), Customers(state, clock, web_base_url)
    return simulator_app(
        API_PREFIX,
        state=state,
        injector=http_faults(faults_path_for(state_path)),
        authenticate=authenticate,
        endpoints=[
            ("POST", "/resellers", resellers.create),  # C1
            ("GET", "/resellers/{partner_id}", resellers.get),
            ("POST", "/customers/essential", customers.create_essential),  # C2-C5: the only way to create one
            ("GET", "/customers", customers.find),
            ("GET", "/customers/{customer_id:int}", customers.get),
            ("PUT", "/customers/{customer_id:int}/admin", customers.change_admin),  # C5, after the build (#15)
            ("DELETE", "/customers/{customer_id:int}", customers.delete),  # decommissioning (#15)
        ],
    )


def main(argv: list[str] | None = None) -> None:
    parser = argument_parser("callcabinet", "var/sim/callcabinet.json")
    parser.add_argument("--web-base-url", default=DEFAULT_WEB_BASE_URL, help="base of the derived WebUrl")
    args = parser.parse_args(argv)
    if args.preload_reseller:
        preload_resellers(JsonState(args.state, empty_state), args.preload_reseller)
    app = create_app(
        state_path=args.state,
        api_key=os.environ.get("CALLCABINET_SIM_API_KEY", DEFAULT_API_KEY),
        web_base_url=args.web_base_url,
    )
    serve(app, host=args.host, port=args.port, log_level=args.log_level, label=f"Call Cabinet simulator ({args.state})")
