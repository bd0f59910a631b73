"""Customer builds run by a real Celery worker process, through real Redis, against the three
simulators running as their own processes over sockets: what CI exists to prove (issue #5).

- transient faults on several calls still end with exactly one of each object;
- a permanent fault fails the build with the platform's reason, and retry succeeds once it clears;
- a worker child killed with SIGKILL mid-step, and the whole worker killed and restarted, at several
  points: every build completes, nothing is created twice;
- two clicks on "build" at the same moment make one build;
- a canary password used in a build, and the platform credentials, appear in no log, ExternalCall
  row, task message or Redis.

The worker runs with short time limits and visibility timeout (seconds, not minutes), so lost
messages come back within the test; production uses the same code with longer ones.
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
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest
from django.db import connection

from accounts.choices import Role
from integrations.broadworks.simulator import make_fault, write_faults
from integrations.models import ExternalCall
from onboarding import services
from onboarding.models import ServiceBuild
from tests.integrations.akixi.sim_servers import REPO_ROOT, free_port, serving_in_process
from tests.onboarding.build_request_data import valid_request
from tests.services import redis_url_or_skip, require_postgresql

pytestmark = pytest.mark.django_db(transaction=True)

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
        deadline = time.monotonic() + 10
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
    worker: subprocess.Popen | None = None
    beat: subprocess.Popen | None = None
    logs: list[Path] = field(default_factory=list)

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

    def start_worker(self) -> None:
        self.worker = self._start(
            "worker", "--pool", "prefork", "--concurrency", "1", "--loglevel", "INFO", "--without-gossip",
            "--without-mingle", "--without-heartbeat", "--hostname", f"acceptance{len(self.logs)}@%h",
            name="worker",
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while b"ready." not in self.logs[-1].read_bytes():
            assert self.worker.poll() is None, self.logs[-1].read_text()
            assert time.monotonic() < deadline, "the worker did not start:\n" + self.logs[-1].read_text()
            time.sleep(0.1)

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
        for process in (self.worker, self.beat):
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


@pytest.fixture
def stack(tmp_path, world, use_broker):
    require_postgresql()
    redis_url = redis_url_or_skip()
    # A queue of this test's own: nothing left over from an interrupted run reaches its worker, and
    # nobody else's queued work on the same Redis is touched.
    queue = f"acceptance-{uuid.uuid4().hex[:12]}"
    # (Routes, not the default queue: Celery re-reads routes when they change, and caches the rest.)
    use_broker(redis_url, eager=False).conf.update(task_routes={"*": {"queue": queue}})
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    bw_state, bw_faults = tmp_path / "bw.json", tmp_path / "bw.faults.json"
    with (
        broadworks_in_process(bw_state, bw_faults) as bw_port,
        serving_in_process(
            "integrations.akixi.simulator",
            tmp_path / "ak.json",
            env={"AKIXI_SIM_API_KEY": AK_KEY},
            args=["--sync-polls", "1", "--preload-reseller", "ACME01"],
        ) as akixi_url,
        serving_in_process(
            "integrations.callcabinet.simulator",
            tmp_path / "cc.json",
            env={"CALLCABINET_SIM_API_KEY": CC_KEY},
            args=["--preload-reseller", "ACME01"],
        ) as callcabinet_url,
    ):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "expoe_portal.settings.test",
            "DATABASE_URL": database_url,  # the test database this test writes to
            "REDIS_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "TEST_BROADWORKS_GATEWAY": "integrations.broadworks.gateway.BroadWorksGateway",
            "TEST_AKIXI_GATEWAY": "integrations.akixi.client.AkixiGateway",
            "TEST_CALLCABINET_GATEWAY": "integrations.callcabinet.client.callcabinet_gateway",
            "BROADWORKS_HOST": "127.0.0.1",
            "BROADWORKS_PORT": str(bw_port),
            "BROADWORKS_TLS": "false",
            "BROADWORKS_USERNAME": BW_USER,
            "BROADWORKS_PASSWORD": BW_PASSWORD,
            "BROADWORKS_TIMEOUT": "3",
            "AKIXI_BASE_URL": akixi_url + AKIXI_API,
            "AKIXI_API_KEY": AK_KEY,
            "AKIXI_TIMEOUT": "3",
            "CALLCABINET_BASE_URL": callcabinet_url + CALLCABINET_API,
            "CALLCABINET_API_KEY": CC_KEY,
            "CALLCABINET_TIMEOUT": "3",
            "CALLCABINET_MODE": "api",
            # Seconds instead of minutes, so lost messages and expired leases come back in the test.
            "CELERY_REDIS_VISIBILITY_TIMEOUT": "15",
            "CELERY_TASK_SOFT_TIME_LIMIT": "8",
            "CELERY_TASK_TIME_LIMIT": "10",
            "BUILD_RETRY_MAX_DELAY": "1",
            "BUILD_SWEEP_INTERVAL": "2",
            "BUILD_STEP_MAX_ATTEMPTS": "10",
        }
        stack = Stack(tmp_path, env, bw_state, bw_faults, akixi_url, callcabinet_url)
        stack.start_worker()
        stack.start_beat()
        try:
            yield stack
        finally:
            stack.stop()
            import redis

            client = redis.Redis.from_url(redis_url)
            for key in client.scan_iter(match=f"*{queue}*"):  # this test's queue and bindings only
                client.delete(key)


def new_group(world, index: int, *, password: str = ""):
    """Customer `index` of partner A, with its own three numbers, admin and Akixi user."""
    numbers = [f"+44207946{n:04d}" for n in range(index * 3, index * 3 + 3)]
    services.numbers_add(by=world.user(Role.PROVISIONING_ADMIN), partner=world.partner_a, numbers=numbers)
    surname = SURNAMES[index]
    group, _ = services.customer_group_create(
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
        assert sorted(built["dns"]) == sorted(group.numbers.values_list("e164", flat=True))
        kinds = sorted(u["kind"] for u in bw["users"].values() if u.get("group_id") == group.group_id)
        assert kinds == ["group_admin", "voice_portal"], kinds
        partitions = [p for p in ak["partitions"].values() if p["GroupId"] == group.group_id]
        assert len(partitions) == 1, partitions
        users = [u for u in ak["users"].values() if u["PartitionPermission"] == [partitions[0]["Id"]]]
        assert [u["Username"] for u in users] == [f"{group.group_id.lower()}.reports"]
        customers = [c for c in cc["customers"].values() if c["BroadWorksGroupId"] == group.group_id]
        assert len(customers) == 1 and customers[0]["CustomerType"] == "Essential", customers
    assert len(bw_groups) == len(groups)  # (the clone templates live in their own enterprise)


# --- the acceptance tests ----------------------------------------------------------------------


def test_transient_faults_on_several_calls_still_build_exactly_one_of_each_and_no_password_leaks(
    stack, world, api_as, settings
):
    monitor = RedisMonitor(settings.REDIS_URL or os.environ["REDIS_URL"])
    group = new_group(world, 0, password=CANARY)
    # OCI-P: the connection drops before the group is made, then the reply to the number assignment
    # is lost after it was carried out; Akixi and Call Cabinet are briefly unavailable.
    write_faults(
        stack.bw_faults,
        [
            make_fault("disconnect", request="GroupConsolidatedAddRequest"),
            make_fault("drop", request="GroupDnAssignListRequest"),
            make_fault("reset", request="GroupAdminAddRequest"),
        ],
    )
    stack.rest_faults(stack.akixi_url, [{"kind": "unavailable", "method": "POST", "count": 2}])
    stack.rest_faults(stack.callcabinet_url, [{"kind": "unavailable", "path": f"{CALLCABINET_API}/customers"}])

    press_build(api_as, world, group)
    build = wait_for(group)

    assert build.status == "succeeded", list(build.steps.values_list("name", "last_error"))
    assert build.steps.filter(attempts__gt=1).count() >= 4, "the faults were met and retried"
    assert_built_exactly_once(stack, [group])
    redis_traffic = monitor.stop()
    assert "onboarding.tasks.run_build_step" in redis_traffic, "the monitor saw the task messages"
    assert f"[{build.pk}]" in decoded_tokens(redis_traffic), "and could read their arguments"
    for where, text in {
        "Redis (raw)": redis_traffic,
        "Redis (decoded messages)": decoded_tokens(redis_traffic),
        "worker and beat logs": stack.all_logs(),
        "ExternalCall rows": json.dumps(list(ExternalCall.objects.values("request", "response", "error"))),
    }.items():
        for secret in (CANARY, BW_PASSWORD, AK_KEY, CC_KEY):  # the admin's password and our credentials
            assert secret not in text, f"a secret appears in {where}"


def test_a_permanent_fault_fails_with_the_platforms_reason_and_retry_succeeds_once_cleared(stack, world, api_as):
    group = new_group(world, 1)
    reason = "Provider ACME01 is suspended in Call Cabinet"
    stack.rest_faults(
        stack.callcabinet_url,
        [{"kind": "reject", "status": 403, "reason": reason, "method": "POST", "path": f"{CALLCABINET_API}/customers"}],
    )

    press_build(api_as, world, group)
    build = wait_for(group)
    assert build.status == "failed"
    assert reason in build.last_error
    failed = build.steps.get(status="failed")
    assert failed.name == "callcabinet_customer" and reason in failed.last_error
    shown = api_as(world.user(Role.PARTNER_USER)).get(f"/api/v1/customer-groups/{group.pk}/").json()["build"]
    assert shown["status"] == "failed" and any(reason in (s["error"] or "") for s in shown["steps"])

    # The fault was used up (the cause "fixed"): retry resumes at the failed step and finishes.
    press_build(api_as, world, group)
    build = wait_for(group, statuses=("succeeded", "failed"))
    assert build.status == "succeeded", build.last_error
    assert_built_exactly_once(stack, [group])


KILL_POINTS = [
    # (step, how to hold it mid-call long enough to kill the worker there)
    ("clone_group", "broadworks", "GroupConsolidatedAddRequest"),  # carried out, reply not yet sent
    ("admins", "broadworks", "GroupAdminAddRequest"),
    ("akixi_users", "akixi", f"{AKIXI_API}/users"),  # killed before Akixi carries it out
    ("callcabinet_customer", "callcabinet", f"{CALLCABINET_API}/customers"),
]


def hold(stack: Stack, platform: str, target: str) -> None:
    if platform == "broadworks":
        stack.broadworks_fault("delay", target, delay_seconds=2.5)
    else:
        url = stack.akixi_url if platform == "akixi" else stack.callcabinet_url
        stack.rest_faults(url, [{"kind": "slow", "method": "POST", "path": target, "delay_ms": 2500}])


def test_a_worker_child_killed_mid_step_at_several_points_finishes_every_build_once(stack, world, api_as):
    groups = []
    for index, (step, platform, target) in enumerate(KILL_POINTS):
        group = new_group(world, index)
        groups.append(group)
        hold(stack, platform, target)
        press_build(api_as, world, group)
        wait_until_running(group, step)
        time.sleep(0.5)  # inside the platform call
        stack.kill_worker_child()
        build = wait_for(group)
        assert build.status == "succeeded", list(build.steps.values_list("name", "status", "last_error"))
        assert build.steps.get(name=step).attempts == 2, "the killed step ran again, once"
    assert stack.worker.poll() is None, "the worker itself stayed up and replaced its child"
    assert_built_exactly_once(stack, groups)


def test_the_whole_worker_killed_and_restarted_finishes_every_build_once(stack, world, api_as):
    groups = []
    for index, (step, platform, target) in enumerate(KILL_POINTS[::3]):  # BroadWorks and Call Cabinet
        group = new_group(world, 4 + index)
        groups.append(group)
        hold(stack, platform, target)
        press_build(api_as, world, group)
        wait_until_running(group, step)
        time.sleep(0.5)
        stack.kill_whole_worker()
        stack.start_worker()
        build = wait_for(group)
        assert build.status == "succeeded", list(build.steps.values_list("name", "status", "last_error"))
    assert_built_exactly_once(stack, groups)


def test_two_clicks_at_the_same_moment_make_one_build(stack, world):
    from django.test import Client

    group = new_group(world, 6)
    barrier = threading.Barrier(2)
    statuses = []

    def click():
        client = Client()
        client.force_login(world.user(Role.COORDINATOR))
        barrier.wait()
        statuses.append(client.post(f"/api/v1/customer-groups/{group.pk}/build/").status_code)
        connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    build = wait_for(group)
    assert build.status == "succeeded"
    assert ServiceBuild.objects.filter(group=group).count() == 1
    assert statuses == [200, 200], "both clicks answer with the one build"
    assert_built_exactly_once(stack, [group])
    group_adds = ExternalCall.objects.filter(operation="add_group_from_template", target="ACME01/Customer6")
    assert group_adds.count() == 1, "one build ran its steps once"
