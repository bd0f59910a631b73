"""What every app's tables share: a status badge and a date rendered in Python. A template per
cell (what django-tables2's TemplateColumn, DateColumn and DateTimeColumn do) cost most of a queue
page's CPU (issue #14)."""

from datetime import date, datetime
from typing import Any

import django_tables2 as tables
from django.utils import dateformat, timezone
from django.utils.html import format_html


def badge(colour: str, label: str, testid: str = "") -> str:
    if testid:
        return format_html('<span class="badge text-bg-{}" data-testid="{}">{}</span>', colour, testid, label)
    return format_html('<span class="badge text-bg-{}">{}</span>', colour, label)


class BadgeColumn(tables.Column):
    """A status as its badge: `BadgeColumn(colour="status_badge", label="get_status_display")` reads
    both off the row (attributes or methods)."""

    def __init__(self, *, colour: str, label: str, testid: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("empty_values", ())
        super().__init__(**kwargs)
        self.colour_of, self.label_of, self.testid = colour, label, testid

    def render(self, record: Any) -> str:
        colour, label = getattr(record, self.colour_of), getattr(record, self.label_of)
        return badge(colour() if callable(colour) else colour, label() if callable(label) else label, self.testid)


class WhenColumn(tables.Column):
    """A date or time in the portal's time zone, formatted in Python (django-tables2's DateColumn and
    DateTimeColumn render a template per cell): `WhenColumn(format="j M Y H:i")`."""

    def __init__(self, *, format: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.format = format

    def render(self, value: date | datetime) -> str:
        if isinstance(value, datetime) and timezone.is_aware(value):
            value = timezone.localtime(value)
        return dateformat.format(value, self.format)
