"""Bar charts drawn on the server as SVG (DESIGN.md: no JavaScript chart library).

One helper for every chart of the portal: rows of (label, value, colour name), drawn as horizontal
bars (a breakdown, labels on the left) or as columns (a series over time, labels below, with a
value axis). The markup is built here with format_html, so every label is escaped; colours are
SVG presentation attributes, never style attributes, so the pages' Content-Security-Policy (no
inline styles) does not block them."""

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

COLOURS = {
    "primary": "#0d6efd",
    "info": "#0dcaf0",
    "success": "#198754",
    "danger": "#dc3545",
    "secondary": "#6c757d",
    "dark": "#212529",
    "warning": "#ffc107",
}
GRID, AXIS, MUTED = "#dee2e6", "#adb5bd", "#6c757d"

Row = tuple[str, float, str]


def bar_chart(
    rows: Sequence[Row],
    *,
    title: str,
    columns: bool = False,
    unit: str = "",
    axis: str = "",
    width: int | None = None,
    testid: str = "",
) -> SafeString:
    """An SVG chart of `rows` (label, value, colour name): horizontal bars scaled to the largest
    value, or, with `columns`, vertical bars over a value axis rounded up to 1, 2 or 5 times a
    power of ten, with a tick at every round step (whole numbers for counts) and `axis` naming
    what it counts."""
    if columns:
        body, view_width, view_height = _columns(list(rows), unit=unit, axis=axis, width=width)
    else:
        body, view_width, view_height = _bars(list(rows), unit=unit, width=width)
    empty = "" if rows else format_html('<text x="8" y="16" font-size="12">{}</text>', "Nothing to show yet.")
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%" '
        'class="port-chart"{}><title>{}</title>{}{}</svg>',
        title,
        view_width,
        view_height,
        format_html(' data-testid="{}"', testid) if testid else "",
        title,
        body,
        empty,
    )


def _bars(rows: list[Row], *, unit: str, width: int | None) -> tuple[SafeString, int, int]:
    width = width or 460
    label_width, value_width, bar_height, gap = 170, 60, 20, 6
    plot = width - label_width - value_width
    biggest = max((value for _, value, _ in rows), default=0) or 1

    def length(value: float) -> float:
        return max(round(plot * value / biggest, 1), 1 if value else 0)

    body = format_html_join(
        "",
        '<g><text x="{}" y="{}" text-anchor="end" font-size="12" dominant-baseline="middle">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="{}"><title>{}: {}{}</title></rect>'
        '<text x="{}" y="{}" font-size="12" dominant-baseline="middle">{}{}</text></g>',
        (
            (
                label_width - 6,
                gap + i * (bar_height + gap) + bar_height / 2,
                label[:28],
                label_width,
                gap + i * (bar_height + gap),
                length(value),
                bar_height,
                _colour(colour),
                label,
                _number(value),
                unit,
                label_width + length(value) + 4,
                gap + i * (bar_height + gap) + bar_height / 2,
                _number(value),
                unit,
            )
            for i, (label, value, colour) in enumerate(rows)
        ),
    )
    return body, width, max(len(rows), 1) * (bar_height + gap) + gap


def _columns(rows: list[Row], *, unit: str, axis: str, width: int | None) -> tuple[SafeString, int, int]:
    width, height = width or 640, 200
    left, bottom, top_margin = 52 if axis else 36, 28, 12
    values = [value for _, value, _ in rows]
    top = _nice_max(max(values, default=0))
    step = _tick_step(top, whole=all(float(value).is_integer() for value in values))
    plot = height - bottom - top_margin
    slot = (width - left) / max(len(rows), 1)
    ticks = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>'
        '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle" font-size="11" fill="{}">{}</text>',
        (
            (left, width, y, y, GRID, left - 6, y, MUTED, _number(tick))
            for tick in _ticks(top, step)
            for y in [round(top_margin + plot * (1 - tick / top), 1)]
        ),
    )
    if axis:
        middle = round(top_margin + plot / 2, 1)
        ticks = format_html(
            '{}<text x="12" y="{}" transform="rotate(-90 12 {})" text-anchor="middle" font-size="11" '
            'fill="{}">{}</text>',
            ticks,
            middle,
            middle,
            MUTED,
            axis,
        )
    bars = []
    for i, (label, value, colour) in enumerate(rows):
        bar = round(plot * value / top, 1)
        x = round(left + i * slot + slot * 0.15, 1)
        middle = round(x + slot * 0.35, 1)
        bars.append(
            format_html(
                '<g><title>{}: {}{}</title><rect x="{}" y="{}" width="{}" height="{}" fill="{}" rx="2"/>{}'
                '<text x="{}" y="{}" text-anchor="middle" font-size="10" fill="{}">{}</text></g>',
                label,
                _number(value),
                unit,
                x,
                round(top_margin + plot - bar, 1),
                round(slot * 0.7, 1),
                bar,
                _colour(colour),
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" font-size="11">{}</text>',
                    middle,
                    round(top_margin + plot - bar - 3, 1),
                    _number(value),
                )
                if value
                else "",
                middle,
                height - 8,
                MUTED,
                label,
            )
        )
    axis = format_html(
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>',
        left,
        width,
        top_margin + plot,
        top_margin + plot,
        AXIS,
    )
    return format_html("{}{}{}", ticks, format_html_join("", "{}", ((bar,) for bar in bars)), axis), width, height


def _nice_max(value: float) -> float:
    """A round top for the axis: the first of 1, 2, 5, 10, 20, 50, ... that is at least `value`."""
    base = 1
    while True:
        for step in (1, 2, 5):
            if base * step >= value:
                return base * step
        base *= 10


def _tick_step(top: float, *, whole: bool) -> float:
    """The axis's step: a round number (1, 2 or 5 times a power of ten) giving at most five steps
    up to `top`; never below 1 when the values are whole numbers (counts read 0, 1, 2, not 2.5)."""
    for step in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000):
        if top / step <= 5 and (step >= 1 or not whole):
            return step
    return top / 5


def _ticks(top: float, step: float) -> list[float]:
    count = int(round(top / step))
    return [round(step * i, 6) for i in range(count + 1)] if count * step >= top - 1e-9 else [0, top]


def _colour(name: str) -> str:
    return COLOURS.get(name, COLOURS["primary"])


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
