"""Benchmark (not a test): the port lead-time dashboard and queue with 100,000 port requests.

Run with `make bench` (or `.venv/bin/python bench/ports.py`). Uses a throwaway test database
(SQLite unless DATABASE_URL is set), fills it with 100,000 port requests across 200 partners in
every state, then times the dashboard and the queue and writes the numbers into their own section
of docs/benchmarks.md (the other sections are kept).
"""

import os
import platform
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "expoe_portal.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_PORT_REQUESTS", 100_000))
PARTNERS = 200
ROUNDS = 10
PROVIDERS = ["BT", "Virgin Media", "TalkTalk", "Gamma", "Sky", "Vodafone", "KCOM", "Colt"]
WHERE = [("GB", "ENG")] * 6 + [("GB", "SCT"), ("GB", "WLS"), ("GB", "NIR"), ("DE", ""), ("FR", ""), ("IE", "")]


def seed():
    from django.utils import timezone

    from accounts.choices import Role
    from accounts.services import user_create
    from escalations.services import escalation_matrix_load
    from partners.models import Partner
    from porting.choices import PortStatus, RejectionCode
    from porting.models import PortRejection, PortRequest
    from porting.rules import load_porting_rules

    escalation_matrix_load()
    load_porting_rules()
    partners = Partner.objects.bulk_create(
        Partner(partner_id=f"BENCH{i:04d}", name=f"Bench Partner {i}") for i in range(PARTNERS)
    )
    rng = random.Random(6)  # noqa: S311  (benchmark data, the same every run)
    today = timezone.localdate()
    statuses = (
        [PortStatus.COMPLETED] * 50
        + [PortStatus.ACCEPTED] * 15
        + [PortStatus.SUBMITTED] * 10
        + [PortStatus.REJECTED] * 8
        + [PortStatus.DRAFT] * 10
        + [PortStatus.CANCELLED] * 7
    )
    batch, rejected_rows = [], []
    for i in range(REQUESTS):
        status = rng.choice(statuses)
        country, region = rng.choice(WHERE)
        submitted = None if status == PortStatus.DRAFT else timezone.now() - timedelta(days=rng.randint(1, 400))
        accepted = status in (PortStatus.ACCEPTED, PortStatus.COMPLETED)
        lead = 22 if country == "GB" else 20
        row = PortRequest(
            partner=partners[i % PARTNERS],
            country=country,
            region=region,
            number_type=rng.choice(["analogue", "multi_line", "isdn", "non_geographic", "mobile"]),
            main_billing_number=f"+44113496{i % 10_000:04d}",
            numbers=[f"+44113496{i % 10_000:04d}"],
            registered_address="1 High Street, Leeds LS1 1AA",
            losing_provider=rng.choice(PROVIDERS),
            range_holder="BT Wholesale",
            status=status,
            submitted_at=submitted,
            submission_count=0 if submitted is None else rng.choice([1, 1, 1, 2, 3]),
            accepted_on=today - timedelta(days=rng.randint(0, 300)) if accepted else None,
            lead_time_working_days=lead if accepted else None,
            port_date=today + timedelta(days=rng.randint(-200, 40)) if accepted else None,
            acceptance_days=rng.randint(0, 30) if accepted else None,
            completion_working_days=lead + rng.randint(-2, 6) if status == PortStatus.COMPLETED else None,
        )
        batch.append(row)
        if len(batch) == 5000:
            PortRequest.objects.bulk_create(batch)
            batch = []
    PortRequest.objects.bulk_create(batch)
    codes = RejectionCode.values
    for pk in PortRequest.objects.filter(submission_count__gt=1).values_list("pk", flat=True).iterator():
        rejected_rows.append(PortRejection(port_request_id=pk, code=rng.choice(codes), reason="bench"))
    for pk in PortRequest.objects.filter(status=PortStatus.REJECTED).values_list("pk", flat=True).iterator():
        rejected_rows.append(PortRejection(port_request_id=pk, code=rng.choice(codes), reason="bench"))
    PortRejection.objects.bulk_create(rejected_rows, batch_size=5000)
    manager = user_create(username="bench-manager", role=Role.MANAGER, password="bench-pass-12345")
    coordinator = user_create(username="bench-coordinator", role=Role.COORDINATOR, password="bench-pass-12345")
    partner_user = user_create(
        username="bench-partner", role=Role.PARTNER_USER, partner=partners[0], password="bench-pass-12345"
    )
    return manager, coordinator, partner_user, len(rejected_rows)


def measure(client, url, rounds=ROUNDS):
    client.get(url)  # warm caches (session, permissions, templates)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    query_count = len(queries.captured_queries)
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {"median": statistics.median(timings), "max": timings[-1], "queries": query_count}


def main():
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        start = time.perf_counter()
        manager, coordinator, partner_user, rejections = seed()
        seeded_s = time.perf_counter() - start
        clients = {}
        for name, user in (("manager", manager), ("coordinator", coordinator), ("partner", partner_user)):
            clients[name] = Client()
            clients[name].force_login(user)
        cases = [
            ("dashboard, manager (all 100,000)", "manager", "/ports/dashboard/"),
            (
                "dashboard filtered by country and provider",
                "manager",
                "/ports/dashboard/?country=GB&losing_provider=BT",
            ),
            ("queue, first page of 25", "coordinator", "/ports/"),
            ("queue, due in the next 5 working days", "coordinator", "/ports/?due_soon=true"),
            ("queue, inside the 48-hour window", "coordinator", "/ports/?in_window=true"),
            ("queue, search by number", "coordinator", "/ports/?q=0113+496+0042"),
            ("queue, partner user (500 of their own)", "partner", "/ports/"),
            ("CSV export, due in the next 5 working days", "coordinator", "/ports/export.csv?due_soon=true"),
            ("GET /api/v1/port-requests/?status=accepted", "coordinator", "/api/v1/port-requests/?status=accepted"),
        ]
        results = [(label, url, measure(clients[who], url)) for label, who, url in cases]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    write_report(results, rejections, seeded_s)


def write_report(results, rejections, seeded_s):
    vendor = connection.vendor
    begin, finish = f"<!-- bench:ports-{vendor} -->", f"<!-- /bench:ports-{vendor} -->"
    lines = [
        begin,
        f"## Port requests ({vendor})",
        "",
        f"- Data: {REQUESTS:,} port requests across {PARTNERS} partners in every state, {rejections:,}"
        f" rejections (seeded in {seeded_s:.0f} s by `bench/ports.py`).",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()},"
        f" {platform.system()} {platform.release()}",
        f"- Date: {time.strftime('%Y-%m-%d')}; each page warmed once, then timed {ROUNDS} times.",
        "- The dashboard's query count is the same for 1 request as for 100,000"
        " (`tests/porting/test_port_dashboard.py` asserts it).",
        "",
        "| page | URL | median ms | max ms | queries |",
        "|------|-----|----------:|-------:|--------:|",
        *(f"| {label} | `{url}` | {r['median']:.0f} | {r['max']:.0f} | {r['queries']} |" for label, url, r in results),
        finish,
    ]
    out = ROOT / "docs" / "benchmarks.md"
    text = out.read_text(encoding="utf-8") if out.exists() else "# Benchmarks\n"
    if begin in text and finish in text:
        text = text[: text.index(begin)] + "\n".join(lines) + text[text.index(finish) + len(finish) :]
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"
    out.write_text(text, encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
