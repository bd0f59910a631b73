"""What every app's tables share: a status badge and a date rendered in Python. A template per
cell (what django-tables2's TemplateColumn, DateColumn and DateTimeColumn do) cost most of a queue
page's CPU (issue #14)."""

import inspect
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django_tables2.utils import AttributeDict

from .templatetags.portal import filters_set


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


class PortalTable(tables.Table):
    """Every app's table. Its rows are rendered here in Python, not by django-tables2's template,
    which resolved each cell's attributes and value through the template engine (half of the
    queue's table time, #14): the same markup, each column's cell attributes worked out once per
    page. (Our tables' attributes are fixed; one computed per record would need the template.)"""

    # What an empty list says (#16). With filters set: `Meta.empty_text` ("No numbers match these
    # filters.") and a way to clear them. With none: `empty_none_yet`, then the action that adds
    # one (label, URL name) to those the page offers it to (its `can_add`), or `empty_otherwise`.
    # The label differs from the page's own button ("Add the first numbers", not "Add numbers"):
    # two links of one name on a page are one too many for a screen reader's list of links.
    empty_none_yet = ""
    empty_action: tuple[str, str] | None = None
    empty_otherwise = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # On a phone each row stacks into a block, each cell under its column's name (portal.css, #16).
        self.attrs["class"] = f"{self.attrs.get('class', 'table')} table-stack"

    def tbody_html(self) -> SafeString:
        columns = list(self.columns)
        cells = [
            (format_html('<td {} data-label="{}">', c.attrs["td"].as_html(), c.header), c, _fast_cell(self, c))
            for c in columns
        ]
        rows = []
        for row in self.paginated_rows:
            # Each cell escaped by _cell, as the template's {{ cell }} escaped it.
            tds = "".join(
                f"{td}{_cell(column, fast(row.record) if fast else row.get_cell(column.name))}</td>"
                for td, column, fast in cells
            )
            rows.append(format_html("<tr {}>{}</tr>", row.attrs.as_html(), mark_safe(tds)))  # noqa: S308
        if not rows and (self.empty_text or self.empty_none_yet):
            rows = [
                format_html('<tr><td colspan="{}" data-testid="empty-list">{}</td></tr>', len(columns), self.empty())
            ]
        tbody = self.attrs.get("tbody")
        attrs = AttributeDict(tbody).as_html() if tbody else ""
        return format_html("<tbody {}>{}</tbody>", attrs, mark_safe("".join(rows)))  # noqa: S308 - built escaped

    def empty(self) -> SafeString:
        request = getattr(self, "request", None)
        if request is not None and filters_set(request.GET) or not self.empty_none_yet:
            clear = format_html(
                ' <a class="btn btn-sm btn-outline-secondary ms-2" href="{}">Clear the filters</a>',
                request.path if request is not None else "?",
            )
            return format_html("{}{}", self.empty_text, clear if request is not None else "")
        # The list page's context, while its template renders this table (django-tables2's tag).
        context = getattr(self, "context", None) or {}
        if self.empty_action and context.get("can_add"):
            label, url_name = self.empty_action
            action = format_html(' <a class="btn btn-sm btn-primary ms-2" href="{}">{}</a>', reverse(url_name), label)
            return format_html("{}{}", self.empty_none_yet, action)
        return format_html("{} {}", self.empty_none_yet, self.empty_otherwise)


# What a cell's render method may ask for and _fast_cell can give it.
FAST_ARGUMENTS = {"value", "record", "column", "bound_column", "table"}


def _fast_cell(table: tables.Table, bound_column: Any) -> Callable[[Any], Any] | None:
    """A cell's content straight from its record, as django-tables2's `get_cell` works it out (the
    value at the accessor, following foreign keys, a choice's label, the column's default when
    empty, the render method with the arguments it takes, the link), with what `get_cell` looks up
    per cell looked up once per column. None where a cell needs more (an accessor through anything
    but foreign keys, a render method asking for the row): those cells go through `get_cell`."""
    column, accessor, model = bound_column.column, bound_column.accessor, table.data.model
    if not model or not _through_foreign_keys(model, accessor.bits[:-1]):
        return None
    render = bound_column.render
    wanted = set(inspect.signature(render).parameters)
    if not wanted <= FAST_ARGUMENTS:
        return None
    *path, attribute = accessor.bits
    display = f"get_{attribute}_display" if getattr(accessor.get_field(model), "choices", None) else None
    empty, default, link = column.empty_values, bound_column.default, bound_column.link
    given = {"column": column, "bound_column": bound_column, "table": table}

    def cell(record: Any) -> Any:
        owner = record
        for step in path:
            owner = getattr(owner, step)
            if owner is None:
                return default  # (get_cell's accessor finds nothing past an empty foreign key)
        value = getattr(owner, display)() if display else getattr(owner, attribute, None)
        if callable(value) and not display:
            value = value()
        if value in empty:
            return default
        arguments = {"value": value, "record": record, **given}
        content = render(**{name: arguments[name] for name in wanted})
        return link(content, **arguments) if link else content

    return cell


def _through_foreign_keys(model: Any, path: list[str]) -> bool:
    for step in path:
        try:
            field = model._meta.get_field(step)
        except FieldDoesNotExist:
            return False
        if not (field.many_to_one or field.one_to_one) or field.auto_created:
            return False
        model = field.related_model
    return True


def _cell(column: Any, value: Any) -> str:
    """What the template's `{{ cell }}` (or `|localize`, `|unlocalize`) made of a cell's value."""
    value = template_localtime(value)
    value = localize(value, use_l10n=column.localize)
    return conditional_escape(value)
