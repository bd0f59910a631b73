"""Every duration and count of days as the pages say it: in days and hours, and days always named
working or calendar (issue #16). One helper, so "336 hours", "1.0 d" and "2 weeks" never appear."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

WORKING = "working"
CALENDAR = "calendar"


def _plural(n: float, word: str) -> str:
    return f"{_number(n)} {word}{'' if n == 1 else 's'}"


def _number(value: float) -> str:
    value = round(float(value), 1)
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"


def hours_text(hours: float | Decimal | None) -> str:
    """A number of wall-clock hours in days and hours: 336 → "14 days", 30 → "1 day 6 hours",
    4 → "4 hours", 0.5 → "30 minutes"."""
    if hours is None:
        return "—"
    return duration_text(timedelta(hours=float(hours)))


def duration_text(delta: timedelta) -> str:
    """A length of time in days and hours (minutes when under an hour), rounded down to the
    minute: "2 days 3 hours", "5 hours", "20 minutes", "under a minute"."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{_plural(days, 'day')} {_plural(hours, 'hour')}" if hours else _plural(days, "day")
    if hours:
        return _plural(hours, "hour")
    return _plural(minutes, "minute") if minutes else "under a minute"


def days_text(days: float | Decimal | None, kind: str) -> str:
    """A count of days, named working or calendar: "22 working days", "1.5 calendar days", "—"."""
    if kind not in (WORKING, CALENDAR):
        raise ValueError(f"days are working or calendar, not {kind!r}")
    if days is None:
        return "—"
    return f"{_number(float(days))} {kind} day{'' if float(days) == 1 else 's'}"


def until_text(moment: datetime, *, now: datetime | None = None) -> str:
    """How long until `moment` ("due in" wording is the caller's), in days and hours."""
    return duration_text(moment - (now or timezone.now()))


def since_text(moment: datetime, *, now: datetime | None = None) -> str:
    """How long since `moment` ("overdue by" wording is the caller's), in days and hours."""
    return duration_text((now or timezone.now()) - moment)
