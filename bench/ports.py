"""Benchmark (not a test): the port queue, the dashboards and the CSV export at 100,000 port requests,
each against Django's admin changelist of the same model measured in the same rounds.

Run with `make bench-ports`, or alone: `python bench/ports.py --rows 100000 --rounds 10` (SQLite in
memory unless DATABASE_URL names a PostgreSQL database; then it works in `<that database>_ports`,
created and dropped). It seeds the port requests (in every state, across 200 partners) and the open
escalations they raise, warms every page once and counts its queries, then times every page in
interleaved rounds through Django's test client (in-process: no network, no gunicorn; the served
figures are bench/load.py's). The baseline is the admin changelist of PortRequest with the queue's
columns, page size (25) and order (bench/urls_admin.py). Results go into docs/benchmarks.md.
"""

import argparse
import random
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common  # noqa: E402

common.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.urls_admin import CHANGELIST  # noqa: E402

PARTNERS = 200
USERS = 10  # of each staff role: Locust's co-ordinators log in as these (bench/load.py)
PASSWORD = "bench-pass-12345"
PROVIDERS = ["BT", "Virgin Media", "TalkTalk", "Gamma", "Sky", "Vodafone", "KCOM", "Colt"]
WHERE = [("GB", "ENG")] * 6 + [("GB", "SCT"), ("GB", "WLS"), ("GB", "NIR"), ("DE", ""), ("FR", ""), ("IE", "")]
BASELINE = "admin changelist of PortRequest (25 per page)"
COLD = "after a change: "
# (label, who, URL): who is a key of Seeded.users. A label starting with COLD is measured just after
# the data it shows changed, so nothing of it is cached.
PAGES = [
    ("queue, first page of 25", "coordinator-0", "/ports/"),
    ("queue, filtered: due in the next 5 working days", "coordinator-0", "/ports/?due_soon=true"),
    ("queue, filtered: submitted to BT, GB", "coordinator-0", "/ports/?status=submitted&country=GB&losing_provider=BT"),
    ("queue, search by number", "coordinator-0", "/ports/?q=0113+496+0042"),
    ("queue, partner user (their own 1/200)", "partner", "/ports/"),
    ("lead-time dashboard (all ports)", "manager-0", "/ports/dashboard/"),
    (
        "lead-time dashboard, filtered by country and provider",
        "manager-0",
        "/ports/dashboard/?country=GB&losing_provider=BT",
    ),
    ("escalation dashboard", "manager-0", "/escalations/"),
    # The same dashboards just after a change: every figure counted again (the cache's version moved).
    (COLD + "lead-time dashboard (all ports)", "manager-0", "/ports/dashboard/"),
    (COLD + "escalation dashboard", "manager-0", "/escalations/"),
    ("CSV export of every port request (to the last byte)", "coordinator-0", "/ports/export.csv"),
    ("GET /api/v1/port-requests/?status=accepted", "coordinator-0", "/api/v1/port-requests/?status=accepted"),
]


@dataclass
class Seeded:
    users: dict
    rejections: int
    escalations: int
    seconds: float


def seed(rows: int) -> Seeded:
    """`rows` port requests across 200 partners in every state, their rejections, the open escalations
    they raise, and the staff who read them (10 co-ordinators and 10 managers, admin access included)."""
    from django.db.models import Count, OuterRef, Subquery
    from django.db.models.functions import Coalesce
    from django.utils import timezone

    from accounts.choices import Role
    from accounts.models import User
    from accounts.services import user_create
    from escalations.models import Escalation
    from escalations.services import escalation_evaluate, escalation_matrix_load
    from partners.models import Partner
    from porting.choices import PortStatus, RejectionCode
    from porting.models import PortRejection, PortRequest, number_digits
    from porting.rules import load_porting_rules

    start = time.perf_counter()
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
    for i in range(rows):
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
        # bulk_create skips save(): the searchable digits are set here as save() would set them.
        row.number_digits = number_digits(row.main_billing_number, row.numbers)
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
    # The count each request keeps of its rejections (the reject transition keeps it in the portal).
    counts = PortRejection.objects.filter(port_request=OuterRef("pk")).order_by().values("port_request")
    counts = counts.annotate(n=Count("pk")).values("n")[:1]
    PortRequest.objects.update(rejection_count=Coalesce(Subquery(counts), 0))
    users = {}
    for role, name in ((Role.COORDINATOR, "coordinator"), (Role.MANAGER, "manager")):
        for n in range(USERS):
            users[f"{name}-{n}"] = user_create(username=f"bench-{name}-{n}", role=role, password=PASSWORD)
    # Admin access for the baseline's changelist: is_staff opens the admin site; the role's own
    # permissions (porting.view_portrequest) decide the rest, as on the portal's pages.
    User.objects.filter(pk__in=[u.pk for u in users.values()]).update(is_staff=True)
    users["partner"] = user_create(
        username="bench-partner", role=Role.PARTNER_USER, partner=partners[0], password=PASSWORD
    )
    escalation_evaluate(notify=False)  # the escalation dashboard's rows: one per open item
    if connection.vendor == "postgresql":
        # What autovacuum does on a live database after a bulk load: the planner's statistics, and the
        # trigram indexes' pending entries merged (a GIN index takes new rows into a list it scans).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return Seeded(
        users=users,
        rejections=len(rejected_rows),
        escalations=Escalation.objects.filter(closed_at__isnull=True).count(),
        seconds=time.perf_counter() - start,
    )


