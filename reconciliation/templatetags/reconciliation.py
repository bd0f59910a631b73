"""`{% group_drift group %}` on the customer's page: its open drift (customers' templates only name
this tag, so the customers app never imports reconciliation)."""

from django import template

from ..selectors import group_open_drift
from ..services import may_repair

register = template.Library()


@register.inclusion_tag("reconciliation/_group_drift.html", takes_context=True)
def group_drift(context, group):
    user = context["request"].user
    return {"group": group, "drift": group_open_drift(group), "may_repair": may_repair(user, group), "user": user}
