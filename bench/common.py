"""What the benchmarks share: Django set up with the bench settings, a throwaway database, rounds run
interleaved with their spread, ratios against a baseline measured in the same run, the machine, and
one section of docs/benchmarks.md rewritten between its markers.

The machine is shared and noisy, so no figure stands alone: each is run in the same rounds as its
baseline (A, B, A, B ... with the order reversed every other round, so neither always goes first)
and reported as a median with its spread, and as the ratio to the baseline of the same round.
"""

import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"


def setup(settings_module: str = "bench.settings") -> None:
    """Django with the bench settings (the test settings plus the baseline's admin site)."""
    if str(ROOT) not in sys.path[:1]:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # the portal's and its clients' request logs
    import django

    django.setup()


# --- spread and ratios -------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest rank: with 10 rounds p5 is the least and p95 the greatest."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Spread:
    median: float
    low: float  # p5
    high: float  # p95
    n: int

    @classmethod
    def of(cls, values: list[float]) -> "Spread":
        return cls(statistics.median(values), percentile(values, 5), percentile(values, 95), len(values))

    def text(self, digits: int = 0) -> str:
        return f"{self.median:.{digits}f} ({self.low:.{digits}f}–{self.high:.{digits}f})"


def ratios(values: list[float], baseline: list[float]) -> Spread:
    """Each round's value over the baseline of the same round: the noise of the moment cancels."""
    return Spread.of([v / b for v, b in zip(values, baseline, strict=True) if b])


def interleaved(cases: dict[str, Callable[[], object]], rounds: int, *, warmup: int = 1) -> dict[str, list[float]]:
    """Milliseconds per call of each case, the cases taking turns within every round."""
    names = list(cases)
    for name in names:
        for _ in range(warmup):
            cases[name]()
    timings: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(rounds):
        for name in names if round_ % 2 == 0 else reversed(names):
            start = time.perf_counter()
            cases[name]()
            timings[name].append((time.perf_counter() - start) * 1000)
    return timings


# --- the machine and the database --------------------------------------------------------------


def database_description() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    return connection.vendor


def machine() -> str:
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()},"
        f" {platform.system()} {platform.release()}; load average {load} at the start (the machine is shared)"
    )


@contextmanager
def throwaway_database(suffix: str) -> Iterator[None]:
    """A fresh database for one benchmark, dropped afterwards. On PostgreSQL it is named after
    DATABASE_URL's database plus `_<suffix>` (so a bench never touches the database it was given);
    on SQLite it is in memory."""
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    if connection.vendor == "postgresql":
        connection.settings_dict["TEST"]["NAME"] = f"{connection.settings_dict['NAME']}_{suffix}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def require_postgresql(what: str) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit(f"{what} needs PostgreSQL: set DATABASE_URL=postgres://... (and REDIS_URL).")


def database_url() -> str:
    """The URL of the database in use, for processes the bench starts (gunicorn, a Celery worker)."""
    from django.db import connection

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


# --- the report --------------------------------------------------------------------------------


def write_section(name: str, lines: list[str]) -> None:
    """Replace the text between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` in
    docs/benchmarks.md (or append the section); every other section is kept as it is."""
    begin, finish = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    section = "\n".join([begin, *lines, finish])
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if begin in text and finish in text:
        text = text[: text.index(begin)] + section + text[text.index(finish) + len(finish) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(text, encoding="utf-8")
    print(section)
