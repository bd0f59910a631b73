"""Benchmark (not a test): the portal served by gunicorn under 10 concurrent co-ordinators (Locust),
each page against Django's admin changelist of the same model in the same rounds.

Run with `make bench-load`, or alone: `DATABASE_URL=postgres://... python bench/load.py --rows 100000`
(PostgreSQL only: gunicorn's workers share the database; it works in `<that database>_load`,
created and dropped). It seeds what bench/ports.py seeds, starts gunicorn as the Procfile does
(2 workers x 4 threads, loopback only), then for each round runs Locust headless, once per page and
for `--duration` seconds each, with 10 logged-in users and no wait between requests; the pages take
turns (the order reversed every other round). A second pass does the same with each user pausing
about `--think` seconds between pages, as people do. Then it times the CSV export of every port request to
its last byte, served, interleaved with the changelist. Results go into docs/benchmarks.md.

With REDIS_URL set, gunicorn's workers share the Redis cache, as in production (bench/settings.py).
"""

import argparse
import csv
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common  # noqa: E402

common.setup()

import httpx  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402

from bench.ports import PASSWORD, seed  # noqa: E402
from bench.urls_admin import CHANGELIST  # noqa: E402

BASELINE = "admin changelist of PortRequest"
WHO = {"coordinator": "co-ordinators", "manager": "managers"}
# (label, role, path): the role's accounts are bench-<role>-0..9. Co-ordinators do not see the
# escalation dashboard (managers do), so managers ask for that one.
PAGES = [
    (BASELINE, "coordinator", CHANGELIST),
    ("port queue", "coordinator", "/ports/"),
    ("lead-time dashboard", "coordinator", "/ports/dashboard/"),
    ("escalation dashboard", "manager", "/escalations/"),
]
SEARCH = ("search by number", "coordinator", "/ports/?q=0113+496+0042")
CSV_EXPORT = "/ports/export.csv"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(folder: Path):
    """gunicorn as the Procfile starts it (2 workers x 4 threads), on loopback, on this database."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": common.database_url(),
        "PYTHONPATH": str(common.ROOT),
    }
    log = folder / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "expoe_portal.wsgi", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "2", "--threads", "4"],
            cwd=common.ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                sys.exit("gunicorn exited:\n" + log.read_text(errors="replace"))
            try:
                if httpx.get(f"{base}/accounts/login/", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                sys.exit("gunicorn did not answer in 60 s:\n" + log.read_text(errors="replace"))
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


def logged_in(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    form = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert token, "the login page has no CSRF token"
    response = client.post(
        "/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{base}/accounts/login/"},
    )
    assert response.status_code == 302, (username, response.status_code)
    return client


def read_to_last_byte(client: httpx.Client, path: str) -> None:
    with client.stream("GET", path) as response:
        assert response.status_code == 200, (path, response.status_code)
        for _chunk in response.iter_raw():
            pass


def locust_run(
    base: str, folder: Path, label: str, role: str, path: str, *, users: int, seconds: int, think: float = 0
) -> dict:
    prefix = folder / f"locust-{len(list(folder.glob('locust-*_stats.csv')))}"
    env = {
        **os.environ,
        "BENCH_PATH": path,
        "BENCH_NAME": label,
        "BENCH_ROLE": role,
        "BENCH_PASSWORD": PASSWORD,
        "BENCH_ACCOUNTS": str(users),
        "BENCH_THINK": str(think),
    }
    # Without pauses every user starts at once (the server's capacity). People at their own pace do
    # not all press at the same moment: they join over one longest pause, and the statistics start
    # once all have joined (--reset-stats), so the figure is each one's wait while ten work.
    spawn_rate = users / (think * 1.5) if think else users
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "locust", "-f", str(Path(__file__).with_name("locustfile.py")), "--headless"]
        + ["-u", str(users), "-r", f"{spawn_rate:g}", "-t", f"{seconds}s", "-H", base, "--csv", str(prefix)]
        + ["--only-summary", "--reset-stats", "--loglevel", "WARNING"],
        cwd=common.ROOT,
        env=env,
        check=False,  # Locust exits 1 when any request failed: the failures are read from its stats
        stdout=subprocess.DEVNULL,
        stderr=(folder / "locust.log").open("ab"),
        timeout=seconds + 120,
    )
    with Path(f"{prefix}_stats.csv").open(newline="") as stats:
        rows = {row["Name"]: row for row in csv.DictReader(stats)}
    row = rows[label]
    return {
        "rps": float(row["Requests/s"]),
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="port requests to seed (default 100,000)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of one Locust run per page (default 2)")
    parser.add_argument("--duration", type=int, default=30, help="seconds of each Locust run (default 30)")
    parser.add_argument("--users", type=int, default=10, help="concurrent co-ordinators (default 10)")
    parser.add_argument("--alone-rounds", type=int, default=20, help="rounds of each page asked alone (default 20)")
    parser.add_argument("--csv-rounds", type=int, default=5, help="served CSV exports timed (default 5)")
    parser.add_argument(
        "--think",
        type=float,
        default=2,
        help="a second pass with this mean pause (s) between a user's pages, as people work (0: none; default 2)",
    )
    args = parser.parse_args()
    common.require_postgresql("bench/load.py")
    args.users = min(args.users, 10)  # bench/ports.py seeds 10 accounts of each role
    with common.throwaway_database("load"), tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        database = common.database_description()
        seeded = seed(args.rows)
        cache.clear()  # nothing counted by an earlier run (the bench's own cache: settings)
        machine = common.machine()
        connection.close()  # gunicorn's workers are the database's clients from here on
        with gunicorn(folder) as base:
            for _label, role, path in PAGES:  # warm both workers: templates, connections
                client = logged_in(base, f"bench-{role}-0")
                for _ in range(4):
                    client.get(path)
            # The pass without pauses (the server's capacity), then one at a person's pace (what a
            # co-ordinator waits for while ten work at once).
            passes: dict[float, dict[str, list[dict]]] = {}
            for think in dict.fromkeys([0, args.think]):
                runs = passes[think] = {label: [] for label, _, _ in PAGES}
                for round_ in range(args.rounds):
                    for label, role, path in PAGES if round_ % 2 == 0 else reversed(PAGES):
                        print(f"pause {think} s, round {round_ + 1}/{args.rounds}: {label} ...", flush=True)
                        runs[label].append(
                            locust_run(
                                base, folder, label, role, path, users=args.users, seconds=args.duration, think=think
                            )
                        )
            clients = {role: logged_in(base, f"bench-{role}-1") for role in ("coordinator", "manager")}
            alone = common.interleaved(
                {
                    label: (lambda role=role, path=path: read_to_last_byte(clients[role], path))
                    for label, role, path in [*PAGES, SEARCH]
                },
                args.alone_rounds,
            )
            client = clients["coordinator"]
            served = common.interleaved(
                {
                    BASELINE: lambda: read_to_last_byte(client, CHANGELIST),
                    "CSV export": lambda: read_to_last_byte(client, CSV_EXPORT),
                },
                args.csv_rounds,
            )
    write_report(args, seeded, database, machine, passes, alone, served)


def load_rows(runs: dict[str, list[dict]]) -> list[str]:
    base = runs[BASELINE]
    rows = []
    for label, role, path in PAGES:
        these = runs[label]
        rps = common.Spread.of([r["rps"] for r in these])
        p95 = common.Spread.of([r["p95"] for r in these])
        if label == BASELINE:
            rps_ratio = p95_ratio = "1 (the baseline)"
        else:
            rps_ratio = common.ratios([r["rps"] for r in these], [r["rps"] for r in base]).text(2)
            p95_ratio = common.ratios([r["p95"] for r in these], [r["p95"] for r in base]).text(2)
        requests = sum(r["requests"] for r in these)
        failures = sum(r["failures"] for r in these)
        rows.append(
            f"| {label} ({WHO[role]}) | `{path}` | {rps.text(1)} | {rps_ratio} | {p95.text()} | {p95_ratio} "
            f"| {requests:,} ({failures}) |"
        )
    return rows


def write_report(args, seeded, database: str, machine: str, passes: dict[float, dict], alone, served) -> None:
    table_head = [
        "| page | URL | requests/s | × changelist | p95 ms | × changelist | requests (failed) |",
        "|------|-----|---:|---:|---:|---:|---:|",
    ]
    paced = []
    if args.think:
        paced = [
            "",
            f"The same, each user pausing {args.think / 2:g} to {args.think * 1.5:g} s between pages (uniformly at"
            " random), as people reading the page do: what a co-ordinator waits for while ten work at once. The"
            f" users join one by one over {args.think * 1.5:g} s (one longest pause) rather than all in the same"
            " moment, and the statistics start once all have joined.",
            "",
            *table_head,
            *load_rows(passes[args.think]),
        ]
    alone_rows = []
    for label, role, path in [*PAGES, SEARCH]:
        spread = common.Spread.of(alone[label])
        ratio = "1 (the baseline)" if label == BASELINE else common.ratios(alone[label], alone[BASELINE]).text(2)
        alone_rows.append(f"| {label} ({WHO[role]}) | `{path}` | {spread.median:.0f} | {spread.high:.0f} | {ratio} |")
    csv_ms = common.Spread.of(served["CSV export"])
    changelist_ms = common.Spread.of(served[BASELINE])
    csv_ratio = common.ratios(served["CSV export"], served[BASELINE])
    common.write_section(
        "load",
        [
            "## Served: 10 co-ordinators at once (`bench/load.py`, Locust)",
            "",
            f"- Data: {args.rows:,} port requests and {seeded.escalations:,} open escalations, as `bench/ports.py`"
            " seeds them.",
            f"- Machine: {machine}. Locust, gunicorn and PostgreSQL share its cores.",
            f"- Database: {database}. Date: {time.strftime('%Y-%m-%d %H:%M')}.",
            "- gunicorn as in the Procfile (2 workers x 4 threads), loopback only. Locust headless,"
            f" {args.users} users each logged in once (session cookie, CSRF), no wait between requests;"
            f" one run of {args.duration} s per page and round, {args.rounds} rounds, the pages taking turns"
            " (order reversed every other round); statistics from the end of spawning (`--reset-stats`).",
            "- Figures are medians over the rounds with the least and greatest in brackets; ratios are per round"
            " against the admin changelist's run of the same round (requests/s above 1 and p95 below 1: better"
            " than Django's own list page).",
            "",
            *table_head,
            *load_rows(passes[0]),
            *paced,
            "",
            f"The same pages served one request at a time ({args.alone_rounds} interleaved rounds, after the load"
            " runs; time to the last byte as the client sees it):",
            "",
            "| page | URL | median ms | p95 ms | × changelist, median (p5–p95) |",
            "|------|-----|---:|---:|---:|",
            *alone_rows,
            "",
            f"CSV export of every port request, served, one request at a time, to the last byte"
            f" ({args.csv_rounds} rounds interleaved with the changelist):"
            f" {csv_ms.text()} ms, median (p5–p95); the changelist {changelist_ms.text()} ms;"
            f" ratio {csv_ratio.text(1)}.",
        ],
    )


if __name__ == "__main__":
    main()
