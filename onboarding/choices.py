from django.db import models


class OnboardingStatus(models.TextChoices):
    """What a partner's onboarding has reached (the order state machine arrives with the orders)."""

    NOT_STARTED = "not_started", "Not started"
    LIVE = "live", "Live"


ONBOARDING_STATUS_BADGES = {
    OnboardingStatus.NOT_STARTED: "secondary",
    OnboardingStatus.LIVE: "success",
}
