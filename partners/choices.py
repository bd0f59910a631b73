from expoe_portal.choices import BadgeChoices


class OnboardingStatus(BadgeChoices):
    """Where a partner's onboarding stands, as its pages and the partner API report it: not started,
    or the stage of its current onboarding order (the values of onboarding.choices.OrderStatus)."""

    NOT_STARTED = "not_started", "secondary", "Not started"
    RECEIVED = "received", "info", "Signed order received"
    CONFIRMED = "confirmed", "primary", "Order confirmed"
    COORDINATOR_ASSIGNED = "coordinator_assigned", "primary", "Co-ordinator assigned"
    ACCOUNTS_CREATED = "accounts_created", "primary", "Partner accounts created"
    KICKOFF_ARRANGED = "kickoff_arranged", "primary", "Kickoff arranged"
    TRAINING = "training", "primary", "Training"
    LIVE = "live", "success", "Live"
    ON_HOLD = "on_hold", "warning", "On hold"
    CANCELLED = "cancelled", "secondary", "Cancelled"
