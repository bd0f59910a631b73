"""Benchmarks (not tests): time the busiest pages at the scale DESIGN.md plans for.

Run with `make bench` (or `python bench/run.py`). Uses a throwaway database (SQLite in memory unless
DATABASE_URL names a PostgreSQL database: then `<that database>_run`, created and dropped), fills it
with 200 partners of 3 contacts each, then times each page over several rounds and writes the numbers
into its section of docs/benchmarks.md (the other sections are kept).
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common  # noqa: E402

common.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

PARTNERS = 200
ROUNDS = 30


def seed():
    from accounts.choices import Role
    from accounts.services import user_create
    from escalations.services import escalation_matrix_load
    from partners.models import Partner, PartnerContact

    escalation_matrix_load()
    partners = Partner.objects.bulk_create(
        Partner(partner_id=f"BENCH{i:04d}", name=f"Bench Partner {i}", clone_group_id=f"BENCH{i:04d}-CLONE")
        for i in range(PARTNERS)
    )
    PartnerContact.objects.bulk_create(
        PartnerContact(
            partner=p,
            name=f"Contact {n}",
            email=f"c{n}@{p.partner_id.lower()}.invalid",
            phone="+442079460000",
        )
        for p in partners
        for n in range(3)
    )
    staff = user_create(username="bench-coordinator", role=Role.COORDINATOR, password="bench-pass-12345")
    partner_user = user_create(
        username="bench-partner", role=Role.PARTNER_USER, partner=partners[0], password="bench-pass-12345"
    )
    return staff, partner_user, partners[0]


def measure(client, url):
    client.get(url)  # warm caches (session, permissions, templates)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    query_count = len(queries.captured_queries)  # read now: later requests clear the query log
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    timings.sort()
    return {
        "median": statistics.median(timings),
        "p95": timings[int(len(timings) * 0.95) - 1],
        "queries": query_count,
    }


def main():
    with common.throwaway_database("run"):
        database = common.database_description()
        staff, partner_user, own_partner = seed()
        staff_client, partner_client = Client(), Client()
        staff_client.force_login(staff)
        partner_client.force_login(partner_user)
        cases = [
            ("partner list page, coordinator (25 of 200 per page)", staff_client, "/partners/"),
            ("partner list page, search", staff_client, "/partners/?q=Partner+19"),
            ("partner detail page", staff_client, f"/partners/{own_partner.pk}/"),
            ("GET /api/v1/partners/ (50 of 200, with contacts)", staff_client, "/api/v1/partners/"),
            ("GET /api/v1/partners/, partner user", partner_client, "/api/v1/partners/"),
            ("escalation matrix page", partner_client, "/escalation-matrix/"),
        ]
        results = [(name, url, measure(client, url)) for name, client, url in cases]
        bulk = measure_numbers(staff, own_partner)
    write_report(results, bulk, database)


BULK_NUMBERS = 10_000


def measure_numbers(staff, partner):
    """N1: add 10,000 numbers to a pool, then assign all of them to one group (one call each)."""
    from customers import services as customer_services
    from customers.models import CustomerGroup
    from number_pool import services as number_services
    from number_pool.parsing import parse_range

    numbers = parse_range("+442079460000", f"+44207946{BULK_NUMBERS - 1:04d}")
    group = CustomerGroup.objects.create(partner=partner, group_id="BENCH-GROUP", name="Bench group")
    rows = []
    for label, run in [
        (
            f"add {BULK_NUMBERS:,} numbers to a pool",
            lambda: number_services.numbers_add(by=staff, partner=partner, numbers=numbers),
        ),
        (
            f"assign {BULK_NUMBERS:,} numbers to a group",
            lambda: customer_services.numbers_assign(by=staff, group=group, numbers=numbers),
        ),
    ]:
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            assert run() == BULK_NUMBERS
            elapsed = (time.perf_counter() - start) * 1000
        rows.append((label, elapsed, len(queries.captured_queries)))
    return rows


def write_report(results, bulk, database):
    vendor = connection.vendor
    common.write_section(
        vendor,
        [
            f"## Partners and numbers ({vendor}; `bench/run.py`)",
            "",
            f"- Data: {PARTNERS} partners with 3 contacts each (DESIGN.md plans for 200 partners).",
            f"- Machine: {common.machine()}.",
            f"- Database: {database}. Date: {time.strftime('%Y-%m-%d %H:%M')}.",
            f"- Each page warmed once, its queries counted, then timed {ROUNDS} times through Django's test client"
            " (in-process: no network, no gunicorn).",
            "",
            "| page | URL | median ms | p95 ms | queries |",
            "|------|-----|----------:|-------:|--------:|",
            *(
                f"| {name} | `{url}` | {r['median']:.1f} | {r['p95']:.1f} | {r['queries']} |"
                for name, url, r in results
            ),
            "",
            "Bulk number operations (one service call each, timed once; the query count is the same for",
            "10 numbers as for 10,000, which `tests/onboarding/test_numbers.py` asserts):",
            "",
            "| operation | ms | queries |",
            "|-----------|---:|--------:|",
            *(f"| {label} | {ms:.0f} | {queries} |" for label, ms, queries in bulk),
        ],
    )


if __name__ == "__main__":
    main()