SEARCH = "0113 496 0042"
SEARCH_ONLY = "search by number, its queries alone (count and first page of 25)"


def search_queries(user) -> None:
    """What a search by number costs the database: the queue's count and its first page, filtered."""
    from django.http import QueryDict

    from porting import selectors
    from porting.filters import PortRequestFilter

    found = PortRequestFilter(QueryDict(f"q={SEARCH}"), queryset=selectors.port_request_list(user=user)).qs
    found.count()
    list(found.order_by("-id")[:25])


def fetch(client: Client, url: str, *, cold: bool = False):
    """One request, read to its last byte (a streamed response is drained); `cold`: just after the
    port and escalation data changed (their cache versions bumped, as every change does)."""
    if cold:
        from escalations.selectors import _bump_version
        from expoe_portal.cache import data_changed
        from porting.models import PORT_DATA

        with transaction.atomic():
            data_changed(PORT_DATA)
        _bump_version()
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if response.streaming:
        for _chunk in response.streaming_content:
            pass
    return response


def query_count(client: Client, url: str, *, cold: bool = False) -> int:
    fetch(client, url)  # warm: session, permissions, templates
    with CaptureQueriesContext(connection) as queries:
        fetch(client, url, cold=cold)
    return len(queries.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="port requests to seed (default 100,000)")
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds (default 10)")
    args = parser.parse_args()
    with common.throwaway_database("ports"):
        database = common.database_description()
        seeded = seed(args.rows)
        clients = {}
        for who in {who for _, who, _ in PAGES} | {"coordinator-0"}:
            clients[who] = Client()
            clients[who].force_login(seeded.users[who])
        pages = [(BASELINE, "coordinator-0", CHANGELIST), *PAGES]
        queries = {label: query_count(clients[who], url, cold=label.startswith(COLD)) for label, who, url in pages}
        with CaptureQueriesContext(connection) as searched:
            search_queries(seeded.users["coordinator-0"])
        queries[SEARCH_ONLY] = len(searched.captured_queries)
        # Two passes, each with the changelist in its rounds: a cold page's change would empty the
        # cache of the warm pages measured after it in the same round.
        timings, baselines = {}, {}
        for cold in (False, True):
            passing = [page for page in pages if page[0] == BASELINE or page[0].startswith(COLD) == cold]
            cases = {label: partial(fetch, clients[who], url, cold=cold) for label, who, url in passing}
            if not cold:
                cases[SEARCH_ONLY] = partial(search_queries, seeded.users["coordinator-0"])
            measured = common.interleaved(cases, args.rounds)
            baselines |= dict.fromkeys(measured, measured[BASELINE])
            timings |= {label: times for label, times in measured.items() if label != BASELINE or not cold}
    write_report(args, seeded, database, pages, queries, timings, baselines)


def write_report(args, seeded: Seeded, database: str, pages, queries, timings, baselines) -> None:
    rows = []
    for label, _who, url in [*pages, (SEARCH_ONLY, "", f"/ports/?q={SEARCH.replace(' ', '+')}")]:
        spread = common.Spread.of(timings[label])
        ratio = "1 (the baseline)" if label == BASELINE else common.ratios(timings[label], baselines[label]).text(2)
        rows.append(f"| {label} | `{url}` | {spread.text()} | {ratio} | {queries[label]} |")
    vendor = connection.vendor
    common.write_section(
        f"ports-{vendor}",
        [
            f"## Port requests and dashboards, in-process ({vendor}; `bench/ports.py`)",
            "",
            f"- Data: {args.rows:,} port requests across {PARTNERS} partners in every state, {seeded.rejections:,}"
            f" rejections, {seeded.escalations:,} open escalations (seeded in {seeded.seconds:.0f} s).",
            f"- Machine: {common.machine()}.",
            f"- Database: {database}. Date: {time.strftime('%Y-%m-%d %H:%M')}.",
            f"- Each page warmed once, then {args.rounds} interleaved rounds through Django's test client"
            " (in-process, no network). Times are medians with p5–p95 in brackets; the ratio is each round's"
            " time over the admin changelist's in the same round (below 1: faster than Django's own list page)."
            f' The pages measured "{COLD.strip(": ")}" have a pass of their own (with the changelist in its'
            " rounds), each request just after the port and escalation data changed: nothing of theirs cached.",
            "",
            "| page | URL | ms, median (p5–p95) | × changelist, median (p5–p95) | queries |",
            "|------|-----|---:|---:|---:|",
            *rows,
        ],
    )


if __name__ == "__main__":
    main()
