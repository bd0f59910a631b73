"""Benchmark (not a test): a bulk port (issue #18), 10,000 numbers pasted one per line, created, checked
at submission (P3: pools, other open ports, the numbering data) and accepted with 100 of them refused
(split into a child request); target: each step within 2 s. Each step is measured against the same
step of an ordinary port of 4 numbers (1 refused), in the same rounds.

Run alone: `DATABASE_URL=postgres://... python bench/bulk_ports.py --rounds 5` (SQLite in memory
without DATABASE_URL; with it the bench works in `<that database>_bulk_ports`, created and dropped).

It seeds what the checks look through: 100,000 numbers in 200 other partners' pools and 2,000 other
open port requests of 10 numbers each (20,000 numbers held). Each round runs both ports, the order
reversed every other round, each inside a transaction rolled back at its end (so every round starts
from the same data and nothing is emailed); each step is timed on its own, in-process through the
services (no HTTP). Results go into docs/benchmarks.md (section "bulk-ports").
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common  # noqa: E402

common.setup()

from django.db import transaction  # noqa: E402

POOL_NUMBERS = 100_000
OTHER_PORTS = 2_000
TARGET_MS = 2000
STEPS = ("create", "submit", "accept")
PASSWORD = "bench-pass-12345"


class RolledBack(Exception):
    pass


def seed():
    from accounts.choices import Role
    from accounts.services import user_create
    from number_pool.models import Number
    from partners.models import Partner
    from porting.models import PortedNumber, PortRequest
    from porting.providers import providers_load
    from porting.rules import load_porting_rules

    start = time.perf_counter()
    load_porting_rules()
    providers_load()
    partner = Partner.objects.create(partner_id="PORT01", name="Bulk Port Partner", live=True)
    others = Partner.objects.bulk_create(Partner(partner_id=f"OTHER{i:03d}", name=f"Other {i}") for i in range(200))
    Number.objects.bulk_create(
        (Number(e164=f"+4420{n:08d}", partner=others[n % 200]) for n in range(POOL_NUMBERS)), batch_size=5000
    )
    ports = PortRequest.objects.bulk_create(
        PortRequest(
            partner=others[i % 200],
            status="submitted",
            numbers=[f"+44121{i:05d}{d}" for d in range(10)],
            number_count=10,
        )
        for i in range(OTHER_PORTS)
    )
    PortedNumber.objects.bulk_create(
        (PortedNumber(port_request=p, e164=e) for p in ports for e in p.numbers), batch_size=5000
    )
    partner_user = user_create(username="bench-partner", role=Role.PARTNER_USER, partner=partner, password=PASSWORD)
    coordinator = user_create(username="bench-coordinator", role=Role.COORDINATOR, password=PASSWORD)
    return partner, partner_user, coordinator, time.perf_counter() - start


def port_data(numbers: list[str]) -> dict:
    """What a partner pastes: every number on its own line, in national format (the slowest input:
    each line is read as a number, none as a range)."""
    return {
        "country": "GB",
        "region": "ENG",
        "number_type": "analogue",
        "main_billing_number": numbers[0],
        "numbers": "\n".join(f"0{n[3:6]} {n[6:9]} {n[9:]}" for n in numbers),
        "registered_address": "1 Portland Street, Manchester M1 3BE",
        "losing_provider": "BT",
        "range_holder": "BT",  # the sample numbering data says Gamma: every number gets the warning
        "risks_acknowledged": True,
    }


def one_port(partner, partner_user, coordinator, numbers: list[str], refused: list[str]) -> dict[str, float]:
    """Milliseconds of each step of one port, all of it rolled back afterwards."""
    from porting import documents, services

    times: dict[str, float] = {}
    try:
        with transaction.atomic():
            start = time.perf_counter()
            port = services.port_request_create(by=partner_user, partner=partner, data=port_data(numbers))
            times["create"] = (time.perf_counter() - start) * 1000
            # GB needs the signed letter of authority before submission (P3, P6); not timed (its
            # PDF is made once per request, whatever the checks cost).
            documents.loa_sign_online(
                by=partner_user,
                port_request=port,
                name="Bench Signer",
                position="Director",
                consent=True,
                address="192.0.2.1",
            )
            start = time.perf_counter()
            services.port_request_transition(by=partner_user, port_request=port, name="submit")
            times["submit"] = (time.perf_counter() - start) * 1000
            start = time.perf_counter()
            accepted = services.port_request_transition(
                by=coordinator,
                port_request=port,
                name="accept",
                data={"refused_numbers": refused, "refusal_reason": "Not on the losing provider's records"},
            )
            times["accept"] = (time.perf_counter() - start) * 1000
            assert accepted.number_count == len(numbers) - len(refused) and accepted.children.count() == 1
            raise RolledBack
    except RolledBack:
        pass
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    with common.throwaway_database("bulk_ports"):
        database = common.database_description()
        partner, partner_user, coordinator, seeded = seed()
        big = [f"+44161{n:07d}" for n in range(4_960_000, 4_960_000 + args.numbers)]
        small = [f"+44161497{n:04d}" for n in range(4)]
        cases = {
            "small": lambda: one_port(partner, partner_user, coordinator, small, small[-1:]),
            "bulk": lambda: one_port(partner, partner_user, coordinator, big, big[-100:]),
        }
        for case in cases.values():
            case()  # warmed once
        timings: dict[str, dict[str, list[float]]] = {name: {step: [] for step in STEPS} for name in cases}
        for round_ in range(args.rounds):
            for name in cases if round_ % 2 == 0 else reversed(list(cases)):
                for step, ms in cases[name]().items():
                    timings[name][step].append(ms)
    write_report(args, database, seeded, timings)


def write_report(args, database, seeded, timings):
    small, bulk = timings["small"], timings["bulk"]
    slowest = max(common.Spread.of(bulk[step]).high for step in STEPS)
    labels = {
        "create": "create: the pasted list read, the draft and a row per number saved",
        "submit": "submit: P3 checks (pools, other open ports, duplicates) and per-number status",
        "accept": "accept with refusals: port date, pool reservation, the refused split into a child",
    }
    lines = [
        "## Bulk ports: 10,000 numbers in one request (`bench/bulk_ports.py`)",
        "",
        f"- Data: {POOL_NUMBERS:,} numbers in 200 other partners' pools, {OTHER_PORTS:,} other submitted port requests "
        f"of 10 numbers each (their numbers held); seeded in {seeded:.0f} s.",
        f"- The port: {args.numbers:,} numbers pasted one per line in national format; at acceptance 100 are refused "
        "(moved into a child request). The baseline: the same steps for a port of 4 numbers, 1 refused.",
        f"- Machine: {common.machine()}.",
        f"- Database: {database}. Date: {time.strftime('%Y-%m-%d %H:%M')}.",
        f"- Warmed once, then {args.rounds} interleaved rounds (in-process, through the services, each port rolled "
        "back). Times in ms, median (p5–p95); the ratio is each round's time over the small port's in the same round.",
        "",
        "| step | 4 numbers, ms (baseline) | 10,000 numbers, ms | × the 4-number port |",
        "|---|---:|---:|---:|",
        *(
            f"| {labels[step]} | {common.Spread.of(small[step]).text()} | {common.Spread.of(bulk[step]).text()} "
            f"| {common.ratios(bulk[step], small[step]).text(1)} |"
            for step in STEPS
        ),
        "",
        f"Target: each step of a {args.numbers:,}-number port within {TARGET_MS / 1000:.0f} s. "
        + (
            f"**Met**: the slowest round of any step took {slowest / 1000:.2f} s."
            if slowest <= TARGET_MS
            else f"**Not met**: the slowest round of a step took {slowest / 1000:.2f} s."
        ),
    ]
    common.write_section("bulk-ports", lines)


if __name__ == "__main__":
    main()
