"""Every operation the gateways perform, and what it rests on: the vendor's documentation (or, for
BroadWorks, the OCI-P schema) or our own assumption, with the source. docs/integrations.md says the
same in prose; a test keeps this list complete (every public gateway method is here) and the
staff pages read it to say which build steps rest on an assumption."""

from dataclasses import dataclass

DOCUMENTED, ASSUMED = "documented", "assumed"

OCI_SCHEMA = "OCI-P schema (mercury-ocip-fast's classes; Cisco's XSD in github.com/nigelm/broadworks_ocip)"
AKIXI_AUTH = "akixi.dev/2.2.5.7/api/external/rest/v1/endpoints/auth/auth.html"
AKIXI_USERS = "akixi.dev/3.2/api/external/rest/v1/endpoints/users/users.html"
AKIXI_PARTITIONS = "akixi.dev/3.2/api/external/rest/v1/endpoints/partition/partition.html"
NO_CALLCABINET_API = "Call Cabinet publishes no partner API: our contract (integrations/callcabinet/README.md)"


@dataclass(frozen=True)
class Operation:
    platform: str
    name: str  # the gateway method
    wire: str  # what it sends
    rests_on: str  # DOCUMENTED or ASSUMED
    source: str


def _bw(name: str, wire: str, source: str = OCI_SCHEMA) -> Operation:
    return Operation("broadworks", name, wire, DOCUMENTED, source)


