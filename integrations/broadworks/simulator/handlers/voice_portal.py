"""The group's voice portal (V1, V2): there only while Voice Messaging Group is assigned; its number
one of the group's, its extension digits of a length the group allows."""

import xml.etree.ElementTree as ET

from ..catalogue import VOICE_MESSAGING_GROUP
from ..dns import check_dn
from ..errors import refusal
from ..protocol import NIL, SUCCESS, boolean, data_command, optional, tag, text
from ..state import BroadWorksState, Record
from .lookup import group_of


def _portal(g: Record) -> Record:
    """V1: the group's voice portal, refused while Voice Messaging Group is not assigned."""
    portal: Record | None = g["voice_portal"]
    if not g["group_services"].get(VOICE_MESSAGING_GROUP, {}).get("assigned") or not portal:
        raise refusal("service_not_assigned", service=VOICE_MESSAGING_GROUP)
    return portal


def modify(state: BroadWorksState, el: ET.Element) -> str:
    """GroupVoiceMessagingGroupModifyVoicePortalRequest"""
    _, group_id, _, g = group_of(state, el)
    portal = _portal(g)
    changes: Record = {}
    profile = el.find("serviceInstanceProfile")
    if profile is not None:
        for name, key in (
            ("name", "name"),
            ("callingLineIdLastName", "calling_line_id_last_name"),
            ("callingLineIdFirstName", "calling_line_id_first_name"),
        ):
            value = text(profile, name)
            if value is not None:
                changes[key] = value
        number = optional(profile, "phoneNumber")
        if number is NIL or number == "":
            changes["phone_number"] = None
        elif number is not None:  # V2: the number must be one of the group's
            check_dn(number)
            if number not in g["dns"]:
                raise refusal("dn_not_in_group", group_id=group_id, phone_number=number)
            changes["phone_number"] = number
        extension = optional(profile, "extension")
        if extension is NIL or extension == "":
            changes["extension"] = None
        elif extension is not None:
            if not extension.isdigit():
                raise refusal("invalid_extension", extension=extension)
            low, high = g["extension_length"]["min"], g["extension_length"]["max"]
            if not low <= len(extension) <= high:
                raise refusal("extension_length", extension=extension, min=low, max=high)
            changes["extension"] = extension
    active = boolean(el, "isActive")
    if active is not None:
        changes["active"] = active
    portal.update(changes)
    return SUCCESS


def get(state: BroadWorksState, el: ET.Element) -> str:
    """GroupVoiceMessagingGroupGetVoicePortalRequest21sp1"""
    g = group_of(state, el).group
    portal = _portal(g)
    profile = (
        tag("name", portal["name"])
        + tag("callingLineIdLastName", portal["calling_line_id_last_name"])
        + tag("callingLineIdFirstName", portal["calling_line_id_first_name"])
        + tag("phoneNumber", portal["phone_number"])
        + tag("extension", portal["extension"])
        + tag("language", "English")
        + tag("timeZone", g["time_zone"])
        + tag("timeZoneDisplayName", f"({g['time_zone']})")
    )
    body = (
        tag("serviceUserId", portal["service_user_id"])
        + f"<serviceInstanceProfile>{profile}</serviceInstanceProfile>"
        + tag("isActive", portal["active"])
        + tag("allowIdentificationByPhoneNumberOrVoiceMailAliasesOnLogin", False)
        + tag("useVoicePortalWizard", True)
        + tag("voicePortalExternalRoutingScope", "System")
        + tag("useExternalRouting", False)
        + tag("expressMode", False)
    )
    return data_command("GroupVoiceMessagingGroupGetVoicePortalResponse21sp1", body)
