from expoe_portal.choices import BadgeChoices


class OrderStatus(BadgeChoices):
    """The stages of a partner's onboarding order (O1-O6), plus on hold and cancelled. The
    onboarding app moves orders through them; a partner shows its current order's (Partner
    keeps a copy), so they are declared here, below both."""

    RECEIVED = "received", "info", "Signed order received"
    CONFIRMED = "confirmed", "primary", "Order confirmed"
    COORDINATOR_ASSIGNED = "coordinator_assigned", "primary", "Co-ordinator assigned"
    ACCOUNTS_CREATED = "accounts_created", "primary", "Partner accounts created"
    KICKOFF_ARRANGED = "kickoff_arranged", "primary", "Kickoff arranged"
    TRAINING = "training", "primary", "Training"
    LIVE = "live", "success", "Live"
    ON_HOLD = "on_hold", "warning", "On hold"
    CANCELLED = "cancelled", "secondary", "Cancelled"


# Where a partner's onboarding stands, as its pages and the partner API report it: not started,
# or the stage of its current onboarding order.
NOT_STARTED = "not_started"
ONBOARDING_STATUSES = [(NOT_STARTED, "Not started"), *OrderStatus.choices]