OPERATIONS: tuple[Operation, ...] = (
    _bw("service_provider_exists", "ServiceProviderGetRequest22V4"),
    _bw("add_service_provider", "ServiceProviderConsolidatedAddRequest"),
    _bw(
        "service_provider_authorisations",
        "ServiceProviderServiceGetAuthorizationListRequest, …ServicePackGetListRequest",
    ),
    _bw(
        "authorise_service_provider",
        "ServiceProviderServiceModifyAuthorizationListRequest, ServiceProviderServicePackAddRequest",
        f"{OCI_SCHEMA}; which services a partner needs is ours: its template's (decision 74)",
    ),
    _bw("portal_login_exists", "ServiceProviderAdminGetRequest22V3"),
    _bw(
        "add_portal_login",
        "ServiceProviderAdminAddRequest14",
        f"{OCI_SCHEMA}; the login's ID is ours (<partner>-admin)",
    ),
    _bw("reset_portal_login_password", "ServiceProviderAdminModifyRequest"),
    _bw("add_clone_group", "GroupConsolidatedAddRequest", f"{OCI_SCHEMA}; the master template's name is ours"),
    _bw("group_exists", "GroupGetListInServiceProviderRequest"),
    _bw("group_id_owners", "GroupGetListInSystemRequest"),
    _bw("group_profile", "GroupGetRequest24"),
    _bw("group_template", "GroupGetRequest24, GroupExtensionLengthGetRequest22, GroupDomainGetAssignedListRequest, …"),
    _bw(
        "add_group_from_template",
        "GroupConsolidatedAddRequest",
        f"{OCI_SCHEMA}; what a clone copies is ours (CLONED_SETTINGS): OCI-P has no clone request",
    ),
    _bw("service_provider_numbers", "ServiceProviderDnGetSummaryListRequest"),
    _bw("add_numbers_to_service_provider", "ServiceProviderDnAddListRequest"),
    _bw("group_numbers", "GroupDnGetAssignmentListRequest18"),
    _bw("assign_numbers", "GroupDnAssignListRequest, GroupDnActivateListRequest"),
    _bw("unassign_numbers", "GroupDnUnassignListRequest"),
    # Port-day readiness (#18): set up inactive before the port date, activated at completion.
    _bw(
        "number_activation_mode",
        "SystemNumberActivationGetRequest21",
        f'{OCI_SCHEMA}; that an assigned number starts inactive only in "Group And User Activation Enabled" '
        "mode is ours, from the schema's descriptions (GroupDnActivateListRequest, SystemNumberActivation…)",
    ),
    _bw("service_provider_number_holders", "ServiceProviderDnGetSummaryListRequest"),
    _bw("group_number_states", "GroupDnGetAssignmentListRequest18"),
    _bw("activate_numbers", "GroupDnActivateListRequest"),
    _bw("remove_numbers_from_service_provider", "ServiceProviderDnDeleteListRequest"),
    _bw("group_clid", "GroupGetRequest24, GroupCallingLineIdGetRequest"),
    _bw(
        "set_group_clid",
        "GroupModifyRequest, GroupCallingLineIdModifyRequest",
        f"{OCI_SCHEMA}; that the guide's business profile number is the group CLID is ours",
    ),
    _bw(
        "enable_voice_portal",
        "GroupServiceModifyAuthorizationListRequest, …AssignListRequest, …ModifyVoicePortalRequest",
    ),
    _bw("group_admin_exists", "GroupAdminGetRequest22V3, GroupAdminGetListRequest"),
    _bw("add_group_admin", "GroupAdminAddRequest"),
    # After the build (#15): changes, decommissioning and reconciliation.
    _bw("group_admins", "GroupAdminGetListRequest"),
    _bw("delete_group_admin", "GroupAdminGetRequest22V3, GroupAdminDeleteRequest"),
    _bw("voice_portal", "GroupServiceGetAuthorizationListRequest, GroupVoiceMessagingGroupGetVoicePortalRequest21sp1"),
    _bw(
        "disable_voice_portal",
        "GroupVoiceMessagingGroupModifyVoicePortalRequest (isActive false, number and extension nil)",
        f"{OCI_SCHEMA}; nil as mercury-ocip-fast writes it (OCINil, utils/parser.py)",
    ),
    _bw(
        "clear_group_clid",
        "GroupCallingLineIdModifyRequest (useGroupNumber false), GroupModifyRequest (number nil)",
        f"{OCI_SCHEMA}; that BroadWorks refuses to unassign a group's CLID number is ours (simulator)",
    ),
    _bw(
        "delete_group",
        "GroupGetListInServiceProviderRequest, GroupDeleteRequest",
        f"{OCI_SCHEMA}; what the delete takes with it (admins, portal) and gives back (numbers) is ours",
    ),
    # Akixi: the login and users are documented; partitions, resellers and synchronisation are not.
    Operation("akixi", "reseller_exists", "GET reseller", ASSUMED, "Akixi documents no reseller API (K1)"),
    Operation("akixi", "add_reseller", "POST reseller", ASSUMED, "Akixi documents no reseller API (K1)"),
    Operation(
        "akixi", "find_partition", "GET partitions", ASSUMED, "Akixi's REST partition body is not published (K2)"
    ),
    Operation("akixi", "add_partition", "POST partition", ASSUMED, "Akixi's REST partition body is not published (K2)"),
    Operation("akixi", "sync_status", "GET partition sync", ASSUMED, "Akixi documents no synchronisation API (K3)"),
    Operation("akixi", "request_sync", "POST partition sync", ASSUMED, "Akixi documents no synchronisation API (K3)"),
    Operation(
        "akixi", "user_exists", "user lookup", ASSUMED, f"{AKIXI_USERS}: 'Info: Get the User by Name', path not shown"
    ),
    Operation("akixi", "add_reporting_user", "POST /admin/user", DOCUMENTED, f"{AKIXI_USERS}; login: {AKIXI_AUTH}"),
    # After the build (#15): changes, decommissioning and reconciliation.
    Operation(
        "akixi",
        "sync_state",
        "GET /partitions/{Id} (syncStatus, lastSyncCompletedAt)",
        ASSUMED,
        "Akixi documents no synchronisation API (K3)",
    ),
    Operation(
        "akixi",
        "partition_info",
        "GET /partitions/{Id}",
        ASSUMED,
        f"{AKIXI_PARTITIONS}: 'Info', path and fields not shown (K2)",
    ),
    Operation(
        "akixi",
        "delete_partition",
        "DELETE /partitions/{Id}",
        ASSUMED,
        f"{AKIXI_PARTITIONS}: 'Delete', path not shown",
    ),
    Operation(
        "akixi", "reporting_user", "GET /admin/user/{Username}", ASSUMED, f"{AKIXI_USERS}: 'Info', path not shown"
    ),
    Operation(
        "akixi",
        "partition_users",
        "GET /admin/user?PartIDInTelSys={Id}",
        ASSUMED,
        f"{AKIXI_USERS}: 'List', path and filter not shown",
    ),
    Operation(
        "akixi",
        "restrict_reporting_user",
        "GET, then PUT /admin/user/{Username} (Scope)",
        ASSUMED,
        f"{AKIXI_USERS}: 'Update' and the Scope fields documented, path and verb not shown (K4)",
    ),
    Operation(
        "akixi",
        "delete_reporting_user",
        "DELETE /admin/user/{Username}",
        ASSUMED,
        f"{AKIXI_USERS}: 'Delete', path not shown",
    ),
    # Call Cabinet: nothing is published.
    Operation("callcabinet", "reseller_exists", "GET reseller", ASSUMED, NO_CALLCABINET_API),
    Operation("callcabinet", "add_reseller", "POST reseller", ASSUMED, NO_CALLCABINET_API),
    Operation("callcabinet", "find_customer", "GET customers", ASSUMED, NO_CALLCABINET_API),
    Operation("callcabinet", "add_essential_customer", "POST customers/essential", ASSUMED, NO_CALLCABINET_API),
    # After the build (#15): reconciliation, a change of administrator, decommissioning.
    Operation("callcabinet", "customer", "GET customers?groupId=", ASSUMED, NO_CALLCABINET_API),
    Operation(
        "callcabinet",
        "change_customer_admin",
        "GET customers/{Id}, then PUT customers/{Id}/admin",
        ASSUMED,
        NO_CALLCABINET_API,
    ),
    Operation("callcabinet", "delete_customer", "DELETE customers/{Id}", ASSUMED, NO_CALLCABINET_API),
)

BY_NAME = {(operation.platform, operation.name): operation for operation in OPERATIONS}


def operations_by_platform() -> dict[str, list[Operation]]:
    grouped: dict[str, list[Operation]] = {}
    for operation in OPERATIONS:
        grouped.setdefault(operation.platform, []).append(operation)
    return grouped


def assumed(platform: str, names: tuple[str, ...]) -> list[Operation]:
    """Of these operations of a platform, those that rest on our assumption."""
    return [BY_NAME[(platform, name)] for name in names if BY_NAME[(platform, name)].rests_on == ASSUMED]
