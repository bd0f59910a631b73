"""Benchmark: the escalation evaluator and the managers' dashboard at DESIGN.md's scale (not a test).

    python bench/escalations.py                 # 100,000 port requests (what `make bench` runs)
    python bench/escalations.py --million       # 1,000,000 port requests (PostgreSQL: about 5 minutes)
    python bench/escalations.py --ports 250000 --rounds 7

Set DATABASE_URL for PostgreSQL (the numbers that matter); without it SQLite. The bench makes a
database of its own (DATABASE_URL's name plus `_bench_escalations`) and drops it afterwards.

It seeds, in bulk batches, the port requests (30% waiting for the losing provider, 30% accepted with
a port date, the rest closed) plus 200 onboarding orders and 19,800 customer builds, so that every
policy has open items; runs the evaluator once to open every escalation (quietly: the levels already
passed are recorded, no email is queued), then times, in interleaved rounds (the order reversed every
other round, so neither always goes first):

- the steady run: the evaluator at the same moment again, nothing to do (what beat pays every
  5 minutes), and
- its baseline, the floor of reading the same rows: one plain `values_list()` pass over the same
  items and the same open escalations with the same columns, as Django reads them, doing nothing
  with them.

Each figure is reported as min / median / max over the rounds and as the ratio to the baseline of
the same round (the noise of a shared machine cancels). A run an hour later (clocks move on, some
breaches climb) is timed once; then the dashboard (figures counted, and from the cache), the API's
first page and the CSV export. The results go into their own section of docs/benchmarks.md.
"""

import argparse
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

from bench import common  # noqa: E402

PARTNERS = 200
BUILDS = 20_000 - PARTNERS  # with one onboarding order per partner: 20,000 onboarding and build items
SEED_BATCH = 20_000


def seed(now, ports):
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

    def port(i):
        kind = i % 10
        # The status is set in the constructor: django-fsm refuses assigning it afterwards.
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
        return PortRequest(
            partner=partners[i % PARTNERS],
            country="GB",
            region=["ENG", "SCT", "WLS", "NIR"][i % 4],
            main_billing_number=f"+44207946{i % 10000:04d}",
            **fields,
        )

    if connection.vendor == "postgresql":
        copy_rows(PortRequest, port, ports)
    else:  # in batches, so that a million requests never sit in memory at once
        for start in range(0, ports, SEED_BATCH):
            PortRequest.objects.bulk_create([port(i) for i in range(start, min(ports, start + SEED_BATCH))])
    return manager


