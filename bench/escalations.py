"""Benchmark: the escalation evaluator and the managers' dashboard at DESIGN.md's scale (not a test).

Run with `make bench` (or `python bench/escalations.py`; set DATABASE_URL for PostgreSQL). Seeds
100,000 port requests and 20,000 onboarding and build items (200 onboarding orders, one per
partner, and 19,800 customer builds) in states that make every policy's items open, then times:
the evaluator's first run (opens every escalation, records every level reached), a second run at
the same moment (nothing to do: idempotent), and a run an hour later (some climb a level); then the
dashboard page, the API's first page and the CSV export. Emails are counted, not sent. The results
go into their own section of docs/benchmarks.md.
"""

import os
import platform
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "expoe_portal.settings.test")

import django  # noqa: E402

django.setup()

import time_machine  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

PARTNERS = 200
PORT_REQUESTS = 100_000
BUILDS = 20_000 - PARTNERS  # with one onboarding order per partner: 20,000 onboarding and build items
ROUNDS = 10


def seed(now):
    from accounts.choices import Role
    from accounts.services import user_create
    from customers.models import CustomerGroup, ServiceBuild
    from escalations.services import escalation_matrix_load
    from onboarding.models import OnboardingOrder
    from partners.models import Partner
    from porting.models import PortRequest

    rng = random.Random(7)  # noqa: S311  (repeatable benchmark data, not secrets)
    escalation_matrix_load()
    coordinators = [
        user_create(username=f"bench-coordinator-{i}", role=Role.COORDINATOR, password="bench-pass-12345")
        for i in range(10)
    ]
    manager = user_create(username="bench-manager", role=Role.MANAGER, password="bench-pass-12345")
    partners = Partner.objects.bulk_create(
        Partner(partner_id=f"BENCH{i:04d}", name=f"Bench Partner {i}") for i in range(PARTNERS)
    )
    # One open onboarding order per partner (the database allows no more): half waiting for
    # their O1 confirmation, half in a later stage, their clocks spread over the last week.
    stages = ["received", "confirmed", "coordinator_assigned", "accounts_created", "kickoff_arranged", "training"]
    orders = []
    for i, partner in enumerate(partners):
        received = now - timedelta(hours=rng.uniform(0, 160))
        status = "received" if i % 2 == 0 else stages[1 + i % 5]
        orders.append(
            OnboardingOrder(
                partner=partner,
                status=status,
                signed_order_received_at=received,
                confirmation_due_at=received + timedelta(hours=48),
                confirmed_at=None if status == "received" else received + timedelta(hours=20),
                coordinator=None if status in ("received", "confirmed") else coordinators[i % 10],
            )
        )
    OnboardingOrder.objects.bulk_create(orders, batch_size=1000)
    groups = CustomerGroup.objects.bulk_create(
        (
            CustomerGroup(partner=partners[i % PARTNERS], group_id=f"G{i:06d}", name=f"Customer {i}")
            for i in range(BUILDS)
        ),
        batch_size=2000,
    )
    build_statuses = ["succeeded"] * 6 + ["failed"] * 2 + ["running", "queued"]
    builds = []
    for i, group in enumerate(groups):
        started = now - timedelta(hours=rng.uniform(0, 30))
        builds.append(ServiceBuild(group=group, status=build_statuses[i % 10], queued_at=started, started_at=started))
    ServiceBuild.objects.bulk_create(builds, batch_size=2000)
    # Ports: 30% waiting for the losing provider, 30% accepted with a port date, the rest closed.
    ports = []
    for i in range(PORT_REQUESTS):
        kind = i % 10
        # The status is set in the constructor: django-fsm refuses assigning it afterwards.
        fields = {}
        if kind < 3:
            fields = {"status": "submitted", "submitted_at": now - timedelta(hours=rng.uniform(0, 120))}
        elif kind < 6:
            fields = {
                "status": "accepted",
                "submitted_at": now - timedelta(days=31),
                "accepted_on": (now - timedelta(days=rng.uniform(1, 30))).date(),
                "port_date": (now + timedelta(days=rng.uniform(-5, 25))).date(),
            }
        else:
            fields = {"status": ["completed", "cancelled", "draft", "rejected"][kind - 6]}
        ports.append(
            PortRequest(
                partner=partners[i % PARTNERS],
                country="GB",
                region=["ENG", "SCT", "WLS", "NIR"][i % 4],
                main_billing_number=f"+44207946{i % 10000:04d}",
                **fields,
            )
        )
    PortRequest.objects.bulk_create(ports, batch_size=5000)
    return manager


