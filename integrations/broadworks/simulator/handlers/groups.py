"""Groups (G1-G5): listing, reading, creating one in a single request (GroupConsolidatedAddRequest,
how the gateway clones a template), changing one (B1: the calling line ID), deleting one."""

import xml.etree.ElementTree as ET
from collections.abc import Callable

from ..catalogue import DEFAULT_EXTENSION_LENGTHS, DEFAULT_TIME_ZONE, VOICE_MESSAGING_GROUP
from ..dns import check_dn, expand_range
from ..errors import refusal
from ..protocol import (
    NIL,
    SUCCESS,
    boolean,
    data_command,
    flat,
    integer,
    optional,
    quantity,
    required,
    table,
    tag,
    text,
    texts,
)
from ..state import BroadWorksState, Record, check_extension_lengths, new_group
from .lookup import group_of, service_provider_of


def list_in_service_provider(state: BroadWorksState, el: ET.Element) -> str:
    """GroupGetListInServiceProviderRequest"""
    _, sp = service_provider_of(state, el)
    rows = [(gid, g["name"] or "", g["user_limit"]) for gid, g in sorted(sp["groups"].items())]
    limit = integer(el, "responseSizeLimit")
    if limit:
        rows = rows[:limit]
    table_xml = table("groupTable", ("Group Id", "Group Name", "User Limit"), rows)
    return data_command("GroupGetListInServiceProviderResponse", table_xml)


ORGANIZATION_TYPES = {True: "Enterprise", False: "Service Provider"}


def list_in_system(state: BroadWorksState, el: ET.Element) -> str:
    """GroupGetListInSystemRequest: every group in the system, whichever service provider has it,
    narrowed by group ID criteria (G3 asks this before a build)."""
    criteria = [_criterion(item) for item in el.findall("searchCriteriaGroupId")]
    rows = [
        (
            group_id,
            g["name"] or "",
            g["user_limit"],
            sp_id,
            "Enterprise" if sp["is_enterprise"] else "Service Provider",
            "",
        )
        for sp_id, sp in sorted(state.data["service_providers"].items())
        for group_id, g in sorted(sp["groups"].items())
        if all(matches(group_id) for matches in criteria)
    ]
    limit = integer(el, "responseSizeLimit")
    if limit:
        rows = rows[:limit]
    headings = ("Group Id", "Group Name", "User Limit", "Organization Id", "Organization Type", "Reseller Id")
    return data_command("GroupGetListInSystemResponse", table("groupTable", headings, rows))


def _criterion(item: ET.Element) -> Callable[[str], bool]:
    """A SearchCriteriaGroupId: its mode ("Equal To", "Starts With", "Contains") on the group ID."""
    mode, value = required(item, "mode"), required(item, "value")
    folded = bool(boolean(item, "isCaseInsensitive"))

    def fold(text_: str) -> str:
        return text_.lower() if folded else text_

    wanted = fold(value)
    tests: dict[str, Callable[[str], bool]] = {
        "Equal To": lambda group_id: fold(group_id) == wanted,
        "Starts With": lambda group_id: fold(group_id).startswith(wanted),
        "Contains": lambda group_id: wanted in fold(group_id),
    }
    return tests[mode]


def get(state: BroadWorksState, el: ET.Element) -> str:
    """GroupGetRequest24"""
    sp_id, group_id, _, g = group_of(state, el)
    contact = "".join(tag(k, v) for k, v in g["contact"].items())
    address = "".join(tag(k, v) for k, v in g["address"].items())
    body = (
        tag("defaultDomain", g["default_domain"])
        + tag("userLimit", g["user_limit"])
        + tag("userCount", 0)
        + tag("groupName", g["name"])
        + tag("callingLineIdName", g["calling_line_id_name"])
        + tag("callingLineIdPhoneNumber", g["calling_line_id_phone_number"])
        + tag("callingLineIdDisplayPhoneNumber", g["calling_line_id_phone_number"])
        + tag("timeZone", g["time_zone"])
        + tag("timeZoneDisplayName", f"({g['time_zone']})")
        + tag("locationDialingCode", g["location_dialing_code"])
        + (f"<contact>{contact}</contact>" if contact else "")
        + (f"<address>{address}</address>" if address else "")
        + tag("serviceProviderId", sp_id)
        + tag("groupId", group_id)
    )
    return data_command("GroupGetResponse24", body)


