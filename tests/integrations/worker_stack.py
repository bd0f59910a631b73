"""The processes of a real deployment, started for one test: a Celery worker and beat on real Redis,
the BroadWorks, Akixi and Call Cabinet simulators as their own processes over sockets, and the
test's own PostgreSQL database. The `stack` fixture (conftest.py) builds one; tests here drive it.

The stack runs with production's visibility timeout (an hour: a message lost with a killed worker
never comes back within a test) and with leases, sweeps and retry delays of seconds, not minutes,
so that what the durable work engine recovers, it recovers within the test.
"""

import base64
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from accounts.choices import Role
from customers.models import ServiceBuild
from customers.services import customer_group_create
from integrations.broadworks.simulator import make_fault, write_faults
from number_pool.services import numbers_add
from tests.customers.build_request_data import valid_request
from tests.integrations.akixi.sim_servers import REPO_ROOT, free_port

CANARY = "Canary-Worker-Pass-93"
BW_USER, BW_PASSWORD = "portal-admin", "bw-worker-pass"
AK_KEY, CC_KEY = "ak-worker-key", "cc-worker-key"
AKIXI_API, CALLCABINET_API = "/CCS/API/v1", "/api/v1"
SURNAMES = ["Lovelace", "Hopper", "Turing", "Babbage", "Shannon", "Johnson", "Hamilton", "Ritchie"]
BUILD_DEADLINE = 90  # seconds; a build takes a few seconds here unless something is wrong


# --- the processes ---------------------------------------------------------------------------------


@contextmanager
def broadworks_in_process(state: Path, faults: Path):
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "integrations.broadworks.simulator", "--port", str(port), "--state", str(state)]
        + ["--faults", str(faults), "--preload-demo", "--admin-user", BW_USER, "--log-level", "WARNING"],
        cwd=REPO_ROOT,
        env={**os.environ, "BROADWORKS_SIM_PASSWORD": BW_PASSWORD},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30  # it loads the OCI-P schema first: seconds, more on a busy machine
        while True:
            assert process.poll() is None, "the OCI-P simulator exited"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the OCI-P simulator did not start"
                time.sleep(0.05)
        yield port
    finally:
        process.kill()
        process.wait(5)


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The parent pid is the second field after the command, which is in parentheses.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@dataclass
class Stack:
    tmp: Path
    env: dict
    bw_state: Path
    bw_faults: Path
    akixi_url: str
    callcabinet_url: str
    redis_url: str
    queue: str
    worker: subprocess.Popen | None = None  # the worker started last
    beat: subprocess.Popen | None = None
    logs: list[Path] = field(default_factory=list)
    # Every worker started, each with its log: several consume the one queue, like several hosts.
    workers: list[tuple[subprocess.Popen, Path]] = field(default_factory=list)

    def _start(self, *args: str, name: str) -> subprocess.Popen:
        log = self.tmp / f"{name}-{len(self.logs)}.log"
        self.logs.append(log)
        with log.open("wb") as out:
            # Its own session, so "kill the whole worker" can reach every process it started.
            return subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "celery", "-A", "expoe_portal", *args],
                cwd=REPO_ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def start_worker(self) -> subprocess.Popen:
        worker = self._start(
            # The pool comes from the environment (CELERY_WORKER_POOL, CELERY_WORKER_CONCURRENCY: the
            # stack's default is one prefork child, which the kill tests kill): Celery takes
            # "--pool prefork" on the command line for its default and lets the setting win.
            "worker", "--loglevel", "INFO", "--without-gossip",
            "--without-mingle", "--without-heartbeat", "--hostname", f"acceptance{len(self.logs)}@%h",
            name="worker",
        )  # fmt: skip
        log = self.logs[-1]
        self.worker = worker
        self.workers.append((worker, log))
        deadline = time.monotonic() + 30
        while b"ready." not in log.read_bytes():
            assert worker.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the worker did not start:\n" + log.read_text()
            time.sleep(0.1)
        return worker

    def start_beat(self) -> None:
        schedule = str(self.tmp / "beat-schedule")
        self.beat = self._start("beat", "--loglevel", "INFO", "--schedule", schedule, name="beat")

    def kill_worker_child(self) -> int:
        (child,) = children_of(self.worker.pid)
        os.kill(child, signal.SIGKILL)
        return child

    def kill_whole_worker(self) -> None:
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait(10)

    def stop(self) -> None:
        for process in [worker for worker, _ in self.workers] + [self.beat]:
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)

    def all_logs(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in self.logs)

    # Faults, set from outside while the simulators run.
    def broadworks_fault(self, kind: str, request: str, **options) -> None:
        write_faults(self.bw_faults, [make_fault(kind, request=request, **options)])

    def rest_faults(self, base_url: str, rules: list[dict]) -> None:
        httpx.post(f"{base_url}/_sim/faults", json={"rules": rules}, timeout=5).raise_for_status()

    def bw(self) -> dict:
        return json.loads(self.bw_state.read_text())

    def akixi(self) -> dict:
        return httpx.get(f"{self.akixi_url}/_sim/state", timeout=5).json()

    def callcabinet(self) -> dict:
        return httpx.get(f"{self.callcabinet_url}/_sim/state", timeout=5).json()

    def setting(self, name: str) -> float:
        return float(self.env[name])

    def unacked_retries(self, task: str) -> list[list]:
        """The arguments of this queue's countdown messages of `task` that a worker took and never
        acknowledged: the broker holds them until its visibility timeout (an hour) has passed."""
        return [args for name, args, eta in unacked_messages(self.redis_url, self.queue) if name == task and eta]


