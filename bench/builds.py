"""Benchmark (not a test): customer builds on a real Celery worker against the three simulators, each
its own process, with an added latency per platform reply.

Run with `make bench-builds`, or alone:
`DATABASE_URL=postgres://... REDIS_URL=redis://... python bench/builds.py --rounds 3`
(PostgreSQL and Redis: the worker is another process; the bench works in `<that database>_builds`,
created and dropped, and on a Redis queue of its own, removed afterwards).

It starts the BroadWorks simulator (bench/broadworks_sim.py, which writes its count of logins to a
file), the Akixi and Call Cabinet simulators, and the workers as `make run` does
(`WORKER_PROCESSES` processes of `celery -A expoe_portal worker`, default 2, each with the settings'
pool: 8 threads), then:

- warm-up: one batch of 20 simultaneous builds at 0 ms (sessions logged in, connections open);
- (a) `--rounds` batches of 20 builds pressed at once at 0 ms added latency: builds per second;
- (b) `--rounds` single builds at 50 ms per reply: the wall time against the critical-path floor, the
  longest chain of platform calls through the build's step graph (customers.builds.STEP_NEEDS when it
  exists; each step needing the one before it otherwise) times the latency, the calls per step
  counted from the build's ExternalCall rows;
- (c) the simulator's logins per build after the warm-up;
- (d) every step of a finished build run again (in this process): the platform writes it made;
- (e) duplicate platform objects: each built group once on BroadWorks, one Akixi partition and user,
  one Call Cabinet customer.

Results go into docs/benchmarks.md.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The worker and this process read the same settings from the environment: the simulators' ports,
# the credentials, a queue of the bench's own, tasks sent to the broker (not run in-process).
QUEUE = f"bench-builds-{uuid.uuid4().hex[:10]}"
BW_USER, BW_PASSWORD, AK_KEY, CC_KEY = "bench-admin", "bench-bw-pass", "bench-ak-key", "bench-cc-key"
BW_PORT, AK_PORT, CC_PORT = free_port(), free_port(), free_port()
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "expoe_portal.settings.test",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
        "TEST_BROADWORKS_GATEWAY": "integrations.broadworks.gateway.BroadWorksGateway",
        "TEST_AKIXI_GATEWAY": "integrations.akixi.client.AkixiGateway",
        "TEST_CALLCABINET_GATEWAY": "integrations.callcabinet.client.callcabinet_gateway",
        "BROADWORKS_HOST": "127.0.0.1",
        "BROADWORKS_PORT": str(BW_PORT),
        "BROADWORKS_TLS": "false",
        "BROADWORKS_USERNAME": BW_USER,
        "BROADWORKS_PASSWORD": BW_PASSWORD,
        "AKIXI_BASE_URL": f"http://127.0.0.1:{AK_PORT}/CCS/API/v1",
        "AKIXI_API_KEY": AK_KEY,
        "CALLCABINET_BASE_URL": f"http://127.0.0.1:{CC_PORT}/api/v1",
        "CALLCABINET_API_KEY": CC_KEY,
        "CALLCABINET_MODE": "api",
        "BUILD_STEP_MAX_ATTEMPTS": "20",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
    }
)
common.setup("expoe_portal.settings.test")

import httpx  # noqa: E402
from django.conf import settings  # noqa: E402

from integrations.broadworks.simulator.faults import write_faults  # noqa: E402

PARTNER = "ACME01"  # the BroadWorks simulator's demo partner, with its clone group
BATCH = 20
LATENCY_MS = 50
BUILD_DEADLINE = 300  # seconds for one batch; far more than a batch takes unless something is wrong
WRITES = {
    "add_group_from_template",
    "add_numbers_to_service_provider",
    "assign_numbers",
    "set_group_clid",
    "enable_voice_portal",
    "add_group_admin",
    "add_partition",
    "request_sync",
    "add_reporting_user",
    "add_essential_customer",
}


# --- the processes -----------------------------------------------------------------------------


def wait_until(ready, process: subprocess.Popen, log: Path, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        if process.poll() is not None:
            sys.exit(f"{what} exited:\n{log.read_text(errors='replace')}")
        if time.monotonic() > deadline:
            sys.exit(f"{what} did not start in {seconds:.0f} s:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)


@contextmanager
def process(command: list[str], log: Path, *, env: dict | None = None):
    with log.open("wb") as out:
        started = subprocess.Popen(  # noqa: S603
            command,
            cwd=common.ROOT,
            env={**os.environ, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: stopping it stops whatever it started
        )
    try:
        yield started
    finally:
        if started.poll() is None:
            os.killpg(started.pid, signal.SIGTERM)
            try:
                started.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(started.pid, signal.SIGKILL)
                started.wait(5)


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=0.5).status_code == 200
    except httpx.TransportError:
        return False


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


class Simulators:
    def __init__(self, folder: Path, stack: ExitStack):
        self.folder = folder
        self.bw_state, self.bw_faults, self.logins = (
            folder / "bw.json",
            folder / "bw.faults.json",
            folder / "logins.json",
        )
        bw_log = folder / "broadworks.log"
        bw = stack.enter_context(
            process(
                [sys.executable, str(Path(__file__).with_name("broadworks_sim.py")), "--port", str(BW_PORT)]
                + ["--state", str(self.bw_state), "--logins", str(self.logins), "--admin-user", BW_USER],
                bw_log,
                env={"BROADWORKS_SIM_PASSWORD": BW_PASSWORD},
            )
        )
        self.ak_url, self.cc_url = f"http://127.0.0.1:{AK_PORT}", f"http://127.0.0.1:{CC_PORT}"
        rest = []
        for name, port, key, extra in (
            ("akixi", AK_PORT, {"AKIXI_SIM_API_KEY": AK_KEY}, ["--sync-polls", "1"]),
            ("callcabinet", CC_PORT, {"CALLCABINET_SIM_API_KEY": CC_KEY}, []),
        ):
            log = folder / f"{name}.log"
            started = stack.enter_context(
                process(
                    [sys.executable, "-m", f"integrations.{name}.simulator", "--host", "127.0.0.1"]
                    + ["--port", str(port), "--state", str(folder / f"{name}.json"), "--log-level", "warning"]
                    + ["--preload-reseller", PARTNER, *extra],
                    log,
                    env=key,
                )
            )
            rest.append((started, log, f"http://127.0.0.1:{port}/_sim/faults", name))
        wait_until(lambda: listening(BW_PORT) and self.logins.exists(), bw, bw_log, "the BroadWorks simulator")
        for started, log, url, name in rest:
            wait_until(lambda url=url: answers(url), started, log, f"the {name} simulator")

    def latency(self, ms: int) -> None:
        """Every platform's replies wait `ms` from now on (each simulator reads its faults per request)."""
        write_faults(self.bw_faults, reply_delay_seconds=ms / 1000)
        for url in (self.ak_url, self.cc_url):
            httpx.post(f"{url}/_sim/faults", json={"delay_ms": ms, "rules": []}, timeout=5).raise_for_status()

    def bw_logins(self) -> int:
        return json.loads(self.logins.read_text())["logins"]

    def states(self) -> tuple[dict, dict, dict]:
        bw = json.loads(self.bw_state.read_text())
        ak = httpx.get(f"{self.ak_url}/_sim/state", timeout=5).json()
        cc = httpx.get(f"{self.cc_url}/_sim/state", timeout=5).json()
        return bw, ak, cc