def calling_line_id(state: BroadWorksState, el: ET.Element) -> str:
    """GroupCallingLineIdGetRequest"""
    g = group_of(state, el).group
    body = (
        tag("useGroupNumber", g["use_group_number"])
        + tag("useGroupName", g["use_group_name"])
        + tag("callingLineIdPhoneNumber", g["calling_line_id_phone_number"])
        + tag("callingLineIdName", g["calling_line_id_name"])
    )
    return data_command("GroupCallingLineIdGetResponse", body)


def modify_calling_line_id(state: BroadWorksState, el: ET.Element) -> str:
    """GroupCallingLineIdModifyRequest: whether users present the group's number (and name) as
    their caller ID; the number, when given, one of the group's (B1); presenting the group's number
    needs one."""
    g = group_of(state, el).group
    changes: Record = {}
    clid = optional(el, "callingLineIdPhoneNumber")
    if clid is NIL or clid == "":
        changes["calling_line_id_phone_number"] = None
    elif clid is not None:
        if check_dn(clid) not in g["dns"]:
            raise refusal("clid_not_in_group", phone_number=clid)
        changes["calling_line_id_phone_number"] = clid
    for name, key in (("useGroupNumber", "use_group_number"), ("useGroupName", "use_group_name")):
        flag = boolean(el, name)
        if flag is not None:
            changes[key] = flag
    after = {**g, **changes}
    if after["use_group_number"] and not after["calling_line_id_phone_number"]:
        raise refusal("no_group_clid")
    g.update(changes)
    return SUCCESS


def consolidated_add(state: BroadWorksState, el: ET.Element) -> str:
    """GroupConsolidatedAddRequest: the group with its domains, extension lengths, authorised
    services (only what its service provider has), numbers (from the service provider's pool, N1,
    N2) and admins (A1), all or nothing."""
    sp_id, group_id = required(el, "serviceProviderId"), required(el, "groupId")
    sp = state.service_provider(sp_id)
    if group_id in sp["groups"]:
        raise refusal("group_exists", group_id=group_id)  # G3 (as BroadWorks sees it: per service provider)
    default_domain = required(el, "defaultDomain")
    domains = list(dict.fromkeys([default_domain, *texts(el, "domain")]))
    for domain in domains:
        if domain not in sp["domains"]:
            raise refusal("domain_not_assigned", domain=domain)
    user_limit = integer(el, "userLimit")
    if user_limit is None or user_limit < 1:
        raise refusal("invalid_request", reason="userLimit must be a positive number")
    lengths = _extension_lengths(el, DEFAULT_EXTENSION_LENGTHS)
    group = new_group(
        name=text(el, "groupName"),
        default_domain=default_domain,
        domains=domains,
        user_limit=user_limit,
        extension_length=lengths,
    )
    group["calling_line_id_name"] = text(el, "callingLineIdName")
    group["time_zone"] = text(el, "timeZone") or DEFAULT_TIME_ZONE
    group["location_dialing_code"] = text(el, "locationDialingCode")
    group["contact"] = flat(el.find("contact"))
    group["address"] = flat(el.find("address"))
    _authorise(el, group)
    state.check_authorised(
        sp_id,
        group_services=group["group_services"],
        user_services=group["user_services"],
        service_packs=group["service_packs"],
    )
    activations = _activations(el)
    for number in activations:
        if state.pool_holder(sp_id, number) is not None:
            raise refusal("dn_assigned_elsewhere", phone_number=number)
    admins: list[tuple[str, str | None, str | None, str | None]] = []
    for item in el.findall("admin"):
        user_id = required(item, "userId")
        state.check_new_user_id(user_id, group, taken=[a[0] for a in admins])
        admins.append((user_id, text(item, "firstName"), text(item, "lastName"), text(item, "language")))
    # Everything checked: now change.
    sp["groups"][group_id] = group
    for number, activate in activations.items():
        sp["dns"][number] = group_id
        group["dns"][number] = {"activated": activate}
    for user_id, first, last, language in admins:
        state.add_admin(sp_id, group_id, user_id, first, last, language)
    if group["group_services"].get(VOICE_MESSAGING_GROUP, {}).get("assigned"):
        state.create_voice_portal(sp_id, group_id, group)
    return SUCCESS


def _extension_lengths(el: ET.Element, current: dict[str, int]) -> dict[str, int]:
    """The min, max and default extension lengths a request gives, `current` for those it leaves out."""
    lengths = {
        "min": integer(el, "minExtensionLength") or current["min"],
        "max": integer(el, "maxExtensionLength") or current["max"],
        "default": integer(el, "defaultExtensionLength") or current["default"],
    }
    check_extension_lengths(lengths["min"], lengths["max"], lengths["default"])
    return lengths


