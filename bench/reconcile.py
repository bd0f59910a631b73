"""Benchmark: the nightly reconciliation of 2,000 built customers (#15; not a test).

    python bench/reconcile.py                      # 2,000 customers, 7 rounds
    python bench/reconcile.py --customers 20000 --rounds 3

Set DATABASE_URL for PostgreSQL (the bench works in `<name>_reconcile`, created then dropped). The
platforms are in memory, answering at once from dictionaries that match our records except for 5%
of customers (a number gone, an admin added, an Akixi user widened): what is measured is our side,
reading our records, comparing and writing drift, not the network.

Timed in interleaved rounds (the order reversed every other round):
- the steady nightly run: `reconcile()` over every customer, its drift already open (seen again and
  updated), as on every night after the first;
- its baseline, the floor of the same work: our records read with the same queries, and every
  platform read the run makes, made, with nothing compared and nothing written.
Reported as median (p5-p95) and as the per-round ratio to the baseline; the first run (which opens
the drift) is timed once. The results go into the "reconcile" section of docs/benchmarks.md.
"""

import argparse
import sys
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

common.setup("expoe_portal.settings.test")

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

PARTNERS = 20


class Answers:
    """The three platforms as dictionaries: only the reads reconciliation makes."""

    def __init__(self):
        self.groups, self.numbers, self.clid, self.portal, self.admins = {}, {}, {}, {}, {}
        self.partitions, self.info, self.partition_users_, self.users, self.customers = {}, {}, {}, {}, {}

    # BroadWorks
    def group_exists(self, sp, group_id):
        return group_id in self.groups

    def group_profile(self, sp, group_id):
        return self.groups[group_id]

    def group_numbers(self, sp, group_id, activated_only=True):
        return self.numbers[group_id]

    def group_clid(self, sp, group_id):
        return self.clid[group_id]

    def voice_portal(self, sp, group_id):
        return self.portal[group_id]

    def group_admins(self, sp, group_id):
        return self.admins[group_id]

    # Akixi
    def find_partition(self, group_id):
        return self.partitions.get(group_id)

    def partition_info(self, partition):
        return self.info.get(partition)

    def partition_users(self, partition):
        return self.partition_users_[partition]

    def reporting_user(self, username):
        return self.users.get(username)

    # Call Cabinet
    def customer(self, group_id):
        return self.customers.get(group_id)


class BenchPlatforms:
    def __init__(self, answers):
        self.broadworks = self.akixi = self.callcabinet = answers


def seed(customers: int) -> Answers:
    from customers.models import AkixiUser, CustomerGroup, GroupAdmin, ServiceBuild
    from number_pool.models import Number
    from partners.models import Partner

    partners = Partner.objects.bulk_create(
        Partner(partner_id=f"BENCH{i:03d}", name=f"Bench Partner {i}", live=True) for i in range(PARTNERS)
    )
    groups = CustomerGroup.objects.bulk_create(
        (
            CustomerGroup(
                partner=partners[i % PARTNERS],
                group_id=f"C{i:06d}",
                name=f"Customer {i}",
                business_profile_number=f"+4420{i:06d}0",
                voice_portal_number=f"+4420{i:06d}1",
                voice_portal_extension="8000",
                akixi_licence="Reporting Standard",
                callcabinet_admin_name="Ada",
                callcabinet_admin_email=f"ada{i}@bench.invalid",
                submitted_at=timezone.now(),
            )
            for i in range(customers)
        ),
        batch_size=2000,
    )
    now = timezone.now()
    ServiceBuild.objects.bulk_create(
        (ServiceBuild(group=g, kind="build", status="succeeded", queued_at=now, finished_at=now) for g in groups),
        batch_size=2000,
    )
    Number.objects.bulk_create(
        (
            Number(e164=f"+4420{i:06d}{k}", partner=g.partner, customer_group=g, status="assigned")
            for i, g in enumerate(groups)
            for k in range(3)
        ),
        batch_size=5000,
    )
    GroupAdmin.objects.bulk_create(
        (GroupAdmin(group=g, first_name="Ada", last_name="L", user_id=f"ada@{g.group_id}.invalid") for g in groups),
        batch_size=2000,
    )
    AkixiUser.objects.bulk_create(
        (AkixiUser(group=g, username=f"{g.group_id}.reports", full_name="Ada", email="a@x.invalid") for g in groups),
        batch_size=2000,
    )
    answers = Answers()
    numbers = defaultdict(list)
    for gid, e164 in Number.objects.values_list("customer_group__group_id", "e164"):
        numbers[gid].append(e164)
    for i, g in enumerate(groups):
        gid, sp, partition = g.group_id, g.partner.partner_id, 100_000 + i
        drifted = i % 20 == 0  # 5%
        answers.groups[gid] = {"name": g.name, "default_domain": g.domain}
        answers.numbers[gid] = numbers[gid][:-1] if drifted else numbers[gid]
        answers.clid[gid] = {"number": g.business_profile_number, "present_as_caller_id": False}
        answers.portal[gid] = {"active": True, "number": g.voice_portal_number, "extension": "8000"}
        answers.admins[gid] = [{"user_id": f"ada@{gid}.invalid", "first_name": "Ada", "last_name": "L"}]
        if drifted:
            answers.admins[gid].append({"user_id": f"eve@{gid}.invalid", "first_name": "Eve", "last_name": "X"})
        answers.partitions[gid] = partition
        answers.info[partition] = {
            "description": g.name,
            "billing_tag": gid,
            "licence": g.akixi_licence,
            "provider_id": sp,
            "group_id": gid,
            "server_type": "Service Provider Group",
            "sync_type": "By Service Pack",
            "maintain_parity": True,
        }
        username = f"{gid}.reports"
        answers.partition_users_[partition] = [] if drifted else [username]
        answers.users[username] = {
            "username": username,
            "any_partition": drifted,
            "partition_ids": [] if drifted else [partition],
        }
        answers.customers[gid] = {
            "customer_id": i,
            "customer_type": "Essential",
            "provider_id": sp,
            "group_id": gid,
            "admin_name": "Ada",
            "admin_email": g.callcabinet_admin_email,
            "status": "active",
        }
    return answers


