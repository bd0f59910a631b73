"""Benchmark: customer builds against the three simulators over sockets (not a test).

Run with `make bench-builds` (or `python bench/builds.py`). For zero added latency and for 50 ms
per platform reply it runs BUILDS builds one after another in-process (Celery eager mode), then
reports builds per second, platform calls per build against the minimum the steps need, and the
writes made when every step of a finished build runs again (must be 0). Results go into their
own section of docs/benchmarks.md.
"""

import json
import os
import platform
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "expoe_portal.settings.test")

import django  # noqa: E402

django.setup()

import uvicorn  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

BUILDS = 5
# What one build of the standard request needs at the least: each step's reads and writes.
MINIMUM_CALLS = {
    "clone_group": 3,  # group_id_owners (G3 across the platform), group_exists, add_group_from_template
    "pool_numbers": 2,
    "assign_numbers": 2,
    "business_profile": 2,
    "voice_portal": 2,  # read the service authorisations and the portal (writes only what differs)
    "admins": 2,
    "akixi_partition": 2,
    "akixi_sync": 2,  # find the partition, read its status
    "akixi_users": 3,  # find the partition, user_exists, add
    "callcabinet_customer": 2,
}
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


def serve_in_thread(app):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", lifespan="off"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    return server, f"http://127.0.0.1:{sock.getsockname()[1]}"


def start_simulators(folder: Path, latency_ms: int):
    from integrations.akixi.simulator import create_app as akixi_app
    from integrations.broadworks.simulator import OCIPSimulator, preload_demo
    from integrations.callcabinet.simulator import create_app as callcabinet_app
    from integrations.simkit import faults_path_for

    bw = OCIPSimulator(("127.0.0.1", 0), state_path=folder / "bw.json", admins={"bench": "bench-pass"})
    preload_demo(bw.state)
    bw.start_in_thread()
    bw.set_reply_delay(latency_ms / 1000)
    for name in ("ak", "cc"):
        faults_path_for(folder / f"{name}.json").write_text(json.dumps({"delay_ms": latency_ms, "rules": []}))
    ak, ak_url = serve_in_thread(akixi_app(state_path=folder / "ak.json", api_key="k", sync_polls=1))
    cc, cc_url = serve_in_thread(callcabinet_app(state_path=folder / "cc.json", api_key="k"))
    settings.BROADWORKS_GATEWAY = "integrations.broadworks.gateway.BroadWorksGateway"
    settings.AKIXI_GATEWAY = "integrations.akixi.client.AkixiGateway"
    settings.CALLCABINET_GATEWAY = "integrations.callcabinet.client.callcabinet_gateway"
    settings.BROADWORKS_HOST, settings.BROADWORKS_PORT, settings.BROADWORKS_TLS = "127.0.0.1", bw.port, False
    settings.BROADWORKS_USERNAME, settings.BROADWORKS_PASSWORD = "bench", "bench-pass"
    settings.AKIXI_BASE_URL, settings.AKIXI_API_KEY = f"{ak_url}/CCS/API/v1", "k"
    settings.CALLCABINET_BASE_URL, settings.CALLCABINET_API_KEY, settings.CALLCABINET_MODE = (
        f"{cc_url}/api/v1",
        "k",
        "api",
    )
    settings.BUILD_STEP_MAX_ATTEMPTS = 20
    return bw, ak, cc


