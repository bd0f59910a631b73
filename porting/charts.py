"""Charts drawn on the server as SVG (no JavaScript): a horizontal bar per row, labelled.

Colours are SVG presentation attributes, not style attributes, so the page's CSP (no inline
styles) does not block them."""

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


def bar_chart(rows: list[tuple[str, float, str]], *, title: str, width: int = 460, unit: str = "") -> SafeString:
    """`rows` are (label, value, colour name). Bars scale to the largest value."""
    label_width, value_width, bar_height, gap = 170, 60, 20, 6
    plot = width - label_width - value_width
    biggest = max((value for _, value, _ in rows), default=0) or 1
    height = max(len(rows), 1) * (bar_height + gap) + gap
    bars = format_html_join(
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
                max(round(plot * value / biggest, 1), 1 if value else 0),
                bar_height,
                COLOURS.get(colour, COLOURS["primary"]),
                label,
                _number(value),
                unit,
                label_width + max(plot * value / biggest, 1 if value else 0) + 4,
                gap + i * (bar_height + gap) + bar_height / 2,
                _number(value),
                unit,
            )
            for i, (label, value, colour) in enumerate(rows)
        ),
    )
    empty = "" if rows else format_html('<text x="8" y="16" font-size="12">{}</text>', "Nothing to show yet.")
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%" '
        'class="port-chart"><title>{}</title>{}{}</svg>',
        title,
        width,
        height,
        title,
        bars,
        empty,
    )


def _number(value) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
