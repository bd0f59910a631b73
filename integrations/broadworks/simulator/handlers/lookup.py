"""The service provider, group or user a request names, looked up (or refused as not found)."""

import xml.etree.ElementTree as ET
from typing import NamedTuple

from ..errors import refusal
from ..protocol import required
from ..state import BroadWorksState, Record


class GroupRef(NamedTuple):
    sp_id: str
    group_id: str
    sp: Record
    group: Record


def group_of(state: BroadWorksState, el: ET.Element) -> GroupRef:
    """The group named by the request's serviceProviderId and groupId."""
    sp_id, group_id = required(el, "serviceProviderId"), required(el, "groupId")
    sp = state.service_provider(sp_id)
    return GroupRef(sp_id, group_id, sp, state.group(sp_id, group_id))


def service_provider_of(state: BroadWorksState, el: ET.Element) -> tuple[str, Record]:
    """The service provider named by the request's serviceProviderId."""
    sp_id = required(el, "serviceProviderId")
    return sp_id, state.service_provider(sp_id)


def user_of_kind(state: BroadWorksState, user_id: str, kind: str) -> Record:
    """The user `user_id` if it is of `kind` (a group admin, a service provider admin, ...); any
    other user is "not found" to a request about that kind."""
    record: Record | None = state.data["users"].get(user_id)
    if record is None or record["kind"] != kind:
        raise refusal("user_not_found", user_id=user_id)
    return record
