from django.db import models


class OnboardingStatus(models.TextChoices):
    """Where a partner's onboarding stands, as its pages and the partner API report it: not started,
    or the stage of its current onboarding order (the values of onboarding.choices.OrderStatus)."""

    NOT_STARTED = "not_started", "Not started"
    RECEIVED = "received", "Signed order received"
    CONFIRMED = "confirmed", "Order confirmed"
    COORDINATOR_ASSIGNED = "coordinator_assigned", "Co-ordinator assigned"
    ACCOUNTS_CREATED = "accounts_created", "Partner accounts created"
    KICKOFF_ARRANGED = "kickoff_arranged", "Kickoff arranged"
    TRAINING = "training", "Training"
    LIVE = "live", "Live"
    ON_HOLD = "on_hold", "On hold"
    CANCELLED = "cancelled", "Cancelled"


# The badge colour of each stage, here and on the onboarding order's own pages.
ONBOARDING_STATUS_BADGES = {
    OnboardingStatus.NOT_STARTED: "secondary",
    OnboardingStatus.RECEIVED: "info",
    OnboardingStatus.CONFIRMED: "primary",
    OnboardingStatus.COORDINATOR_ASSIGNED: "primary",
    OnboardingStatus.ACCOUNTS_CREATED: "primary",
    OnboardingStatus.KICKOFF_ARRANGED: "primary",
    OnboardingStatus.TRAINING: "primary",
    OnboardingStatus.LIVE: "success",
    OnboardingStatus.ON_HOLD: "warning",
    OnboardingStatus.CANCELLED: "secondary",
}