# As `make run` starts them: WORKER_PROCESSES processes, each with the settings' thread pool.
WORKER_PROCESSES = int(os.environ.get("WORKER_PROCESSES", "2"))


@contextmanager
def worker(folder: Path):
    """The Procfile's workers (`celery -A expoe_portal worker`, WORKER_PROCESSES of them, as `make run`
    starts them) on this database and queue."""
    with ExitStack() as stack:
        names = []
        for index in range(1, WORKER_PROCESSES + 1):
            log = folder / f"worker.{index}.log"
            name = f"{QUEUE}-{index}@{socket.gethostname()}"
            # The pool is the settings' (CELERY_WORKER_POOL, CELERY_WORKER_CONCURRENCY).
            command = [sys.executable, "-m", "celery", "-A", "expoe_portal", "worker"]
            command += ["--loglevel", "WARNING", "--without-gossip"]
            command += ["--without-mingle", "--without-heartbeat", "--hostname", name, "--queues", QUEUE]
            started = stack.enter_context(process(command, log, env={"DATABASE_URL": common.database_url()}))
            names.append((name, started, log))
        from celery.app.control import Control

        from expoe_portal.celery import app

        control = Control(app)
        for name, started, log in names:
            wait_until(lambda name=name: bool(control.ping([name], timeout=0.5)), started, log, f"the worker {name}")
        yield [started for _, started, _ in names]


