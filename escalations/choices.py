from django.db import models

from accounts.choices import EscalationLevel
from expoe_portal.choices import SlaState as SlaState


class SlaClock(models.TextChoices):
    """How a policy counts time to its deadline."""

    CALENDAR_HOURS = "calendar_hours", "Calendar hours (every hour counts)"
    WORKING_DAYS = "working_days", "Working days (weekends and public holidays skipped)"
    ITEM_DEADLINE = "item_deadline", "The item's own deadline (set when the item was made)"


# API.md's escalation states: an escalation whose item is done is closed, so it is never "met".
ESCALATION_STATES = [(state.value, state.label) for state in (SlaState.ON_TRACK, SlaState.AT_RISK, SlaState.BREACHED)]


class SubjectType(models.TextChoices):
    """What an escalation is about (API.md `subject.type`)."""

    ONBOARDING_ORDER = "onboarding_order", "Onboarding order"
    CUSTOMER_GROUP = "customer_group", "Customer group build"
    PORT_REQUEST = "port_request", "Port request"


class CloseReason(models.TextChoices):
    RESOLVED = "resolved", "The item was resolved"
    RESTARTED = "restarted", "The item's clock restarted"
    POLICY_OFF = "policy_off", "The policy was switched off"


MAX_LEVEL = EscalationLevel.DIRECTOR
