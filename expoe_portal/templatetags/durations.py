"""Durations and days on the pages, through expoe_portal/durations.py (built into every template):
`{{ 336|hours }}` "14 days"; `{{ 1.0|calendar_days }}` "1 calendar day"; `{{ 22|working_days }}`;
`{{ escalation.due_at|time_until }}` and `|time_since` in days and hours."""

from django import template

from expoe_portal import durations

register = template.Library()


@register.filter
def hours(value):
    return durations.hours_text(value) if value not in (None, "") else "—"


@register.filter
def calendar_days(value):
    return durations.days_text(value, durations.CALENDAR) if value not in (None, "") else "—"


@register.filter
def working_days(value):
    return durations.days_text(value, durations.WORKING) if value not in (None, "") else "—"


@register.filter
def time_until(value):
    return durations.until_text(value) if value else ""


@register.filter
def time_since(value):
    return durations.since_text(value) if value else ""
