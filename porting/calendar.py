"""Working days for port dates (P4).

A working day is a weekday that is not a public holiday of the number's country and, for `GB`,
of its nation (the `holidays` package's subdivisions ENG, SCT, WLS, NIR): Easter Monday is not a
Scottish bank holiday, St Andrew's Day is; 12 July is one in Northern Ireland only.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

UK = ZoneInfo("Europe/London")
# P7: the losing provider may cancel until this long before 00:00 UK time on the port date.
CANCELLATION_NOTICE = timedelta(hours=48)


@lru_cache(maxsize=512)
def _holidays(country: str, region: str, year: int) -> frozenset[date]:
    # Cached per year: the set is built once per (country, nation, year) for the life of the process.
    calendar = holidays.country_holidays(country, subdiv=region or None, years=year)
    return frozenset(calendar)


def holiday_name(day: date, country: str, region: str = "") -> str | None:
    calendar = holidays.country_holidays(country, subdiv=region or None, years=day.year)
    return calendar.get(day)


def is_working_day(day: date, country: str, region: str = "") -> bool:
    return day.weekday() < 5 and day not in _holidays(country, region, day.year)


def add_working_days(start: date, n: int, country: str, region: str = "") -> date:
    """The `n`th working day after `start` (`start` itself never counts, whatever day it is)."""
    if n < 0:
        raise ValueError("n must not be negative")
    day, left = start, n
    while left:
        day += timedelta(days=1)
        if is_working_day(day, country, region):
            left -= 1
    return day


def working_days_between(start: date, end: date, country: str, region: str = "") -> int:
    """How many working days after `start`, up to and including `end` (0 when end <= start).

    The inverse of add_working_days: working_days_between(s, add_working_days(s, n, ...), ...) == n."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, country, region):
            count += 1
    return count


def uk_midnight(day: date) -> datetime:
    """00:00 UK time (GMT or BST, whichever applies that day) at the start of `day`, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=UK)


def cancellation_deadline(port_date: date) -> datetime:
    """P7: the last moment the losing provider may cancel: 48 real hours before 00:00 UK time on
    the port date. Subtracted in UTC, because aware arithmetic in one zone is wall-clock
    arithmetic, which is an hour out across a clock change."""
    return uk_midnight(port_date).astimezone(UTC) - CANCELLATION_NOTICE
