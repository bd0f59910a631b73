from django.db import models


class EscalationLevel(models.IntegerChoices):
    """E1: the guide's escalation matrix, lowest first."""

    TEAM = 0, "0 – UC Provisioning Team"
    TEAM_LEADER = 1, "1 – UC Provisioning Team Leader"
    MANAGER = 2, "2 – UC Provisioning Manager"
    DIRECTOR = 3, "3 – Director of UC & Contact Centre Operations"
