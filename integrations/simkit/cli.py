"""The command line the REST simulators share: the options every one of them takes, and the
uvicorn runner. Secrets come from the environment, never the command line (they would show in `ps`)."""

import argparse
import logging
from pathlib import Path

from starlette.applications import Starlette

logger = logging.getLogger(__name__)


def argument_parser(name: str, default_state: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m integrations.{name}.simulator",
        description=f"{name} simulator (secrets come from the environment, never the command line)",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state", type=Path, default=Path(default_state), help="JSON state file")
    parser.add_argument("--log-level", default="info")
    parser.add_argument(
        "--preload-reseller",
        action="append",
        default=[],
        metavar="PARTNER_ID",
        help="make sure this partner's reseller account exists (the demo's live partner, K1/C1)",
    )
    return parser


def serve(app: Starlette, *, host: str, port: int, log_level: str, label: str) -> None:
    import uvicorn  # only a running simulator needs it

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logger.info("%s on http://%s:%s", label, host, port)
    uvicorn.run(app, host=host, port=port, log_level=log_level)