def copy_rows(model, make, n):
    """PostgreSQL's COPY, fed from model instances: each column's value as the model would save it
    (`pre_save`, `get_db_prep_save`), so defaults and timestamps are the model's own; ids from the sequence."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for i in range(n):
            instance = make(i)
            copy.write_row([f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields])


def evaluate(moment, *, notify=True):
    """One evaluator run at `moment`: seconds, queries, its result, emails queued (counted, not sent)."""
    from escalations.services import escalation_evaluate
    from expoe_portal.models import OutboundEmail

    emails_before = OutboundEmail.objects.count()
    with (
        time_machine.travel(moment, tick=False),
        mock.patch("expoe_portal.work.send_task"),  # the outbox rows are written; nothing is sent
        CaptureQueriesContext(connection) as queries,
    ):
        start = time.perf_counter()
        result = escalation_evaluate(now=moment, notify=notify)
        seconds = time.perf_counter() - start
    emails = OutboundEmail.objects.count() - emails_before
    return {"seconds": seconds, "queries": len(queries.captured_queries), "result": result, "emails": emails}


def read_floor(moment):
    """The baseline: what the evaluator reads, read once with plain values_list() and nothing done
    with it. Per active policy: its source's items (the same columns) and its open escalations
    (the columns the evaluator compares)."""
    from escalations.models import Escalation, SlaPolicy
    from onboarding.models import OnboardingOrder
    from porting.models import PortRequest

    rows = 0
    item_columns = ("id", "partner_id", "partner__partner_id")
    for policy in SlaPolicy.objects.filter(active=True):
        if policy.source == "port_acceptance":
            items = PortRequest.objects.filter(status="submitted").values_list(
                *item_columns, "main_billing_number", "submitted_at", "country", "region"
            )
        elif policy.source == "port_date":
            items = PortRequest.objects.filter(status="accepted").values_list(
                *item_columns, "main_billing_number", "accepted_on", "port_date"
            )
        elif policy.source == "customer_build":
            from customers.models import ServiceBuild

            items = ServiceBuild.objects.filter(status__in=["queued", "running", "failed"]).values_list(
                "group_id", "group__group_id", "group__name", "group__partner_id", "started_at"
            )
        else:
            items = OnboardingOrder.objects.filter(status=policy.source_arg or "received").values_list(
                *item_columns, "partner__name", "coordinator_id", "signed_order_received_at"
            )
        rows += len(list(items.order_by()))
        escalations = Escalation.objects.filter(policy=policy, closed_at__isnull=True).order_by()
        rows += len(
            list(
                escalations.values_list(
                    "id",
                    "subject_type",
                    "subject_id",
                    "subject_label",
                    "owner_id",
                    "partner_id",
                    "started_at",
                    "due_at",
                    "at_risk_at",
                )
            )
        )
    return rows


def interleaved(cases, rounds):
    """Seconds per call of each case, taking turns within every round (the order reversed every
    other round), after one call each to warm up."""
    names = list(cases)
    for name in names:
        cases[name]()
    timings = {name: [] for name in names}
    for round_ in range(rounds):
        for name in names if round_ % 2 == 0 else reversed(names):
            start = time.perf_counter()
            cases[name]()
            timings[name].append(time.perf_counter() - start)
    return timings


def spread(values, digits=2):
    return f"{min(values):.{digits}f} / {statistics.median(values):.{digits}f} / {max(values):.{digits}f}"


def measure_page(client, url, *, rounds, stream=False):
    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if stream:
            return sum(len(chunk) for chunk in response.streaming_content)
        return len(response.content)

    get()  # warm caches (session, permissions, templates)
    with CaptureQueriesContext(connection) as queries:
        get()
    query_count = len(queries.captured_queries)  # read now: later requests clear the query log
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        get()
        timings.append((time.perf_counter() - start) * 1000)
    return {"timings": timings, "queries": query_count}


def measure_dashboard(client, rounds):
    """The dashboard as after a change (figures counted: the data version bumped before each
    request) and as most requests find it (figures from the cache)."""
    from escalations.selectors import _bump_version

    client.get("/escalations/")
    timings = {"counted": [], "cached": []}
    queries = {}
    for _ in range(rounds):
        for name in ("counted", "cached"):
            if name == "counted":
                _bump_version()
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                assert client.get("/escalations/").status_code == 200
                timings[name].append((time.perf_counter() - start) * 1000)
            queries[name] = len(captured.captured_queries)
    return [
        (f"escalation dashboard, figures {name}", "/escalations/", {"timings": timings[name], "queries": queries[name]})
        for name in ("counted", "cached")
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ports", type=int, default=100_000, help="port requests to seed (default 100,000)")
    parser.add_argument("--million", action="store_true", help="seed 1,000,000 port requests")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    args = parser.parse_args()
    ports = 1_000_000 if args.million else args.ports

    from escalations.models import Escalation

    setup_test_environment()
    # A database of its own, so that a test run on the same server at the same time is not clobbered.
    if connection.vendor == "postgresql":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = (
            f"{connection.settings_dict['NAME']}_bench_escalations"
        )
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        now = timezone.now().replace(microsecond=0)
        start = time.perf_counter()
        manager = seed(now, ports)
        seed_seconds = time.perf_counter() - start
        first = evaluate(now, notify=False)
        open_count = Escalation.objects.filter(closed_at__isnull=True).count()
        breached = Escalation.objects.filter(closed_at__isnull=True, due_at__lt=now).count()
        rows_read = read_floor(now)
        steady_results = []

        def steady():
            steady_results.append(evaluate(now))

        timings = interleaved({"steady": steady, "floor": lambda: read_floor(now)}, args.rounds)
        assert all(r["result"].writes == 0 for r in steady_results), "a steady run writes nothing"
        later = evaluate(now + timedelta(hours=1))
        client = Client()
        client.force_login(manager)
        page_rounds = 3 if ports > 200_000 else args.rounds
        with time_machine.travel(now + timedelta(hours=1), tick=True):
            pages = [
                *measure_dashboard(client, page_rounds),
                (
                    "GET /api/v1/escalations/ (50 per page)",
                    "/api/v1/escalations/",
                    measure_page(client, "/api/v1/escalations/", rounds=page_rounds),
                ),
                (
                    "CSV export of every open escalation",
                    "/escalations/export.csv",
                    measure_page(client, "/escalations/export.csv", rounds=min(page_rounds, 3), stream=True),
                ),
            ]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    write_report(
        ports=ports,
        rounds=args.rounds,
        load=load,
        first=first,
        later=later,
        steady=steady_results[-1],
        timings=timings,
        pages=pages,
        open_count=open_count,
        breached=breached,
        rows_read=rows_read,
        seed_seconds=seed_seconds,
    )


def write_report(
    *, ports, rounds, load, first, later, steady, timings, pages, open_count, breached, rows_read, seed_seconds
):
    vendor = connection.vendor
    scale = "" if ports == 100_000 else f"-{ports // 1000}k"
    marker = f"escalations-{vendor}{scale}"
    floor, steady_s = timings["floor"], timings["steady"]
    ratio = [s / f for s, f in zip(steady_s, floor, strict=True)]
    median_floor = statistics.median(floor)
    command = "python bench/escalations.py" + (
        "" if ports == 100_000 else " --million" if ports == 1_000_000 else f" --ports {ports}"
    )

    def run_row(label, r):
        res = r["result"]
        return (
            f"| {label} | {r['seconds']:.2f} | {r['seconds'] / median_floor:.2f} | {r['queries']} | {res.opened:,} "
            f"| {res.closed:,} | {res.updated:,} | {len(res.events):,} ({r['emails']:,}) |"
        )

    lines = [
        f"## Escalations, {vendor}, {ports:,} port requests (`bench/escalations.py`)",
        "",
        f"How to run: `{command}` with DATABASE_URL set (see the script's docstring).",
        "",
        f"- Data: {ports:,} port requests (30% submitted, 30% accepted, the rest closed), "
        f"{PARTNERS} onboarding orders and {BUILDS:,} customer builds (40% queued, running or failed); "
        f"{open_count:,} open escalations, {breached:,} breached. Seeded in bulk in {seed_seconds:.0f} s.",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()};"
        f" load average {load} at the start (the machine is shared); date {time.strftime('%Y-%m-%d')}",
        f'- Baseline ("floor"): reading the same rows once with plain `values_list()` (the items of every'
        f" active policy with the evaluator's columns, and their open escalations with the columns it"
        f" compares: {rows_read:,} rows), doing nothing with them. {rounds} rounds, interleaved with the"
        " steady run, the order reversed every other round.",
        "",
        "| in the same rounds | min / median / max s | ratio to the floor, min / median / max | queries |",
        "|---|---:|---:|---:|",
        f"| steady run (nothing changed: writes nothing) | {spread(steady_s)} | {spread(ratio)} "
        f"| {steady['queries']} |",
        f"| floor: the same rows read with `values_list()` | {spread(floor)} | 1 | |",
        "",
        "Timed once each (ratio against the median floor above):",
        "",
        "| evaluator run | s | × floor | queries | opened | closed | updated | new levels (emails queued) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        run_row("first run, quiet (opens every escalation, records the levels passed)", first),
        run_row("an hour later (clocks move on, some climb; emails queued)", later),
        "",
        "| page | URL | min / median / max ms | queries |",
        "|------|-----|---:|--------:|",
        *(f"| {name} | `{url}` | {spread(r['timings'], 0)} | {r['queries']} |" for name, url, r in pages),
    ]
    common.write_section(marker, lines)


if __name__ == "__main__":
    main()
