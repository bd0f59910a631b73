"""A group's services: which are authorised (and how many), and which are assigned. Assigning Voice
Messaging Group gives the group its voice portal (V1); unassigning it takes the portal away."""

import xml.etree.ElementTree as ET

from ..catalogue import GROUP_SERVICES, VOICE_MESSAGING_GROUP
from ..errors import refusal
from ..protocol import SUCCESS, boolean, data_command, quantity, required, table, texts
from ..state import BroadWorksState
from .lookup import group_of

# Column headings of GroupServiceGetAuthorizationListResponse's three tables.
SERVICE_PACK_COLUMNS = (
    "Service Pack Name", "Authorized", "Assigned", "Limited", "Allocated", "Allowed", "Usage", "Description",
)  # fmt: skip
GROUP_SERVICE_COLUMNS = (
    "Service Name", "Authorized", "Assigned", "Limited", "Quantity", "Usage", "Licensed", "Allowed", "Instance Count",
)  # fmt: skip
USER_SERVICE_COLUMNS = (*GROUP_SERVICE_COLUMNS[:-1], "User Assignable", "Group Service Assignable")

# (name, quantity or None for unlimited, unauthorise?) of one authorisation change
Change = tuple[str, int | None, bool]


def _limit(quantity: int | None) -> tuple[str, str]:
    return ("Unlimited", "-1") if quantity is None else ("Limited", str(quantity))


def authorisations(state: BroadWorksState, el: ET.Element) -> str:
    """GroupServiceGetAuthorizationListRequest: every group service the platform knows (authorised or
    not), and the authorised user services and service packs."""
    g = group_of(state, el).group
    packs = [(name, True, False, *_limit(q), "-1", "0", "") for name, q in sorted(g["service_packs"].items())]
    group_rows: list[tuple[object, ...]] = []
    for name in [*GROUP_SERVICES, *sorted(set(g["group_services"]) - set(GROUP_SERVICES))]:
        entry = g["group_services"].get(name)
        if entry is None:
            group_rows.append((name, False, False, "", "", "0", True, "-1", "0"))
        else:
            assigned = entry["assigned"]
            group_rows.append((name, True, assigned, *_limit(entry["quantity"]), "0", True, "-1", int(assigned)))
    user_rows = [
        (name, True, False, *_limit(q), "0", True, "-1", True, False) for name, q in sorted(g["user_services"].items())
    ]
    body = (
        table("servicePacksAuthorizationTable", SERVICE_PACK_COLUMNS, packs)
        + table("groupServicesAuthorizationTable", GROUP_SERVICE_COLUMNS, group_rows)
        + table("userServicesAuthorizationTable", USER_SERVICE_COLUMNS, user_rows)
    )
    return data_command("GroupServiceGetAuthorizationListResponse", body)


def _changes(el: ET.Element, item_name: str, name_field: str) -> list[Change]:
    """The user service or service pack authorisations a request changes."""
    return [
        (required(item, name_field), quantity(item.find("authorizedQuantity")), bool(boolean(item, "unauthorized")))
        for item in el.findall(item_name)
    ]


def modify_authorisations(state: BroadWorksState, el: ET.Element) -> str:
    """GroupServiceModifyAuthorizationListRequest: only what the service provider has; an assigned
    service cannot be unauthorised."""
    g = group_of(state, el).group
    group_changes: list[Change] = []
    for item in el.findall("groupServiceAuthorization"):
        name = required(item, "serviceName")
        if boolean(item, "unauthorized"):
            if g["group_services"].get(name, {}).get("assigned"):
                raise refusal("service_assigned", service=name)
            group_changes.append((name, None, True))
        else:
            group_changes.append((name, quantity(item.find("authorizedQuantity")), False))
    user_changes = _changes(el, "userServiceAuthorization", "serviceName")
    pack_changes = _changes(el, "servicePackAuthorization", "servicePackName")
    state.check_authorised(
        group_of(state, el).sp_id,
        group_services=[name for name, _, remove in group_changes if not remove],
        user_services=[name for name, _, remove in user_changes if not remove],
        service_packs=[name for name, _, remove in pack_changes if not remove],
    )
    for name, amount, remove in group_changes:
        if remove:
            g["group_services"].pop(name, None)
        else:
            g["group_services"].setdefault(name, {"quantity": None, "assigned": False})["quantity"] = amount
    for authorised, changes in ((g["user_services"], user_changes), (g["service_packs"], pack_changes)):
        for name, amount, remove in changes:
            if remove:
                authorised.pop(name, None)
            else:
                authorised[name] = amount
    return SUCCESS


def assign(state: BroadWorksState, el: ET.Element) -> str:
    """GroupServiceAssignListRequest: only authorised services; assigning one again changes nothing."""
    sp_id, group_id, _, g = group_of(state, el)
    names = texts(el, "serviceName")
    for name in names:
        if name not in g["group_services"]:
            raise refusal("service_not_authorized", service=name)
    for name in names:
        entry = g["group_services"][name]
        if not entry["assigned"]:
            entry["assigned"] = True
            if name == VOICE_MESSAGING_GROUP:
                state.create_voice_portal(sp_id, group_id, g)
    return SUCCESS


def unassign(state: BroadWorksState, el: ET.Element) -> str:
    """GroupServiceUnassignListRequest"""
    g = group_of(state, el).group
    for name in texts(el, "serviceName"):
        entry = g["group_services"].get(name)
        if entry and entry["assigned"]:
            entry["assigned"] = False
            if name == VOICE_MESSAGING_GROUP:
                state.remove_voice_portal(g)
    return SUCCESS
