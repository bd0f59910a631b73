"""Group administrators (A1, A2): user IDs unique across the system, compared case-sensitively;
passwords accepted and never kept."""

import xml.etree.ElementTree as ET

from ..protocol import SUCCESS, data_command, required, table, tag, text
from ..state import BroadWorksState, Record
from .lookup import group_of, user_of_kind

ADMIN_COLUMNS = ("Administrator ID", "Last Name", "First Name", "Department", "Language", "Locale", "Encoding")


def add(state: BroadWorksState, el: ET.Element) -> str:
    """GroupAdminAddRequest"""
    sp_id, group_id, _, g = group_of(state, el)
    user_id = required(el, "userId")
    state.check_new_user_id(user_id, g)  # A1
    state.add_admin(sp_id, group_id, user_id, text(el, "firstName"), text(el, "lastName"), text(el, "language"))
    return SUCCESS


def _admin(state: BroadWorksState, user_id: str) -> Record:
    return user_of_kind(state, user_id, "group_admin")


def delete(state: BroadWorksState, el: ET.Element) -> str:
    """GroupAdminDeleteRequest"""
    user_id = required(el, "userId")
    _admin(state, user_id)
    del state.data["users"][user_id]
    return SUCCESS


def listed(state: BroadWorksState, el: ET.Element) -> str:
    """GroupAdminGetListRequest: the group's administrators."""
    sp_id, group_id, _, _ = group_of(state, el)
    rows = [
        (user_id, r["last_name"] or "", r["first_name"] or "", "", r["language"] or "English", "en_US", "ISO-8859-1")
        for user_id, r in sorted(state.data["users"].items())
        if r["kind"] == "group_admin" and (r["service_provider_id"], r["group_id"]) == (sp_id, group_id)
    ]
    return data_command("GroupAdminGetListResponse", table("groupAdminTable", ADMIN_COLUMNS, rows))


def get(state: BroadWorksState, el: ET.Element) -> str:
    """GroupAdminGetRequest22V3: A1, a group administrator looked up by user ID alone, system-wide."""
    record = _admin(state, required(el, "userId"))
    body = (
        tag("serviceProviderId", record["service_provider_id"])
        + tag("groupId", record["group_id"])
        + tag("firstName", record["first_name"])
        + tag("lastName", record["last_name"])
        + tag("language", record["language"] or "English")
        + tag("locale", "en_US")
        + tag("encoding", "ISO-8859-1")
        + tag("accountDisabled", False)
        + tag("lastAuthenticatedDate", "1970-01-01T00:00:00.000Z")
        + tag("hasPassword", True)
    )
    return data_command("GroupAdminGetResponse22V3", body)
