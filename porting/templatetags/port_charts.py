from django import template

from expoe_portal.charts import bar_chart
from porting.choices import PortStatus

register = template.Library()


@register.simple_tag
def status_chart(by_status):
    rows = [(label, count, PortStatus(status).badge) for label, status, count in by_status]
    return bar_chart(rows, title="Port requests by status")


@register.simple_tag
def reasons_chart(reasons):
    return bar_chart([(r["label"], r["n"], "danger") for r in reasons], title="Rejections by reason")


@register.simple_tag
def breakdown_chart(rows, field, title):
    return bar_chart([(row[field] or "—", row["total"], "primary") for row in rows], title=title)
