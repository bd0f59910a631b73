"""The Akixi CCS REST v1 contract the simulator holds a client to: the values the onboarding guide
prescribes (anything else is refused with 422, as a strict platform would, so a client that gets
them wrong fails here first), and the fields a reporting user keeps.

Written out here rather than imported from the client on purpose: the simulator is the other side of
the wire, and must not accept whatever the client happens to send.
"""

API_PREFIX = "/CCS/API/v1"

TELEPHONY_SERVER_TYPE = "Service Provider Group"  # K2
SYNCHRONISATION_TYPE = "By Service Pack"  # K2
ROLE = "Reporting Only User"  # K4
REPORTING_LEVEL = "1000 Supervisor"  # K4
DEFAULT_REPORTS = "Standard Reports"  # K4
ANY_PARTITION = "Any Partition"  # K4: partner staff only
ANY = "Any"

SYNC_PENDING = "pending"
SYNC_IN_PROGRESS = "in_progress"
SYNC_COMPLETED = "completed"

# A user is stored with these fields only: a password sent by mistake is never written to the state.
USER_FIELDS = (
    "Username",
    "FullName",
    "Email",
    "Role",
    "ReportingLevel",
    "DefaultReports",
    "PasswordChangeRequired",
    "SendWelcomeEmail",
    "EnableMfa",
    "PartitionPermission",
    "GroupPermission",
    "DevicePermission",
    "AgentPermission",
    "ResellerStaff",
)