def forget_queue() -> None:
    """Remove the bench's queue and anything of it left on the shared Redis."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(match=f"*{QUEUE}*"):
        client.delete(key)
    for tag, raw in client.hgetall("unacked").items():
        if json.loads(raw)[2] == QUEUE:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


# --- the data ----------------------------------------------------------------------------------


def make_groups(count: int) -> tuple[object, list]:
    from accounts.choices import Role
    from accounts.services import user_create
    from customers import services as customer_services
    from number_pool import services as number_services
    from partners.models import Partner, PartnerContact

    partner = Partner.objects.create(partner_id=PARTNER, name="Acme", clone_group_id=f"{PARTNER}-CLONE", live=True)
    PartnerContact.objects.create(partner=partner, name="Ops", email="ops@acme.invalid", phone="+442079460000")
    coordinator = user_create(username="bench-coordinator", role=Role.COORDINATOR, password="bench-pass-12345")
    # 020 7946 xxxx, above the simulator's demo pool (0000-0099).
    numbers = [f"+44207946{2000 + n:04d}" for n in range(3 * count)]
    number_services.numbers_add(by=coordinator, partner=partner, numbers=numbers)
    groups = []
    for i in range(count):
        own = numbers[3 * i : 3 * i + 3]
        group, _ = customer_services.customer_group_create(
            by=coordinator,
            partner=partner,
            data={
                "group_id": f"Bench{i:03d}",
                "name": f"Bench customer {i}",
                "domain": "hostedcomm.com",
                "extension_length": 4,
                "numbers": own,
                "business_profile_number": own[0],
                "voice_portal": {"number": own[1], "extension": "8000", "external_dial_in": True},
                "admins": [{"first_name": "Bench", "last_name": f"Admin{i}", "password": ""}],
                "akixi": {
                    "licence": settings.AKIXI_LICENCES[0],
                    "users": [{"username": f"bench{i:03d}.reports", "full_name": "Bench", "email": "b@bench.invalid"}],
                },
                "callcabinet": {"admin_name": "Bench", "admin_email": "b@bench.invalid"},
            },
        )
        groups.append(group)
    return coordinator, groups


def build_all(coordinator, groups: list) -> float:
    """Press Build on every group at once, wait for every build to finish; seconds from the first
    build queued to the last finished, as the database recorded them."""
    from customers import builds
    from customers.models import ServiceBuild

    for group in groups:
        builds.build_start(by=coordinator, group=group)
    pks = [g.pk for g in groups]
    deadline = time.monotonic() + BUILD_DEADLINE
    while ServiceBuild.objects.filter(group_id__in=pks, finished_at__isnull=True).exists():
        if time.monotonic() > deadline:
            left = list(ServiceBuild.objects.filter(group_id__in=pks, finished_at__isnull=True).values("status"))
            sys.exit(f"builds did not finish in {BUILD_DEADLINE} s: {left}")
        time.sleep(0.02)
    done = ServiceBuild.objects.filter(group_id__in=pks)
    first = min(b.queued_at for b in done)
    last = max(b.finished_at for b in done)
    return (last - first).total_seconds()


def succeeded(groups: list) -> int:
    from customers.models import ServiceBuild

    return ServiceBuild.objects.filter(group_id__in=[g.pk for g in groups], status="succeeded").count()


def calls_per_step(group) -> dict[str, int]:
    from django.db.models import Count

    from integrations.models import ExternalCall

    rows = (
        ExternalCall.objects.filter(context__startswith=f"build:{group.build.pk}/step:")
        .values("context")
        .annotate(n=Count("id"))
    )
    return {row["context"].split("/step:", 1)[1]: row["n"] for row in rows}


def step_needs(step_names: list[str]) -> tuple[dict[str, list[str]], str]:
    """What each step waits for: customers.builds.STEP_NEEDS where it exists (a step it does not name
    needs nothing); until then the build is linear, each step needing the one before it."""
    from customers import builds

    graph = getattr(builds, "STEP_NEEDS", None)
    if graph is None:
        return {name: step_names[:i][-1:] for i, name in enumerate(step_names)}, "linear (no STEP_NEEDS yet)"
    return {name: [n for n in graph.get(name, ()) if n in step_names] for name in step_names}, "STEP_NEEDS"


def critical_path(calls: dict[str, int], needs: dict[str, list[str]]) -> tuple[int, list[str]]:
    """The most calls along any chain of steps, each waiting for the ones it needs; and that chain."""
    best: dict[str, tuple[int, list[str]]] = {}

    def longest(step: str) -> tuple[int, list[str]]:
        if step not in best:
            before = max((longest(n) for n in needs[step]), default=(0, []))
            best[step] = (before[0] + calls.get(step, 0), [*before[1], step])
        return best[step]

    return max(longest(step) for step in needs)


def chain_timeline(group, chain: list[str], needs: dict[str, list[str]], calls: dict[str, int]) -> list[dict]:
    """Where the chain's time goes, step by step: from the moment its needs were done (the build
    queued, for the first) to its start (the hand-over: commit, message, claim), and its run beyond
    its calls' latency (the portal's own work in the step)."""
    from django.db.models import Sum

    from integrations.models import ExternalCall

    steps = {s.name: s for s in group.build.steps.all()}
    rows = []
    for name in chain:
        step = steps[name]
        ready = max((steps[n].finished_at for n in needs[name]), default=group.build.queued_at)
        run_ms = (step.finished_at - step.started_at).total_seconds() * 1000
        context = f"build:{group.build.pk}/step:{name}"
        in_calls_ms = ExternalCall.objects.filter(context=context).aggregate(t=Sum("duration_ms"))["t"] or 0
        rows.append(
            {
                "step": name,
                "handover_ms": (step.started_at - ready).total_seconds() * 1000,
                "calls_beyond_latency_ms": in_calls_ms - calls.get(name, 0) * LATENCY_MS,
                "own_ms": run_ms - in_calls_ms,
            }
        )
    return rows


def duplicates(bw: dict, ak: dict, cc: dict, groups: list) -> list[str]:
    """Whatever a built group has more (or less) than once on any platform."""
    found = []
    bw_groups = bw["service_providers"][PARTNER]["groups"]
    for group in groups:
        gid = group.group_id
        if gid not in bw_groups:
            found.append(f"{gid}: no BroadWorks group")
        kinds = sorted(u["kind"] for u in bw["users"].values() if u.get("group_id") == gid)
        if kinds != ["group_admin", "voice_portal"]:
            found.append(f"{gid}: BroadWorks users {kinds}")
        partitions = [p for p in ak["partitions"].values() if p["GroupId"] == gid]
        if len(partitions) != 1:
            found.append(f"{gid}: {len(partitions)} Akixi partitions")
        else:
            users = [u for u in ak["users"].values() if u["PartitionPermission"] == [partitions[0]["Id"]]]
            if len(users) != 1:
                found.append(f"{gid}: {len(users)} Akixi users")
        customers = [c for c in cc["customers"].values() if c["BroadWorksGroupId"] == gid]
        if len(customers) != 1:
            found.append(f"{gid}: {len(customers)} Call Cabinet customers")
    return found


def rerun_writes(group) -> int:
    """Every step of a finished build run again, here: the platform writes it made."""
    from customers.build_steps import STEPS
    from integrations.models import ExternalCall
    from integrations.platforms import get_platforms

    last = ExternalCall.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for step in group.build.steps.order_by("position"):
        STEPS[step.name](group=group, platforms=get_platforms())
    return ExternalCall.objects.filter(pk__gt=last, operation__in=WRITES).count()


# --- the run -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="batches of 20 at 0 ms, and single builds at 50 ms")
    args = parser.parse_args()
    common.require_postgresql("bench/builds.py")
    if not settings.REDIS_URL:
        sys.exit("bench/builds.py needs Redis: set REDIS_URL=redis://...")
    from customers.models import CustomerGroup

    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        stack.callback(forget_queue)
        stack.enter_context(common.throwaway_database("builds"))
        folder = Path(tmp)
        database = common.database_description()
        machine = common.machine()
        coordinator, groups = make_groups(BATCH * (1 + args.rounds) + args.rounds)
        sims = Simulators(folder, stack)
        stack.enter_context(worker(folder))

        sims.latency(0)
        warm, rest = groups[:BATCH], groups[BATCH:]
        build_all(coordinator, warm)
        logins_after_warmup = sims.bw_logins()
        batches = []
        for round_ in range(args.rounds):
            batch = rest[round_ * BATCH : (round_ + 1) * BATCH]
            seconds = build_all(coordinator, batch)
            batches.append({"seconds": seconds, "builds_per_second": BATCH / seconds, "succeeded": succeeded(batch)})
            print(f"(a) round {round_ + 1}: {BATCH / seconds:.2f} builds/s", flush=True)
        logins_batches = sims.bw_logins() - logins_after_warmup

        sims.latency(LATENCY_MS)
        singles = []
        for group in rest[args.rounds * BATCH :]:
            before = sims.bw_logins()
            seconds = build_all(coordinator, [group])
            group = CustomerGroup.objects.select_related("partner").get(pk=group.pk)
            calls = calls_per_step(group)
            names = list(group.build.steps.order_by("position").values_list("name", flat=True))
            needs, graph = step_needs(names)
            chain_calls, chain = critical_path(calls, needs)
            floor = chain_calls * LATENCY_MS / 1000
            timeline = chain_timeline(group, chain, needs, calls)
            singles.append(
                {
                    "seconds": seconds,
                    "floor": floor,
                    "ratio": seconds / floor,
                    "calls": sum(calls.values()),
                    "chain_calls": chain_calls,
                    "chain": chain,
                    "graph": graph,
                    "timeline": timeline,
                    "logins": sims.bw_logins() - before,
                    "succeeded": succeeded([group]),
                }
            )
            print(f"(b) {seconds:.2f} s against a floor of {floor:.2f} s", flush=True)

        sims.latency(0)
        built = [g for g in groups if succeeded([g])]
        finished = CustomerGroup.objects.select_related("partner").get(pk=built[0].pk)
        writes = rerun_writes(finished)
        found = duplicates(*sims.states(), groups=built)
        measured = len(rest)
        report = {
            "args": args,
            "database": database,
            "machine": machine,
            "batches": batches,
            "singles": singles,
            "logins_per_build": (logins_batches + sum(s["logins"] for s in singles)) / measured,
            "rerun_writes": writes,
            "duplicates": found,
            "built": len(built),
            "total": len(groups),
        }
    write_report(report)


def write_report(r: dict) -> None:
    batches, singles = r["batches"], r["singles"]
    rate = common.Spread.of([b["builds_per_second"] for b in batches])
    wall = common.Spread.of([s["seconds"] for s in singles])
    floor = common.Spread.of([s["floor"] for s in singles])
    ratio = common.Spread.of([s["ratio"] for s in singles])
    example = singles[0]
    from customers.builds import ROUND_TRIPS

    expected = sum(ROUND_TRIPS.values())
    common.write_section(
        "builds",
        [
            "## Customer builds on a real worker (`bench/builds.py`)",
            "",
            "The standard request (3 numbers, 1 admin, 1 Akixi user, Call Cabinet) built by real Celery workers as"
            f" `make run` starts them ({WORKER_PROCESSES} processes, each with its `{settings.CELERY_WORKER_POOL}` pool"
            f" of {settings.CELERY_WORKER_CONCURRENCY}) on Redis, the"
            " real gateways talking over"
            " sockets to the three simulators, each its own process; the added latency is per platform reply."
            f" A warm-up batch of {BATCH} builds at 0 ms comes first and is not counted.",
            "",
            f"- Machine: {r['machine']}. The worker, the simulators, PostgreSQL and Redis share its cores.",
            f"- Database: {r['database']}. Date: {time.strftime('%Y-%m-%d %H:%M')}.",
            f"- Builds that succeeded: {r['built']} of {r['total']}.",
            "",
            "| measure | result |",
            "|---|---:|",
            f"| (a) {BATCH} builds pressed at once, 0 ms: builds/s, median (least–most) of {len(batches)} rounds"
            f" | {rate.text(2)} |",
            f"| (b) one build at {LATENCY_MS} ms per reply: wall time, s ({len(singles)} rounds) | {wall.text(2)} |",
            f"| (b) its critical-path floor, s: the longest chain of calls × {LATENCY_MS} ms | {floor.text(2)} |",
            f"| (b) wall time ÷ floor | {ratio.text(2)} |",
            f"| (c) BroadWorks logins per build after the warm-up | {r['logins_per_build']:.2f} |",
            f"| (d) platform writes when every step of a finished build runs again | {r['rerun_writes']} |",
            f"| (e) duplicate (or missing) platform objects | {len(r['duplicates'])} |",
            "",
            f"The floor's step graph: {example['graph']}. Its longest chain in the first (b) build:"
            f" {' → '.join(example['chain'])}, {example['chain_calls']} calls of the build's {example['calls']}"
            f" (a first build makes {expected}: customers.builds.ROUND_TRIPS).",
            "",
            "Where the first (b) build's chain spent its time beyond the added latency, in ms: the hand-over"
            " (from its needs done, or the build queued, to the step's start: commit, message, claim); its calls"
            " beyond the latency (the simulator's own work, the socket, the client); and the step's own work"
            " outside its calls (reading the request, recording each call, recording the outcome). The build"
            " ends in the last step's transaction.",
            "",
            "| step | hand-over | calls beyond the latency | own work |",
            "|---|---:|---:|---:|",
            *(
                f"| {t['step']} | {t['handover_ms']:.0f} | {t['calls_beyond_latency_ms']:.0f} | {t['own_ms']:.0f} |"
                for t in example["timeline"]
            ),
            *(["", "Duplicates: " + "; ".join(r["duplicates"])] if r["duplicates"] else []),
        ],
    )


if __name__ == "__main__":
    main()
