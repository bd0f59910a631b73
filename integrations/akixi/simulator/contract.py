"""The Akixi CCS REST v1 contract the simulator holds a client to, in three parts, each named here
once: what Akixi documents (the login flow, `POST /admin/user` and its fields), what we assume where
it documents nothing (paths, statuses, partitions, reseller accounts, synchronisation), and the
portal's own rules (K2, K4) that the simulator also checks, so a client that breaks them fails here
first. Every part has its line in README.md beside this package and in docs/integrations.md.

Written out here rather than imported from the client on purpose: the simulator is the other side of
the wire, and must not accept whatever the client happens to send.

Sources: AUTH_DOC and USERS_DOC below; [C] = seen in third-party client code (github.com/tilde-nya/akixi).
"""

AUTH_DOC = "https://akixi.dev/2.2.5.7/api/external/rest/v1/endpoints/auth/auth.html"
USERS_DOC = "https://akixi.dev/3.2/api/external/rest/v1/endpoints/users/users.html"
PARTITIONS_DOC = "https://akixi.dev/3.2/api/external/rest/v1/endpoints/partition/partition.html"

API_PREFIX = "/CCS/API/v1"  # documented: https://<host>/CCS/API/v1 (AUTH_DOC)

# --- Documented: the login flow (AUTH_DOC) and the API key (USERS_DOC) ------------------------------
SESSION_PATH = "/session"  # POST, no parameters, no body -> 200 {"Nonce", "SessionID"}
LOGIN_PATH = "/login"  # GET ?locale=, HTTP Basic, the session as JSESSIONID cookie -> 200
LOGIN_LOCALES = ("en_GB", "en_US")
SESSION_COOKIE = "JSESSIONID"  # "must subsequently be used in all requests as JSESSIONID cookie"
API_KEY_HEADER = "x-api-key"  # "Either Cookie or x-api-key header is required" (USERS_DOC)
LOGOUT_PATH = "/logout"  # [C]: GET with the cookie; Akixi lists "Logout" as the third step
OTHER_SESSIONS_ACTIVE = "There were other browser sessions active for {username}"  # [C]: login, 400

# --- Documented: Users "Add" (USERS_DOC) ----------------------------------------------------------
USER_ADD_PATH = "/admin/user"  # POST, Content-Type: application/json
# The documented example body, field by field, with the kind of value it shows. Which fields are
# required is not documented: the simulator requires every one (the client sends every one).
USER_FIELDS = {
    "FullName": "text",
    "EmailAddr": "email",
    "Username": "text",  # the example: "IntegratorUser 14"
    "DefaultLang": "locale",  # the example: "en_GB"
    "Password": "text",  # the example: "M9zGAGR3nINFNAZKIMC0IA=="; never stored
    "PasswordChgRequired": "bool",
    "LockOut": "bool",
    "SendWelcomeEmail": "bool",
    "EnableMFA": "bool",
    "SynchroniseSupervisorPermissions": "bool",
    "TimeZone": "text_or_null",  # the example: null
    "Scope": "object",
}
# The example's Scope as far as the published page shows it (it is cut off after CXILicenseType).
SCOPE_FIELDS = {
    "CMEnvironmentID": "text",  # opaque
    "TelSysID": "ids",  # the example: [-1]
    "PartIDInTelSys": "ids",  # the example: [-1]
    "DeviceNumber": "text",  # the example: "All"
    "AgentNumber": "text",  # the example: "All"
    "ReportingAccess": "text",  # the example: "None"
    "CallRecIntID": "int_or_null",  # the example shows the name only; the kind is our assumption
    "CXILicenseType": "text",  # the example: "NONE"
}
ANY_ID = -1  # the example's TelSysID/PartIDInTelSys: [-1]; our reading: "any" (= "Any Partition")

# --- Assumed: where Akixi documents nothing ---------------------------------------------------------
USER_INFO_PATH = "/admin/user/{username}"  # "Info – Get the User by Name": the path is not published
USER_CREATED_STATUS = 201  # Add's success status is not published
USER_DUPLICATE_STATUS = 409  # nor what a taken Username answers
REFUSED_STATUS = 400  # a malformed or refused request: 400 with {"Message"}, as [C] saw for login
UNAUTHORISED_STATUS = 401  # no cookie of a logged-in session and no valid x-api-key
# K4's role, reporting level and default reports: no field for them is published; these names are ours.
ASSUMED_USER_FIELDS = {"Role": "text", "ReportingLevel": "text", "DefaultReports": "text"}
# One Akixi Telephony Server holds every customer partition (the platform's BroadWorks); its
# TelSysID and the CMEnvironmentID are per instance (the simulator's: command-line options).
DEFAULT_TELSYS_ID = 1
DEFAULT_CM_ENVIRONMENT_ID = "akixi-sim-environment"
# Reseller accounts (K1), partitions (K2) and their synchronisation (K3): Akixi lists partition
# operations per Telephony Server (PARTITIONS_DOC) but not their paths or fields; the rest is ours.
RESELLERS_PATH = "/resellers"
PARTITIONS_PATH = "/partitions"
PARTITION_FIELDS = (
    "Description",
    "BillingId",
    "LicensedFor",
    "TelephonyServerType",
    "EnterpriseOrProviderId",
    "GroupId",
    "SynchronisationType",
    "MaintainParity",
)
PARTITION_QUERY = ("groupId", "providerId")
# After the build (#15): Users "Update", "Delete" and "List" and Partition "Delete" are documented
# operations (USERS_DOC, PARTITIONS_DOC); their paths, verbs, bodies and answers are ours.
USER_PATH = USER_INFO_PATH  # PUT (Update: the fields to change; Scope whole) and DELETE, on one user
USER_UPDATED_STATUS = 200  # + the user as read
DELETED_STATUS = 204  # no body
USER_QUERY = ("PartIDInTelSys",)  # List: GET /admin/user?PartIDInTelSys=<Id> -> {"users": [...]}
# Update takes any Add field but these: the Username is the key, the password has its own
# documented operation ("Change").
NOT_UPDATED = ("Username", "Password")
PARTITION_IN_USE_STATUS = 409  # a partition some user's Scope still names is not deleted
LAST_SYNC_COMPLETED = "lastSyncCompletedAt"  # on the partition: ISO 8601 UTC, when its last sync completed
SYNC_PENDING = "pending"
SYNC_IN_PROGRESS = "in_progress"
SYNC_COMPLETED = "completed"

# --- The portal's rules, checked by the simulator too ----------------------------------------------
TELEPHONY_SERVER_TYPE = "Service Provider Group"  # K2
SYNCHRONISATION_TYPE = "By Service Pack"  # K2
ROLE = "Reporting Only User"  # K4
REPORTING_LEVEL = "1000 Supervisor"  # K4
DEFAULT_REPORTS = "Standard Reports"  # K4
K4_FLAGS = ("PasswordChgRequired", "SendWelcomeEmail", "EnableMFA")  # K4: all on
