"""Figures carry their unit (issue #16): durations in days and hours, days named working or
calendar, chart axes at round steps with their name."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template

from expoe_portal import durations
from expoe_portal.charts import bar_chart


@pytest.mark.parametrize(
    ("hours", "text"),
    [(336, "14 days"), (504, "21 days"), (30, "1 day 6 hours"), (24, "1 day"), (4, "4 hours"), (1, "1 hour"),
     (0.5, "30 minutes"), (0, "under a minute"), (None, "—")],
)  # fmt: skip
def test_hours_read_as_days_and_hours(hours, text):
    assert durations.hours_text(hours) == text


def test_days_are_named_working_or_calendar():
    assert durations.days_text(1.0, durations.CALENDAR) == "1 calendar day"
    assert durations.days_text(1.25, durations.CALENDAR) == "1.2 calendar days"
    assert durations.days_text(22, durations.WORKING) == "22 working days"
    assert durations.days_text(None, durations.WORKING) == "—"
    with pytest.raises(ValueError, match="working or calendar"):
        durations.days_text(3, "business")


def test_time_left_and_overdue_in_days_and_hours():
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert durations.until_text(now + timedelta(days=16, hours=3, minutes=59), now=now) == "16 days 3 hours"
    assert durations.since_text(now - timedelta(minutes=95), now=now) == "1 hour"
    rendered = Template("{{ 336|hours }} · {{ 1|calendar_days }} · {{ 22|working_days }} · {{ none|hours }}").render(
        Context({"none": None})
    )
    assert rendered == "14 days · 1 calendar day · 22 working days · —"


def _axis(svg: str) -> list[str]:
    return re.findall(r'text-anchor="end" dominant-baseline="middle" font-size="11" fill="#6c757d">([^<]+)<', svg)


def test_a_column_chart_of_counts_ticks_at_whole_numbers_and_names_its_axis():
    svg = bar_chart([("5 Jan", 4, "danger"), ("12 Jan", 1, "danger")], title="t", columns=True, axis="Breaches")
    assert _axis(svg) == ["0", "1", "2", "3", "4", "5"]
    assert ">Breaches</text>" in svg
    assert _axis(bar_chart([("a", 37, "primary")], title="t", columns=True)) == ["0", "10", "20", "30", "40", "50"]
    assert _axis(bar_chart([("a", 0.4, "primary")], title="t", columns=True)) == ["0", "0.2", "0.4", "0.6", "0.8", "1"]
