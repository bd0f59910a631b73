"""A group's numbers (N1, N2): assigned from its own service provider's pool, activated, taken back."""

import xml.etree.ElementTree as ET

from ..dns import dns_of
from ..errors import refusal
from ..protocol import SUCCESS, data_command, request_type, table, tag
from ..state import BroadWorksState, Record
from .lookup import group_of

# SystemNumberActivationGetResponse21's modes: the simulated system uses activation unless a test
# or a state file says otherwise ({"system": {"number_activation_mode": "Off"}}).
GROUP_AND_USER_ACTIVATION, ACTIVATION_OFF = "Group And User Activation Enabled", "Off"

ASSIGNMENT_COLUMNS = (
    "Phone Numbers", "Department", "Activated", "User Id", "Last Name", "First Name", "Extension",
    "Email Address", "User Type", "Country Code", "National Prefix",
)  # fmt: skip


def assign(state: BroadWorksState, el: ET.Element) -> str:
    """GroupDnAssignListRequest: N1, N2, only numbers on this service provider's pool that no other
    group holds; a number the group already has is left as it is."""
    sp_id, group_id, sp, g = group_of(state, el)
    numbers = dns_of(el)
    for number in numbers:
        if state.pool_holder(sp_id, number) not in (None, group_id):
            raise refusal("dn_assigned_elsewhere", phone_number=number)
    # With number activation in use (the simulated system's mode), an assigned number waits,
    # inactive, for GroupDnActivateListRequest; with it "Off", every assigned number is active.
    active = number_activation_mode(state) == ACTIVATION_OFF
    for number in numbers:
        sp["dns"][number] = group_id
        g["dns"].setdefault(number, {"activated": active})
    return SUCCESS


def number_activation_mode(state: BroadWorksState) -> str:
    mode: str = state.data.get("system", {}).get("number_activation_mode", GROUP_AND_USER_ACTIVATION)
    return mode


def activation_mode(state: BroadWorksState, el: ET.Element) -> str:
    """SystemNumberActivationGetRequest21"""
    return data_command(
        "SystemNumberActivationGetResponse21",
        tag("numberActivationMode", number_activation_mode(state))
        + tag("enableEnterpriseTrunkNumberRangeActivation", "false"),
    )


def _the_groups(el: ET.Element, group_id: str, g: Record) -> list[str]:
    """The request's numbers, all of which must be the group's."""
    numbers = dns_of(el)
    for number in numbers:
        if number not in g["dns"]:
            raise refusal("dn_not_in_group", group_id=group_id, phone_number=number)
    return numbers


def activate(state: BroadWorksState, el: ET.Element) -> str:
    """GroupDnActivateListRequest and GroupDnDeactivateListRequest"""
    _, group_id, _, g = group_of(state, el)
    active = request_type(el) == "GroupDnActivateListRequest"
    for number in _the_groups(el, group_id, g):
        g["dns"][number]["activated"] = active  # activating an active DN is not an error
    return SUCCESS


def unassign(state: BroadWorksState, el: ET.Element) -> str:
    """GroupDnUnassignListRequest: not the group's CLID (B1) or its voice portal's number (V2)."""
    _, group_id, sp, g = group_of(state, el)
    numbers = _the_groups(el, group_id, g)
    portal_number = (g["voice_portal"] or {}).get("phone_number")
    for number in numbers:
        if number in (g["calling_line_id_phone_number"], portal_number):
            raise refusal("dn_in_use", phone_number=number)
    for number in numbers:
        del g["dns"][number]
        sp["dns"][number] = None
    return SUCCESS


def listed(state: BroadWorksState, el: ET.Element) -> str:
    """GroupDnGetListRequest"""
    g = group_of(state, el).group
    return data_command("GroupDnGetListResponse", "".join(tag("phoneNumber", n) for n in sorted(g["dns"])))


def assignments(state: BroadWorksState, el: ET.Element) -> str:
    """GroupDnGetAssignmentListRequest18: each number, whether it is activated, and who has it (the
    voice portal is the only user the simulator knows)."""
    g = group_of(state, el).group
    portal = g["voice_portal"] or {}
    rows = []
    for number, info in sorted(g["dns"].items()):
        user = portal if portal.get("phone_number") == number else {}
        user_type = "Voice Messaging Portal" if user else ""
        rows.append(
            (
                number,
                "",
                info["activated"],
                user.get("service_user_id", ""),
                user.get("name", ""),
                user_type,
                user.get("extension") or "",
                "",
                user_type,
                "",
                "",
            )
        )
    return data_command("GroupDnGetAssignmentListResponse18", table("dnTable", ASSIGNMENT_COLUMNS, rows))
