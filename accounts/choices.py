from django.db import models


class Role(models.TextChoices):
    PROVISIONING_ADMIN = "provisioning_admin", "UC Provisioning Administrator"
    COORDINATOR = "coordinator", "UC Provisioning Co-Ordinator"
    TRAINER = "trainer", "Trainer"
    MANAGER = "manager", "Manager"
    PARTNER_USER = "partner_user", "Partner user"


STAFF_ROLES = frozenset(
    {Role.PROVISIONING_ADMIN, Role.COORDINATOR, Role.TRAINER, Role.MANAGER},
)

# Who does platform work by hand or starts it again: confirming a Call Cabinet customer made by hand,
# retrying ported numbers on BroadWorks.
PLATFORM_OPERATORS = (Role.COORDINATOR, Role.PROVISIONING_ADMIN)


class EscalationLevel(models.IntegerChoices):
    """E1: the guide's escalation matrix, lowest first."""

    TEAM = 0, "0 – UC Provisioning Team"
    TEAM_LEADER = 1, "1 – UC Provisioning Team Leader"
    MANAGER = 2, "2 – UC Provisioning Manager"
    DIRECTOR = 3, "3 – Director of UC & Contact Centre Operations"
