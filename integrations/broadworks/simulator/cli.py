"""The command line: `python -m integrations.broadworks.simulator ...` serves until killed, or, with
--set-fault / --clear-faults, writes the faults file of a running one and exits. The login password
comes from BROADWORKS_SIM_PASSWORD, never the command line (it would show in `ps`)."""

import argparse
import logging
import os
import signal
from pathlib import Path
from types import FrameType

from .demo import preload_demo, preload_partner
from .faults import FAULT_KINDS, faults_path_for, make_fault, write_faults
from .server import DEFAULT_ADMIN_PASSWORD, DEFAULT_ADMIN_USER, OCIPSimulator
from .state import Record

logger = logging.getLogger(__name__)


def _parse_fault(text: str) -> Record:
    """KIND[:COUNT[:REQUEST]], e.g. drop, error:2, delay:1:GroupConsolidatedAddRequest."""
    kind, _, rest = text.partition(":")
    count, _, request = rest.partition(":")
    return make_fault(kind, count=int(count or 1), request=request or None, delay_seconds=5.0)


def _argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m integrations.broadworks.simulator",
        description="BroadWorks OCI-P simulator (plain TCP unless --tls-cert is given); runs until killed.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2208)
    parser.add_argument("--state", default="var/sim/broadworks.json", help="state file (JSON), kept across restarts")
    parser.add_argument("--faults", help="faults file (default: <state>.faults.json beside the state file)")
    parser.add_argument("--tls-cert", help="PEM certificate: serve OCI-P over TLS")
    parser.add_argument("--tls-key", help="PEM private key for --tls-cert")
    parser.add_argument("--admin-user", default=os.environ.get("BROADWORKS_SIM_USER", DEFAULT_ADMIN_USER))
    parser.add_argument(
        "--preload-partner",
        action="append",
        default=[],
        metavar="PARTNER_ID:CLONE_GROUP_ID",
        help="create a partner enterprise and its clone group in ExpoePartner (repeatable)",
    )
    parser.add_argument("--preload-demo", action="store_true", help="preload ACME01 with ACME01-CLONE")
    parser.add_argument(
        "--set-fault",
        action="append",
        default=[],
        metavar="KIND[:COUNT[:REQUEST]]",
        help=f"write the faults file and exit; KIND is one of {', '.join(FAULT_KINDS)} (delay: 5 s)",
    )
    parser.add_argument("--clear-faults", action="store_true", help="empty the faults file and exit")
    parser.add_argument("--log-level", default="INFO")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _argument_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")

    faults_path = Path(args.faults) if args.faults else faults_path_for(args.state)
    if args.set_fault or args.clear_faults:
        write_faults(faults_path, [_parse_fault(f) for f in args.set_fault])
        print(f"faults written to {faults_path}")
        return 0

    password = os.environ.get("BROADWORKS_SIM_PASSWORD", DEFAULT_ADMIN_PASSWORD)
    server = OCIPSimulator(
        (args.host, args.port),
        state_path=args.state,
        admins={args.admin_user: password},
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        faults_path=faults_path,
    )
    if args.preload_demo:
        preload_demo(server.state)
    for item in args.preload_partner:
        partner_id, _, clone_group_id = item.partition(":")
        preload_partner(server.state, partner_id, clone_group_id or f"{partner_id}-CLONE")

    def _stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    logger.info(
        "BroadWorks OCI-P simulator on %s:%d (%s), state %s, faults %s, login user %s",
        server.host,
        server.port,
        "TLS" if server.ssl_context else "plain TCP",
        args.state,
        faults_path,
        args.admin_user,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
