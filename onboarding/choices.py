from django.db import models

from expoe_portal.choices import BadgeChoices


class OrderStatus(BadgeChoices):
    """The stages of a partner's onboarding order (O1-O6), plus on hold and cancelled."""

    RECEIVED = "received", "info", "Signed order received"
    CONFIRMED = "confirmed", "primary", "Order confirmed"
    COORDINATOR_ASSIGNED = "coordinator_assigned", "primary", "Co-ordinator assigned"
    ACCOUNTS_CREATED = "accounts_created", "primary", "Partner accounts created"
    KICKOFF_ARRANGED = "kickoff_arranged", "primary", "Kickoff arranged"
    TRAINING = "training", "primary", "Training"
    LIVE = "live", "success", "Live"
    ON_HOLD = "on_hold", "warning", "On hold"
    CANCELLED = "cancelled", "secondary", "Cancelled"


# The stepper's stages, in order (on hold and cancelled are not stages but detours).
ORDER_STAGES = [
    OrderStatus.RECEIVED,
    OrderStatus.CONFIRMED,
    OrderStatus.COORDINATOR_ASSIGNED,
    OrderStatus.ACCOUNTS_CREATED,
    OrderStatus.KICKOFF_ARRANGED,
    OrderStatus.TRAINING,
    OrderStatus.LIVE,
]
CLOSED_STATUSES = [OrderStatus.LIVE, OrderStatus.CANCELLED]
OPEN_STATUSES = [s for s in OrderStatus if s not in CLOSED_STATUSES]
# Stages an order can be put on hold from (and resumed to).
HOLDABLE_STATUSES = [s for s in OPEN_STATUSES if s != OrderStatus.ON_HOLD]


class SlaState(BadgeChoices):
    ON_TRACK = "on_track", "success", "On track"
    AT_RISK = "at_risk", "warning", "At risk"
    BREACHED = "breached", "danger", "Breached"
    MET = "met", "secondary", "Met"


class AccountPlatform(models.TextChoices):
    """O2: the partner accounts created before handover (K1, C1)."""

    BROADWORKS = "broadworks", "BroadWorks service provider and clone group"
    AKIXI = "akixi", "Akixi reseller account"
    CALLCABINET = "callcabinet", "Call Cabinet reseller account"


class AccountStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class TrainingPlatform(models.TextChoices):
    """O5: training is given per platform."""

    PARTNER_PORTAL = "partner_portal", "Partner portal (BroadWorks)"
    AKIXI = "akixi", "Akixi call reporting"
    CALLCABINET = "callcabinet", "Call Cabinet call recording"
