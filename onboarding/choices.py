from django.db import models


class OrderStatus(models.TextChoices):
    """The stages of a partner's onboarding order (O1-O6), plus on hold and cancelled."""

    RECEIVED = "received", "Signed order received"
    CONFIRMED = "confirmed", "Order confirmed"
    COORDINATOR_ASSIGNED = "coordinator_assigned", "Co-ordinator assigned"
    ACCOUNTS_CREATED = "accounts_created", "Partner accounts created"
    KICKOFF_ARRANGED = "kickoff_arranged", "Kickoff arranged"
    TRAINING = "training", "Training"
    LIVE = "live", "Live"
    ON_HOLD = "on_hold", "On hold"
    CANCELLED = "cancelled", "Cancelled"


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

ORDER_STATUS_BADGES = {
    OrderStatus.RECEIVED: "info",
    OrderStatus.CONFIRMED: "primary",
    OrderStatus.COORDINATOR_ASSIGNED: "primary",
    OrderStatus.ACCOUNTS_CREATED: "primary",
    OrderStatus.KICKOFF_ARRANGED: "primary",
    OrderStatus.TRAINING: "primary",
    OrderStatus.LIVE: "success",
    OrderStatus.ON_HOLD: "warning",
    OrderStatus.CANCELLED: "secondary",
}


class OnboardingStatus(models.TextChoices):
    """A partner's onboarding as the partner API reports it: its order's status, or not started."""

    NOT_STARTED = "not_started", "Not started"
    RECEIVED = OrderStatus.RECEIVED.value, OrderStatus.RECEIVED.label
    CONFIRMED = OrderStatus.CONFIRMED.value, OrderStatus.CONFIRMED.label
    COORDINATOR_ASSIGNED = OrderStatus.COORDINATOR_ASSIGNED.value, OrderStatus.COORDINATOR_ASSIGNED.label
    ACCOUNTS_CREATED = OrderStatus.ACCOUNTS_CREATED.value, OrderStatus.ACCOUNTS_CREATED.label
    KICKOFF_ARRANGED = OrderStatus.KICKOFF_ARRANGED.value, OrderStatus.KICKOFF_ARRANGED.label
    TRAINING = OrderStatus.TRAINING.value, OrderStatus.TRAINING.label
    LIVE = OrderStatus.LIVE.value, OrderStatus.LIVE.label
    ON_HOLD = OrderStatus.ON_HOLD.value, OrderStatus.ON_HOLD.label
    CANCELLED = OrderStatus.CANCELLED.value, OrderStatus.CANCELLED.label


ONBOARDING_STATUS_BADGES = {OnboardingStatus.NOT_STARTED: "secondary", **ORDER_STATUS_BADGES}


class SlaState(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    BREACHED = "breached", "Breached"
    MET = "met", "Met"


SLA_STATE_BADGES = {
    SlaState.ON_TRACK: "success",
    SlaState.AT_RISK: "warning",
    SlaState.BREACHED: "danger",
    SlaState.MET: "secondary",
}


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


class NumberStatus(models.TextChoices):
    """N1: a number sits in its partner's pool until it is assigned to one of the partner's groups."""

    AVAILABLE = "available", "Available"
    ASSIGNED = "assigned", "Assigned"
    PORTING = "porting", "Porting"


NUMBER_STATUS_BADGES = {
    NumberStatus.AVAILABLE: "success",
    NumberStatus.ASSIGNED: "primary",
    NumberStatus.PORTING: "warning",
}


class GroupDomain(models.TextChoices):
    """G5: the two default domains; every user ID of the company uses the group's one."""

    EXPONENTIAL_E = "exponential-e.com", "exponential-e.com"
    HOSTEDCOMM = "hostedcomm.com", "hostedcomm.com"


class BuildStatus(models.TextChoices):
    """A customer group's build (API.md: draft, queued, running, succeeded, failed, cancelled)."""

    DRAFT = "draft", "Draft"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


BUILD_STATUS_BADGES = {
    BuildStatus.DRAFT: "secondary",
    BuildStatus.QUEUED: "info",
    BuildStatus.RUNNING: "primary",
    BuildStatus.SUCCEEDED: "success",
    BuildStatus.FAILED: "danger",
    BuildStatus.CANCELLED: "secondary",
}


class StepStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    # A person must act on a platform first (Call Cabinet in manual mode); the build waits for them.
    WAITING = "waiting", "Waiting for you"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Not needed"


class BuildStepName(models.TextChoices):
    """The build's steps, in the order they run (G6, K2-K4, C2-C5)."""

    CLONE_GROUP = "clone_group", "Create the group from the partner's clone group"
    POOL_NUMBERS = "pool_numbers", "Add missing numbers to the partner's pool"
    ASSIGN_NUMBERS = "assign_numbers", "Assign numbers to the group"
    BUSINESS_PROFILE = "business_profile", "Set the business profile number (B1)"
    VOICE_PORTAL = "voice_portal", "Enable the voice portal (V1, V2)"
    ADMINS = "admins", "Add group administrators (A1, A2)"
    AKIXI_PARTITION = "akixi_partition", "Create the Akixi partition (K2)"
    AKIXI_SYNC = "akixi_sync", "Wait for Akixi synchronisation (K3)"
    AKIXI_USERS = "akixi_users", "Add Akixi reporting users (K4)"
    CALLCABINET_CUSTOMER = "callcabinet_customer", "Add the Call Cabinet Essential customer (C2-C5)"
