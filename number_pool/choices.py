from expoe_portal.choices import BadgeChoices


class NumberStatus(BadgeChoices):
    """N1: a number sits in its partner's pool until it is assigned to one of the partner's groups."""

    AVAILABLE = "available", "success", "Available"
    ASSIGNED = "assigned", "primary", "Assigned"
    PORTING = "porting", "warning", "Porting"