def run_builds(latency_ms: int) -> dict:
    from accounts.choices import Role
    from accounts.services import user_create
    from customers import builds
    from customers import services as customer_services
    from customers.build_steps import STEPS
    from customers.models import CustomerGroup
    from integrations.models import ExternalCall
    from integrations.platforms import get_platforms
    from number_pool import services as number_services
    from partners.models import Partner, PartnerContact

    with tempfile.TemporaryDirectory() as folder:
        bw, ak, cc = start_simulators(Path(folder), latency_ms)
        try:
            partner = Partner.objects.get_or_create(
                partner_id="ACME01", defaults={"name": "Acme", "clone_group_id": "ACME01-CLONE", "live": True}
            )[0]
            PartnerContact.objects.get_or_create(
                partner=partner, name="Ops", email="ops@acme.invalid", phone="+442079460000"
            )
            coordinator = user_create(username=f"bench{latency_ms}", role=Role.COORDINATOR, password="bench-pass-12345")
            platforms = get_platforms()
            platforms.akixi.add_reseller("ACME01", "Acme", "ops@acme.invalid")
            platforms.callcabinet.add_reseller("ACME01", "Acme", "ops@acme.invalid")
            first = 1000 + latency_ms * 10
            numbers = [f"+44207946{first + n:04d}" for n in range(3 * BUILDS)]
            number_services.numbers_add(by=coordinator, partner=partner, numbers=numbers)
            groups = []
            for i in range(BUILDS):
                own = numbers[3 * i : 3 * i + 3]
                group, _ = customer_services.customer_group_create(
                    by=coordinator,
                    partner=partner,
                    data={
                        "group_id": f"Bench{latency_ms}x{i}",
                        "name": f"Bench {i}",
                        "domain": "hostedcomm.com",
                        "extension_length": 4,
                        "numbers": own,
                        "business_profile_number": own[0],
                        "voice_portal": {"number": own[1], "extension": "8000", "external_dial_in": True},
                        "admins": [{"first_name": "Bench", "last_name": f"Admin{latency_ms}x{i}", "password": ""}],
                        "akixi": {
                            "licence": settings.AKIXI_LICENCES[0],
                            "users": [
                                {"username": f"bench{latency_ms}x{i}", "full_name": "Bench", "email": "b@bench.invalid"}
                            ],
                        },
                        "callcabinet": {"admin_name": "Bench", "admin_email": "b@bench.invalid"},
                    },
                )
                groups.append(group)
            calls_before = ExternalCall.objects.count()
            start = time.perf_counter()
            for group in groups:
                builds.build_start(by=coordinator, group=group)
            elapsed = time.perf_counter() - start
            statuses = [CustomerGroup.objects.get(pk=g.pk).build.status for g in groups]
            calls = ExternalCall.objects.count() - calls_before
            last_call = ExternalCall.objects.order_by("-pk").values_list("pk", flat=True).first()
            group = groups[0]
            for step in group.build.steps.order_by("position"):
                STEPS[step.name](group=group, platforms=get_platforms())
            rerun_writes = ExternalCall.objects.filter(pk__gt=last_call, operation__in=WRITES).count()
        finally:
            bw.stop()
            ak.should_exit = cc.should_exit = True
    return {
        "latency_ms": latency_ms,
        "succeeded": statuses.count("succeeded"),
        "builds_per_second": BUILDS / elapsed,
        "seconds_per_build": elapsed / BUILDS,
        "calls_per_build": calls / BUILDS,
        "rerun_writes": rerun_writes,
    }


def main():
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        results = [run_builds(0), run_builds(50)]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    write_report(results)


def write_report(results):
    minimum = sum(MINIMUM_CALLS.values())
    lines = [
        "<!-- bench:builds -->",
        "## Customer builds (`bench/builds.py`)",
        "",
        f"{BUILDS} builds of the standard request (3 numbers, 1 admin, 1 Akixi user, Call Cabinet) one",
        "after another, in-process (Celery eager), the real gateways talking to the three simulators",
        "over sockets; the added latency is per platform reply. Then every step of a finished build runs",
        "again: it must write nothing.",
        "",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()};"
        f" database {connection.vendor}; date {time.strftime('%Y-%m-%d')}",
        "",
        "| added latency | succeeded | builds/s | s per build | platform calls per build (minimum) "
        "| writes on re-run |",
        "|---:|---:|---:|---:|---:|---:|",
        *(
            f"| {r['latency_ms']} ms | {r['succeeded']}/{BUILDS} | {r['builds_per_second']:.2f} | "
            f"{r['seconds_per_build']:.2f} | {r['calls_per_build']:.0f} ({minimum}) | {r['rerun_writes']} |"
            for r in results
        ),
        "<!-- /bench:builds -->",
    ]
    out = ROOT / "docs" / "benchmarks.md"
    text = out.read_text(encoding="utf-8") if out.exists() else "# Benchmarks\n"
    begin, finish = "<!-- bench:builds -->", "<!-- /bench:builds -->"
    if begin in text and finish in text:
        text = text[: text.index(begin)] + "\n".join(lines) + text[text.index(finish) + len(finish) :]
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"
    out.write_text(text, encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
