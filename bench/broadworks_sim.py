"""The BroadWorks OCI-P simulator as its own process for bench/builds.py: the simulator with the demo
partner preloaded, plus its count of logins written to a file at every login (the simulator keeps
the count in memory only; the bench reads it from outside). The password comes from
BROADWORKS_SIM_PASSWORD; the reply delay from the faults file (`write_faults(...,
reply_delay_seconds=...)`), which the simulator reads before every request.

    python bench/broadworks_sim.py --port N --state bw.json --logins logins.json --admin-user bench
"""

import argparse
import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from integrations.broadworks.simulator import OCIPSimulator, preload_demo  # noqa: E402
from integrations.simkit.state import write_json_atomic  # noqa: E402


class CountingSimulator(OCIPSimulator):
    logins_path: Path

    def count_login(self) -> None:
        with self._logins_lock:
            self.logins += 1
            write_json_atomic(self.logins_path, {"logins": self.logins})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--logins", type=Path, required=True)
    parser.add_argument("--admin-user", required=True)
    args = parser.parse_args()
    server = CountingSimulator(
        ("127.0.0.1", args.port),
        state_path=args.state,
        admins={args.admin_user: os.environ["BROADWORKS_SIM_PASSWORD"]},
    )
    server.logins_path = args.logins
    write_json_atomic(args.logins, {"logins": 0})
    preload_demo(server.state)

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever(poll_interval=0.05)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
