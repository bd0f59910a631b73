"""The onboarding guide's fixed Akixi values (K2, K4) and the synchronisation states (K3), which the
API gateway (client.py) and the manual one (manual.py) both hold to: a caller passes what differs
per customer and can never choose these. Which field names carry them is our assumption (see
docs/integrations.md); the values are the guide's."""

from typing import Any

from integrations.base import PermanentError

ANY_ID = -1  # the example's TelSysID / PartIDInTelSys [-1]: our reading, "any" = "Any Partition" (K4: never)

# K2: every partition is made with these; the caller cannot choose them (field names assumed).
TELEPHONY_SERVER_TYPE = "Service Provider Group"
SYNCHRONISATION_TYPE = "By Service Pack"
MAINTAIN_PARITY = True
PARTITION_FIXED = {
    "TelephonyServerType": TELEPHONY_SERVER_TYPE,
    "SynchronisationType": SYNCHRONISATION_TYPE,
    "MaintainParity": MAINTAIN_PARITY,
}

# K4: every customer reporting user is made with these, through the documented fields.
ANY_PARTITION = "Any Partition"
REPORTING_USER_FLAGS = {"PasswordChgRequired": True, "SendWelcomeEmail": True, "EnableMFA": True}

SYNC_PENDING = "pending"
SYNC_IN_PROGRESS = "in_progress"
SYNC_COMPLETED = "completed"
SYNC_FAILED = "failed"
SYNC_STATES = (SYNC_PENDING, SYNC_IN_PROGRESS, SYNC_COMPLETED, SYNC_FAILED)

# K4's role, reporting level and default reports: no published field; these names and values are ours.
REPORTING_USER_ASSUMED = {
    "Role": "Reporting Only User",
    "ReportingLevel": "1000 Supervisor",
    "DefaultReports": "Standard Reports",
}


def not_one_partition(partition: Any, operation: str) -> PermanentError:
    """Why `partition` is not the customer's own partition (K4)."""
    if partition == ANY_ID or (isinstance(partition, str) and partition.strip().lower().startswith("any")):
        return PermanentError(
            f'Akixi {operation}: "{ANY_PARTITION}" is only for partner staff (K4); a customer\'s reporting user '
            "gets the customer's own partition only.",
            code="any_partition",
        )
    if partition is None:
        return PermanentError(
            f"Akixi {operation}: the customer has no Akixi partition yet; create it first (K2).", code="no_partition"
        )
    return PermanentError(
        f"Akixi {operation}: expected one partition Id, got {partition!r} (K4: the customer's own partition only).",
        code="bad_partition",
    )