def unacked_messages(redis_url: str, queue: str) -> list[tuple[str, list, str | None]]:
    """(task name, arguments, ETA) of every unacknowledged message routed to `queue` (kombu keeps
    them in the `unacked` hash as [message, exchange, routing key]); a countdown message has an ETA."""
    import redis

    found = []
    for raw in redis.Redis.from_url(redis_url).hvals("unacked"):
        message, _exchange, routing_key = json.loads(raw)
        if routing_key == queue:
            args = json.loads(base64.b64decode(message["body"]))[0]
            found.append((message["headers"]["task"], args, message["headers"].get("eta")))
    return found


def forget_queue(redis_url: str, queue: str) -> None:
    """Remove this test's queue, its bindings and its unacknowledged messages from the shared Redis,
    so nothing of it comes back to anyone an hour later."""
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"*{queue}*"):
        client.delete(key)
    for tag, raw in client.hgetall("unacked").items():
        if json.loads(raw)[2] == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


class RedisMonitor:
    """Every command Redis receives while it runs (MONITOR), read on a raw socket in a thread."""

    def __init__(self, url: str):
        parsed = urlparse(url)
        self.sock = socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=5)
        self.sock.sendall(b"MONITOR\r\n")
        self.data = bytearray()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        self.sock.settimeout(None)
        while chunk := self._recv():
            self.data += chunk

    def _recv(self) -> bytes:
        try:
            return self.sock.recv(65536)
        except OSError:
            return b""

    def stop(self) -> str:
        time.sleep(0.3)
        self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self.thread.join(5)
        return self.data.decode("utf-8", "replace")


def decoded_tokens(text: str) -> str:
    """Kombu sends message bodies base64-encoded: decode every token that looks like base64."""
    decoded = []
    for token in re.findall(r"[A-Za-z0-9+/]{16,}={0,2}", text):
        try:
            decoded.append(base64.b64decode(token + "=" * (-len(token) % 4)).decode("utf-8", "replace"))
        except ValueError:
            continue
    return "\n".join(decoded)


def new_group(world, index: int, *, password: str = ""):
    """Customer `index` of partner A, with its own three numbers, admin and Akixi user."""
    numbers = [f"+44207946{n:04d}" for n in range(index * 3, index * 3 + 3)]
    numbers_add(by=world.user(Role.PROVISIONING_ADMIN), partner=world.partner_a, numbers=numbers)
    surname = SURNAMES[index]
    group, _ = customer_group_create(
        by=world.user(Role.COORDINATOR),
        partner=world.partner_a,
        data=valid_request(
            group_id=f"Customer{index}",
            name=f"Customer {surname} Ltd",
            numbers=numbers,
            business_profile_number=numbers[0],
            voice_portal__number=numbers[1],
            admins=[{"first_name": "Ada", "last_name": surname, "user_id": "", "password": password}],
            akixi__users=[
                {"username": f"customer{index}.reports", "full_name": f"Ada {surname}", "email": "a@x.invalid"}
            ],
        ),
    )
    return group


def press_build(api_as, world, group):
    response = api_as(world.user(Role.COORDINATOR)).post(f"/api/v1/customer-groups/{group.pk}/build/")
    assert response.status_code in (200, 202), response.content
    return response


def wait_for(build_or_group, statuses=("succeeded", "failed", "cancelled"), deadline=BUILD_DEADLINE):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        build = ServiceBuild.objects.filter(group_id=build_or_group.pk).first()
        if build and build.status in statuses:
            return build
        time.sleep(0.2)
    steps = list(build.steps.values_list("name", "status", "attempts", "last_error")) if build else None
    pytest.fail(f"the build did not reach {statuses} in {deadline} s: {build and build.status} {steps}")


def wait_until_running(group, step_name: str, deadline=30):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        build = ServiceBuild.objects.filter(group_id=group.pk).first()
        if build and build.steps.filter(name=step_name, status="running").exists():
            return
        time.sleep(0.05)
    pytest.fail(f"step {step_name} never ran")


def assert_built_exactly_once(stack: Stack, groups) -> None:
    """Each group exists once on each platform, with its numbers, admin, partition, user, customer."""
    bw, ak, cc = stack.bw(), stack.akixi(), stack.callcabinet()
    bw_groups = bw["service_providers"]["ACME01"]["groups"]
    for group in groups:
        built = bw_groups[group.group_id]
        # BroadWorks writes numbers with the country code set off: +44-2079460000.
        assert sorted(n.replace("-", "") for n in built["dns"]) == sorted(group.numbers.values_list("e164", flat=True))
        kinds = sorted(u["kind"] for u in bw["users"].values() if u.get("group_id") == group.group_id)
        assert kinds == ["group_admin", "voice_portal"], kinds
        partitions = [p for p in ak["partitions"].values() if p["GroupId"] == group.group_id]
        assert len(partitions) == 1, partitions
        users = [u for u in ak["users"].values() if u["PartitionPermission"] == [partitions[0]["Id"]]]
        assert [u["Username"] for u in users] == [f"{group.group_id.lower()}.reports"]
        customers = [c for c in cc["customers"].values() if c["BroadWorksGroupId"] == group.group_id]
        assert len(customers) == 1 and customers[0]["CustomerType"] == "Essential", customers
    assert len(bw_groups) == len(groups)  # (the clone templates live in their own enterprise)
