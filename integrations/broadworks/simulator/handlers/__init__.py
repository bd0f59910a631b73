"""What each OCI-P request does to the simulated platform: one function per request type (the names
exactly those in `mercury_ocip_fast.commands`), listed in `HANDLERS` below. Each takes the state and
the request's command element and returns the reply command; a refusal raises OCIError.

Handlers check everything before they change anything, so a refused request changes nothing.
"""

import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable

from ..errors import OCIError, refusal
from ..protocol import error_command
from ..state import BroadWorksState
from . import admins, group_numbers, groups, service_providers, services, voice_portal

logger = logging.getLogger(__name__)

Handler = Callable[[BroadWorksState, ET.Element], str]

HANDLERS: dict[str, Handler] = {
    # service providers (O2) and their pools (N1)
    "ServiceProviderGetRequest22V4": service_providers.get,
    "ServiceProviderConsolidatedAddRequest": service_providers.consolidated_add,
    "ServiceProviderDomainAssignListRequest": service_providers.assign_domains,
    "ServiceProviderServiceGetAuthorizationListRequest": service_providers.authorisations,
    "ServiceProviderServiceModifyAuthorizationListRequest": service_providers.modify_authorisations,
    "ServiceProviderServicePackAddRequest": service_providers.add_service_pack,
    "ServiceProviderServicePackGetListRequest": service_providers.service_packs,
    "ServiceProviderServicePackGetDetailListRequest": service_providers.service_pack_detail,
    "ServiceProviderAdminAddRequest14": service_providers.add_admin,
    "ServiceProviderAdminModifyRequest": service_providers.modify_admin,
    "ServiceProviderAdminGetRequest22V3": service_providers.get_admin,
    "ServiceProviderDnAddListRequest": service_providers.add_numbers,
    "ServiceProviderDnDeleteListRequest": service_providers.delete_numbers,
    "ServiceProviderDnGetAvailableListRequest": service_providers.available_numbers,
    "ServiceProviderDnGetSummaryListRequest": service_providers.number_summary,
    # groups (G1-G5, B1)
    "GroupGetListInServiceProviderRequest": groups.list_in_service_provider,
    "GroupGetListInSystemRequest": groups.list_in_system,
    "GroupGetRequest24": groups.get,
    "GroupCallingLineIdGetRequest": groups.calling_line_id,
    "GroupCallingLineIdModifyRequest": groups.modify_calling_line_id,
    "GroupConsolidatedAddRequest": groups.consolidated_add,
    "GroupModifyRequest": groups.modify,
    "GroupDeleteRequest": groups.delete,
    "GroupDomainGetAssignedListRequest": groups.domains,
    "GroupExtensionLengthGetRequest22": groups.extension_lengths,
    # group services
    "GroupServiceGetAuthorizationListRequest": services.authorisations,
    "GroupServiceModifyAuthorizationListRequest": services.modify_authorisations,
    "GroupServiceAssignListRequest": services.assign,
    "GroupServiceUnassignListRequest": services.unassign,
    # group numbers (N1, N2)
    "GroupDnAssignListRequest": group_numbers.assign,
    "GroupDnActivateListRequest": group_numbers.activate,
    "GroupDnDeactivateListRequest": group_numbers.activate,
    "GroupDnUnassignListRequest": group_numbers.unassign,
    "GroupDnGetListRequest": group_numbers.listed,
    "GroupDnGetAssignmentListRequest18": group_numbers.assignments,
    "SystemNumberActivationGetRequest21": group_numbers.activation_mode,
    # voice portal (V1, V2)
    "GroupVoiceMessagingGroupModifyVoicePortalRequest": voice_portal.modify,
    "GroupVoiceMessagingGroupGetVoicePortalRequest21sp1": voice_portal.get,
    # group administrators (A1, A2)
    "GroupAdminAddRequest": admins.add,
    "GroupAdminDeleteRequest": admins.delete,
    "GroupAdminGetListRequest": admins.listed,
    "GroupAdminGetRequest22V3": admins.get,
}

# Requests that change nothing: the state is not written after them.
READ_ONLY = frozenset(
    {
        "ServiceProviderGetRequest22V4",
        "ServiceProviderDnGetAvailableListRequest",
        "ServiceProviderDnGetSummaryListRequest",
        "ServiceProviderServiceGetAuthorizationListRequest",
        "ServiceProviderServicePackGetListRequest",
        "ServiceProviderServicePackGetDetailListRequest",
        "ServiceProviderAdminGetRequest22V3",
        "GroupGetListInServiceProviderRequest",
        "GroupGetListInSystemRequest",
        "GroupGetRequest24",
        "GroupCallingLineIdGetRequest",
        "GroupDomainGetAssignedListRequest",
        "GroupExtensionLengthGetRequest22",
        "GroupServiceGetAuthorizationListRequest",
        "GroupDnGetListRequest",
        "GroupDnGetAssignmentListRequest18",
        "SystemNumberActivationGetRequest21",
        "GroupVoiceMessagingGroupGetVoicePortalRequest21sp1",
        "GroupAdminGetListRequest",
        "GroupAdminGetRequest22V3",
    }
)


def execute(state: BroadWorksState, request_type: str, el: ET.Element) -> str:
    """One command's reply (a data, success or error command), under the state's lock; a change is
    saved before the reply goes out."""
    handler = HANDLERS.get(request_type)
    if handler is None:
        return error_command(refusal("unsupported_request", request=request_type or "(no xsi:type)"))
    with state.lock:
        try:
            reply = handler(state, el)
        except OCIError as exc:
            logger.info("BroadWorks simulator: %s refused: %s", request_type, exc.summary)
            return error_command(exc)
        except Exception:
            logger.exception("BroadWorks simulator: %s failed", request_type)
            return error_command(refusal("internal"))
        if request_type not in READ_ONLY:
            state.save()
        return reply
