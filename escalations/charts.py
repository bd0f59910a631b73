"""Charts drawn on the server as SVG (DESIGN.md: no JavaScript chart library).

The view computes the geometry; the template only writes it out, so the chart is plain markup
that works without scripts and passes the Content-Security-Policy (no inline styles)."""

WIDTH, HEIGHT = 640, 200
MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP = 36, 28, 12


def _nice_max(value: int) -> int:
    """A round top for the axis: the first of 1, 2, 5, 10, 20, 50, ... that is at least `value`."""
    base = 1
    while True:
        for step in (1, 2, 5):
            if base * step >= value:
                return base * step
        base *= 10


def bar_chart(points: list[tuple[str, int]], *, title: str) -> dict:
    """Geometry for a bar chart of (label, value) points."""
    top = _nice_max(max((value for _, value in points), default=0))
    plot_height = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP
    slot = (WIDTH - MARGIN_LEFT) / max(len(points), 1)
    bars = []
    for i, (label, value) in enumerate(points):
        height = round(plot_height * value / top, 1)
        x = round(MARGIN_LEFT + i * slot + slot * 0.15, 1)
        bars.append(
            {
                "x": x,
                "y": round(MARGIN_TOP + plot_height - height, 1),
                "width": round(slot * 0.7, 1),
                "height": height,
                "label": label,
                "label_x": round(x + slot * 0.35, 1),
                "value": value,
                "value_y": round(MARGIN_TOP + plot_height - height - 3, 1),
            }
        )
    ticks = [{"value": round(top * f), "y": round(MARGIN_TOP + plot_height * (1 - f), 1)} for f in (0, 0.5, 1)]
    return {
        "title": title,
        "width": WIDTH,
        "height": HEIGHT,
        "bars": bars,
        "ticks": ticks,
        "axis_x": MARGIN_LEFT,
        "axis_y": MARGIN_TOP + plot_height,
        "label_y": HEIGHT - 8,
        "total": sum(value for _, value in points),
    }