def _authorise(el: ET.Element, group: Record) -> None:
    """The group, user and service-pack authorisations a new group is given."""
    for item in el.findall("groupServiceAuthorizationAndAssignment"):
        group["group_services"][required(item, "serviceName")] = {
            "quantity": quantity(item.find("authorizedQuantity")),
            "assigned": bool(boolean(item, "assign")),
        }
    for item in el.findall("userServiceAuthorization"):
        group["user_services"][required(item, "serviceName")] = quantity(item.find("authorizedQuantity"))
    for item in el.findall("servicePackAuthorization"):
        group["service_packs"][required(item, "servicePackName")] = quantity(item.find("authorizedQuantity"))


def _activations(el: ET.Element) -> dict[str, bool]:
    """The numbers a new group is given, each with whether it is activated."""
    activations: dict[str, bool] = {}
    for item in el.findall("activatablePhoneNumber"):
        activations[check_dn(required(item, "DN"))] = bool(boolean(item, "activate"))
    for item in el.findall("activatableDNRange"):
        activate = bool(boolean(item, "activate"))
        for number in expand_range(required(item, "minPhoneNumber"), required(item, "maxPhoneNumber")):
            activations[number] = activate
    return activations


def modify(state: BroadWorksState, el: ET.Element) -> str:
    """GroupModifyRequest: an element left out leaves its value, a nil or empty one clears it."""
    g = group_of(state, el).group
    changes: Record = {}
    for name, key in (
        ("groupName", "name"),
        ("callingLineIdName", "calling_line_id_name"),
        ("locationDialingCode", "location_dialing_code"),
    ):
        if optional(el, name) is not None:
            changes[key] = text(el, name)
    clid = optional(el, "callingLineIdPhoneNumber")
    if clid is NIL or clid == "":
        changes["calling_line_id_phone_number"] = None
    elif clid is not None:
        if check_dn(clid) not in g["dns"]:  # B1: the group CLID is one of the group's own numbers
            raise refusal("clid_not_in_group", phone_number=clid)
        changes["calling_line_id_phone_number"] = clid
    default_domain = text(el, "defaultDomain")
    if default_domain is not None:
        if default_domain not in g["domains"]:
            raise refusal("domain_not_assigned", domain=default_domain)
        changes["default_domain"] = default_domain
    user_limit = integer(el, "userLimit")
    if user_limit is not None:
        changes["user_limit"] = user_limit
    time_zone = text(el, "timeZone")
    if time_zone is not None:
        changes["time_zone"] = time_zone
    for name in ("contact", "address"):
        if el.find(name) is not None:
            changes[name] = {**g[name], **flat(el.find(name))}
    settings = el.find("extensionLengthSettings")
    if settings is not None:
        lengths = _extension_lengths(settings, g["extension_length"])
        portal_extension = (g["voice_portal"] or {}).get("extension")
        if portal_extension and not lengths["min"] <= len(portal_extension) <= lengths["max"]:
            raise refusal("extension_lengths", reason=f"the voice portal's extension {portal_extension} would not fit")
        changes["extension_length"] = lengths
    g.update(changes)
    return SUCCESS


def delete(state: BroadWorksState, el: ET.Element) -> str:
    """GroupDeleteRequest: its numbers go back to the pool, its admins and voice portal go."""
    sp_id, group_id, sp, g = group_of(state, el)
    for number in g["dns"]:
        sp["dns"][number] = None
    users = state.data["users"]
    for user_id in [u for u, r in users.items() if (r["service_provider_id"], r["group_id"]) == (sp_id, group_id)]:
        del users[user_id]
    del sp["groups"][group_id]
    return SUCCESS


def domains(state: BroadWorksState, el: ET.Element) -> str:
    """GroupDomainGetAssignedListRequest"""
    g = group_of(state, el).group
    body = tag("groupDefaultDomain", g["default_domain"]) + "".join(tag("domain", d) for d in g["domains"])
    return data_command("GroupDomainGetAssignedListResponse", body)


def extension_lengths(state: BroadWorksState, el: ET.Element) -> str:
    """GroupExtensionLengthGetRequest22"""
    lengths = group_of(state, el).group["extension_length"]
    body = (
        tag("minExtensionLength", lengths["min"])
        + tag("maxExtensionLength", lengths["max"])
        + tag("defaultExtensionLength", lengths["default"])
        + tag("useEnterpriseExtensionLengthSetting", False)
    )
    return data_command("GroupExtensionLengthGetResponse22", body)