def timed_evaluation(moment):
    from escalations.services import escalation_evaluate
    from expoe_portal.models import OutboundEmail

    emails_before = OutboundEmail.objects.count()
    with (
        time_machine.travel(moment, tick=False),
        mock.patch("expoe_portal.work.send_task"),  # the outbox rows are written; nothing is sent
        CaptureQueriesContext(connection) as queries,
    ):
        start = time.perf_counter()
        result = escalation_evaluate(now=moment)
        seconds = time.perf_counter() - start
    emails = OutboundEmail.objects.count() - emails_before
    return {"seconds": seconds, "queries": len(queries.captured_queries), "result": result, "emails": emails}


def measure(client, url, *, rounds=ROUNDS, stream=False):
    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if stream:
            return sum(len(chunk) for chunk in response.streaming_content)
        return len(response.content)

    get()  # warm caches (session, permissions, templates)
    with CaptureQueriesContext(connection) as queries:
        get()
    query_count = len(queries.captured_queries)
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        get()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {
        "median": statistics.median(timings),
        "p95": timings[max(int(len(timings) * 0.95) - 1, 0)],
        "queries": query_count,
    }


def main():
    from escalations.models import Escalation

    setup_test_environment()
    # A database of its own, so that a test run on the same server at the same time is not clobbered.
    if connection.vendor == "postgresql":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = "test_expoe_bench_escalations"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        now = timezone.now().replace(microsecond=0)
        start = time.perf_counter()
        manager = seed(now)
        seed_seconds = time.perf_counter() - start
        runs = [
            ("first run (opens every escalation)", timed_evaluation(now)),
            ("second run, same moment (nothing to do)", timed_evaluation(now)),
            ("an hour later (clocks move on, some climb)", timed_evaluation(now + timedelta(hours=1))),
        ]
        open_count = Escalation.objects.filter(closed_at__isnull=True).count()
        breached = Escalation.objects.filter(closed_at__isnull=True, due_at__lt=now + timedelta(hours=1)).count()
        client = Client()
        client.force_login(manager)
        with time_machine.travel(now + timedelta(hours=1), tick=True):
            pages = [
                ("escalation dashboard", "/escalations/", measure(client, "/escalations/")),
                (
                    "GET /api/v1/escalations/ (50 per page)",
                    "/api/v1/escalations/",
                    measure(client, "/api/v1/escalations/"),
                ),
                (
                    "CSV export of every open escalation",
                    "/escalations/export.csv",
                    measure(client, "/escalations/export.csv", rounds=3, stream=True),
                ),
            ]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    write_report(runs, pages, open_count, breached, seed_seconds)


def write_report(runs, pages, open_count, breached, seed_seconds):
    vendor = connection.vendor
    marker = f"escalations-{vendor}"
    lines = [
        f"<!-- bench:{marker} -->",
        f"## Escalations, {vendor} (`bench/escalations.py`)",
        "",
        f"- Data: {PORT_REQUESTS:,} port requests (30% submitted, 30% accepted, the rest closed), "
        f"{PARTNERS} onboarding orders and {BUILDS:,} customer builds (40% queued, running or failed); "
        f"{open_count:,} open escalations, {breached:,} breached. Seeded in {seed_seconds:.0f} s.",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()};"
        f" date {time.strftime('%Y-%m-%d')}",
        "- Beat pays the steady-state run every 5 minutes; the first run is a one-off catch-up that tells",
        "  every level already passed (decision 39). Emails are counted, not sent.",
        "",
        "| evaluator run | s | queries | opened | closed | updated | new levels (emails queued) |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *(
            f"| {label} | {r['seconds']:.1f} | {r['queries']} | {r['result'].opened:,} | {r['result'].closed:,} "
            f"| {r['result'].updated:,} | {len(r['result'].events):,} ({r['emails']:,}) |"
            for label, r in runs
        ),
        "",
        "| page | URL | median ms | p95 ms | queries |",
        "|------|-----|----------:|-------:|--------:|",
        *(f"| {name} | `{url}` | {r['median']:.0f} | {r['p95']:.0f} | {r['queries']} |" for name, url, r in pages),
        f"<!-- /bench:{marker} -->",
    ]
    out = ROOT / "docs" / "benchmarks.md"
    text = out.read_text(encoding="utf-8") if out.exists() else "# Benchmarks\n"
    begin, finish = f"<!-- bench:{marker} -->", f"<!-- /bench:{marker} -->"
    if begin in text and finish in text:
        text = text[: text.index(begin)] + "\n".join(lines) + text[text.index(finish) + len(finish) :]
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"
    out.write_text(text, encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
