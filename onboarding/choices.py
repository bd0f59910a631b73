from django.db import models

from expoe_portal.choices import SlaState as SlaState
from partners.choices import OrderStatus as OrderStatus

# OrderStatus is declared by the partners app, which shows each partner's stage without knowing
# about orders; this app owns the orders that move through it.


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
