"""Benchmark (not a test): bulk onboarding (#15), a spreadsheet of 200 customers checked with every rule
(target: ≤ 5 s), and confirmed, each against a baseline measured in the same rounds.

Run alone: `DATABASE_URL=postgres://... python bench/bulk.py --rows 200 --rounds 5` (SQLite in memory
without DATABASE_URL; with it the bench works in `<that database>_bulk`, created and dropped).

It seeds the scale DESIGN.md plans for where the rules look things up: 20,000 customer groups of other
partners with their admins and Akixi users, and 100,000 numbers, 600 of them the bench partner's
available pool. Then, in interleaved rounds (the order reversed every other round):

- the check: `bulk_upload_check` of the same 200 valid customers as CSV and as XLSX (read, every
  rule on every row, the cross-row checks, the upload and its rows stored), against the baseline of
  the rules alone: the single customer's `validate_build_request` called once per row;
- the confirmation: `bulk_upload_confirm` of a checked upload (200 customers and builds created in
  one transaction), against the baseline of the same 200 customers made one at a time through the
  single path (`customer_group_create` then `build_start`, as the build request page does). Both
  are rolled back each round, so nothing is sent to a platform and every round starts the same.

Results go into docs/benchmarks.md (section "bulk").
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common  # noqa: E402

common.setup()

from django.db import transaction  # noqa: E402

GROUPS = 20_000
NUMBERS = 100_000
TARGET_MS = 5000


class RolledBack(Exception):
    pass


def seed(rows: int):
    """The bench partner (live, with its clone group and an available pool for every row), a
    co-ordinator, and the rest of the platform the rules check against."""
    from accounts.choices import Role
    from accounts.services import user_create
    from customers.models import AkixiUser, CustomerGroup, GroupAdmin
    from number_pool.choices import NumberStatus
    from number_pool.models import Number
    from partners.models import Partner

    start = time.perf_counter()
    partner = Partner.objects.create(partner_id="BULK01", name="Bulk Partner", live=True, clone_group_id="BULK-CLONE")
    others = Partner.objects.bulk_create(
        Partner(partner_id=f"OTHER{i:03d}", name=f"Other {i}", live=True, clone_group_id=f"OTHER{i:03d}-CLONE")
        for i in range(199)
    )
    coordinator = user_create(username="bench-coordinator", role=Role.COORDINATOR, password="bench-pass-12345")
    groups = CustomerGroup.objects.bulk_create(
        (
            CustomerGroup(partner=others[i % 199], group_id=f"Existing{i:05d}", name=f"Existing {i}")
            for i in range(GROUPS)
        ),
        batch_size=2000,
    )
    GroupAdmin.objects.bulk_create(
        (
            GroupAdmin(group=g, first_name="Ex", last_name=f"Isting{i}", user_id=f"ex.isting{i}@hostedcomm.com")
            for i, g in enumerate(groups)
        ),
        batch_size=2000,
    )
    AkixiUser.objects.bulk_create(
        (
            AkixiUser(group=g, username=f"existing{i}.reports", full_name="Ex Isting", email=f"ex{i}@x.invalid")
            for i, g in enumerate(groups)
        ),
        batch_size=2000,
    )
    own = [Number(e164=f"+44207946{n:04d}", partner=partner) for n in range(3 * rows)]
    assigned = [
        Number(
            e164=f"+44161496{n:04d}" if n < 10_000 else f"+4411349{n:05d}",
            partner=groups[n // 3].partner,
            customer_group=groups[n // 3],
            status=NumberStatus.ASSIGNED,
        )
        for n in range(3 * GROUPS)
    ]
    spare = [
        Number(e164=f"+4412149{n:05d}", partner=others[n % 199]) for n in range(NUMBERS - len(own) - len(assigned))
    ]
    Number.objects.bulk_create([*own, *assigned, *spare], batch_size=5000)
    return partner, coordinator, time.perf_counter() - start


def customers(rows: int) -> list[dict]:
    """Valid customers, every section filled in (admins, Akixi, Call Cabinet): every rule runs."""
    from tests.customers.bulk_data import customer_row

    return [customer_row(n, admin_2_first_name="Grace", admin_2_last_name=f"Hopper{n}") for n in range(rows)]


def rolled_back(run):
    """Run, then undo it: on_commit work (the builds' messages) is dropped with the transaction."""

    def once():
        try:
            with transaction.atomic():
                run()
                raise RolledBack
        except RolledBack:
            pass

    return once


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--confirm-rounds", type=int, default=3)
    args = parser.parse_args()

    from customers import builds, services
    from customers.build_request import validate_build_request
    from customers.bulk import bulk_upload_check, bulk_upload_confirm
    from tests.customers.bulk_data import as_csv, as_xlsx

    with common.throwaway_database("bulk"):
        database = common.database_description()
        partner, coordinator, seeded = seed(args.rows)
        rows = customers(args.rows)
        csv_file, xlsx_file = as_csv(rows), as_xlsx(rows)
        first = bulk_upload_check(by=coordinator, partner=partner, filename="c.csv", content=csv_file)
        assert first.error_count == 0, [r.errors for r in first.rows.all() if r.errors][:3]
        requests = [row.data for row in first.rows.all()]

        def rules_alone():
            for request in requests:
                validate_build_request(partner=partner, data=request)

        check = common.interleaved(
            {
                "rules alone": rules_alone,
                "csv": lambda: bulk_upload_check(by=coordinator, partner=partner, filename="c.csv", content=csv_file),
                "xlsx": lambda: bulk_upload_check(
                    by=coordinator, partner=partner, filename="c.xlsx", content=xlsx_file
                ),
            },
            args.rounds,
        )

        def one_at_a_time():
            for request in requests:
                group, _ = services.customer_group_create(by=coordinator, partner=partner, data=request)
                builds.build_start(by=coordinator, group=group)

        confirm = common.interleaved(
            {
                "one at a time": rolled_back(one_at_a_time),
                "bulk": rolled_back(lambda: bulk_upload_confirm(by=coordinator, upload=first)),
            },
            args.confirm_rounds,
            warmup=0,
        )
    write_report(args, database, seeded, check, confirm)


def write_report(args, database, seeded, check, confirm):
    base = check["rules alone"]
    rows = [
        (f"the rules alone: `validate_build_request` × {args.rows} (baseline)", base, None),
        (f"bulk check, CSV of {args.rows} customers", check["csv"], common.ratios(check["csv"], base)),
        (f"bulk check, XLSX of {args.rows} customers", check["xlsx"], common.ratios(check["xlsx"], base)),
    ]
    slowest = max(common.Spread.of(check["csv"]).high, common.Spread.of(check["xlsx"]).high)
    single = confirm["one at a time"]
    lines = [
        "## Bulk onboarding: 200 customers checked and confirmed (`bench/bulk.py`)",
        "",
        f"- Data: {GROUPS:,} customer groups of 199 other partners with an admin and an Akixi user each, "
        f"{NUMBERS:,} numbers ({3 * args.rows} of them the bench partner's available pool); seeded in {seeded:.0f} s.",
        f"- The file: {args.rows} valid customers, every section filled in (3 numbers as a range, 2 admins, an Akixi "
        "user, Call Cabinet), so every rule runs to its end on every row.",
        f"- Machine: {common.machine()}.",
        f"- Database: {database}. Date: {time.strftime('%Y-%m-%d %H:%M')}.",
        f"- Warmed once, then {args.rounds} interleaved rounds (in-process, no HTTP). Times in ms, median (p5–p95);"
        " the ratio is each round's time over its baseline's in the same round.",
        "",
        "| check | ms, median (p5–p95) | × the rules alone, median (p5–p95) |",
        "|---|---:|---:|",
        *(
            f"| {label} | {common.Spread.of(values).text()} | {ratio.text(2) if ratio else '1 (the baseline)'} |"
            for label, values, ratio in rows
        ),
        "",
        f"Target: {args.rows} rows validated in ≤ {TARGET_MS / 1000:.0f} s. "
        + (
            f"**Met**: the slowest round of either format took {slowest / 1000:.2f} s."
            if slowest <= TARGET_MS
            else f"**Not met**: the slowest round took {slowest / 1000:.2f} s."
        ),
        "",
        f"The confirmation ({args.confirm_rounds} interleaved rounds, each rolled back; nothing reaches a platform):",
        "",
        "| confirmation | ms, median (p5–p95) | × one at a time, median (p5–p95) |",
        "|---|---:|---:|",
        f"| {args.rows} customers one at a time: `customer_group_create` + `build_start` each (baseline) "
        f"| {common.Spread.of(single).text()} | 1 (the baseline) |",
        f"| bulk confirmation of {args.rows} customers, one transaction "
        f"| {common.Spread.of(confirm['bulk']).text()} | {common.ratios(confirm['bulk'], single).text(2)} |",
    ]
    common.write_section("bulk", lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
