from django.db import models


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