def floor(platforms) -> None:
    """The baseline: our records read with the run's queries, and the run's platform reads made."""
    from reconciliation.selectors import built_groups
    from reconciliation.services import CHUNK, _records

    ids = list(built_groups().order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        for _partner, r in _records(ids[start : start + CHUNK]).values():
            bw, ak, cc = platforms.broadworks, platforms.akixi, platforms.callcabinet
            bw.group_exists(r.partner_id, r.group_id)
            for read in (bw.group_profile, bw.group_numbers, bw.group_clid, bw.voice_portal, bw.group_admins):
                read(r.partner_id, r.group_id)
            partition = ak.find_partition(r.group_id)
            ak.partition_info(partition)
            ak.partition_users(partition)
            for username in r.akixi_users:
                ak.reporting_user(username)
            cc.customer(r.group_id)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with common.throwaway_database("reconcile"):
        from reconciliation import services
        from reconciliation.models import Drift

        machine, database = common.machine(), common.database_description()
        answers = seed(args.customers)
        platforms = BenchPlatforms(answers)
        services.get_platforms = lambda: platforms  # (reconcile() also takes platforms=)
        start = timezone.now()
        first = services.reconcile(platforms=platforms)
        first_ms = (first.finished_at - start) / timedelta(milliseconds=1)
        with CaptureQueriesContext(connection) as queries:
            steady = services.reconcile(platforms=platforms)
        timings = common.interleaved(
            {"steady run": lambda: services.reconcile(platforms=platforms), "floor": lambda: floor(platforms)},
            args.rounds,
        )
        run, base = common.Spread.of(timings["steady run"]), common.Spread.of(timings["floor"])
        ratio = common.ratios(timings["steady run"], timings["floor"])
        open_drift = Drift.objects.filter(resolved_at__isnull=True).count()
        lines = [
            f"## Reconciliation, {database.split()[0].lower()} (`bench/reconcile.py`)",
            "",
            f"- Data: {args.customers:,} built customers of {PARTNERS} partners, each with 3 numbers, an admin, an "
            "Akixi user and a Call Cabinet customer; the platforms in memory, 5% of customers drifted (a number "
            "gone, an admin added, an Akixi user widened to Any Partition).",
            f"- Machine: {machine}.",
            f"- Database: {database}. Date: {timezone.localtime():%Y-%m-%d %H:%M}. Rounds: {args.rounds}, "
            "interleaved (the order reversed every other round).",
            f"- First run (opens the drift): {first_ms:.0f} ms, {first.drift_new} drift opened; open drift after "
            f"the rounds: {open_drift}. Queries in a steady run: {len(queries)} "
            f"({steady.groups_checked} customers, {steady.drift_still} drift seen again).",
            "",
            "| what | median ms (p5–p95) | × floor (p5–p95) |",
            "|---|---:|---:|",
            f"| steady nightly run: read, compare, drift updated | {run.text()} | {ratio.text(2)} |",
            f"| floor: the same records and platform reads, nothing compared or written | {base.text()} | 1 |",
            "",
            f"Per customer: {run.median / args.customers:.2f} ms (the floor {base.median / args.customers:.2f} ms); "
            "with real platforms each customer adds its ~12 reads' round trips, which this leaves out.",
        ]
        common.write_section("reconcile", lines)


if __name__ == "__main__":
    main()
