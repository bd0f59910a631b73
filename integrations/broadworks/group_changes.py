"""What changes after a build, decommissioning and the nightly reconciliation ask of BroadWorks about
a customer group (#15): its admins and voice portal read back, the voice portal and the calling line
ID undone so their numbers can leave the group (BroadWorks refuses to unassign either number), an
admin and the group itself deleted. A part of `BroadWorksGateway` (gateway.py), which sends them.

Each write reads first and sends nothing when there is nothing to do, so a retried change (a
redelivered task, a reply lost after BroadWorks acted) writes nothing twice and never fails on its
own earlier success."""

from typing import Any

from . import ocip
from .ocip import e164, is_true

VOICE_MESSAGING_GROUP = "Voice Messaging Group"
# A group without Voice Messaging Group assigned has no voice portal at all: as good as one inactive,
# with no number and no extension (nothing to disable, no number held).
NO_VOICE_PORTAL: dict[str, Any] = {"active": False, "number": None, "extension": None}


class GroupChangeCalls:
    """Mixed into BroadWorksGateway, whose `_call` and `_group_call` send and record each request."""

    def _call(self, operation: str, target: str, requests: Any, *, not_found: bool = False) -> Any:
        raise NotImplementedError

    def _group_call(self, operation: str, request_class: Any, sp: str, group_id: str, **fields: Any) -> Any:
        raise NotImplementedError

    def group_exists(self, sp: str, group_id: str) -> bool:
        raise NotImplementedError

    def group_clid(self, sp: str, group_id: str) -> dict[str, Any]:
        raise NotImplementedError

    # -- group administrators (A1) -------------------------------------------------------------------
    def group_admins(self, sp: str, group_id: str) -> list[dict[str, str]]:
        """A1: the group's administrators (GroupAdminGetListRequest), ordered by user ID; a name
        BroadWorks does not have is ""."""
        c = ocip.load().c
        response = self._group_call("group_admins", c.GroupAdminGetListRequest, sp, group_id)
        admins = [
            {
                "user_id": row["administrator_id"],
                "first_name": row.get("first_name") or "",
                "last_name": row.get("last_name") or "",
            }
            for row in response.group_admin_table.to_dict()
        ]
        return sorted(admins, key=lambda admin: admin["user_id"])

    def delete_group_admin(self, user_id: str) -> None:
        """A1: the administrator deleted (GroupAdminDeleteRequest, by user ID alone, as BroadWorks
        keys them system-wide). Reads first (GroupAdminGetRequest22V3): one already gone is done,
        where BroadWorks would refuse the delete."""
        c = ocip.load().c
        found = self._call("delete_group_admin", user_id, c.GroupAdminGetRequest22V3(user_id=user_id), not_found=True)
        if found is None:
            return
        self._call("delete_group_admin", user_id, c.GroupAdminDeleteRequest(user_id=user_id))

    # -- voice portal (V1, V2) -----------------------------------------------------------------------
    def voice_portal(self, sp: str, group_id: str) -> dict[str, Any]:
        """V1, V2: `{"active", "number" (E.164) | None, "extension" | None}`; a group without Voice
        Messaging Group assigned answers NO_VOICE_PORTAL (BroadWorks refuses to read its portal)."""
        if not is_true(self._voice_messaging_group(sp, group_id, operation="voice_portal").get("assigned")):
            return dict(NO_VOICE_PORTAL)
        return self._voice_portal_now(sp, group_id)

    def disable_voice_portal(self, sp: str, group_id: str) -> None:
        """V1, V2 undone: the voice portal made inactive, its number and extension removed (xsi:nil),
        so the number can be unassigned from the group. Reads first; a repeat writes nothing."""
        current = self.voice_portal(sp, group_id)
        if current == NO_VOICE_PORTAL:
            return
        c, nil = ocip.load().c, ocip.load().OCINil
        cleared = {
            "phone_number": nil() if current["number"] else None,
            "extension": nil() if current["extension"] else None,
        }
        profile = c.ServiceInstanceModifyProfile(**cleared) if any(cleared.values()) else None
        self._group_call(
            "disable_voice_portal",
            c.GroupVoiceMessagingGroupModifyVoicePortalRequest,
            sp,
            group_id,
            service_instance_profile=profile,
            is_active=False,
        )

    def _voice_messaging_group(self, sp: str, group_id: str, *, operation: str) -> dict[str, Any]:
        """Voice Messaging Group's row of the group's authorisation list ({} if it has none)."""
        c = ocip.load().c
        key = {"service_provider_id": sp, "group_id": group_id}
        services = self._call(operation, f"{sp}/{group_id}", c.GroupServiceGetAuthorizationListRequest(**key))
        rows = services.group_services_authorization_table.to_dict()
        return next((row for row in rows if row.get("service_name") == VOICE_MESSAGING_GROUP), {})

    def _voice_portal_now(self, sp: str, group_id: str) -> dict[str, Any]:
        """The voice portal as BroadWorks has it (GroupVoiceMessagingGroupGetVoicePortalRequest21sp1);
        only for a group with Voice Messaging Group assigned."""
        c = ocip.load().c
        current = self._group_call("voice_portal", c.GroupVoiceMessagingGroupGetVoicePortalRequest21sp1, sp, group_id)
        profile = getattr(current, "service_instance_profile", None)
        return {
            "active": is_true(getattr(current, "is_active", None)),
            "number": e164(getattr(profile, "phone_number", None)),
            "extension": getattr(profile, "extension", None) or None,
        }

    def _voice_portal_is(self, sp: str, group_id: str, *, number: str | None, extension: str | None) -> bool:
        wanted = {"active": True, "number": number or None, "extension": extension or None}
        return self._voice_portal_now(sp, group_id) == wanted

    # -- business profile (B1) -----------------------------------------------------------------------
    def clear_group_clid(self, sp: str, group_id: str) -> None:
        """B1 undone: the group's users no longer present the group's number (useGroupNumber off),
        then the group's calling line ID number removed (GroupModifyRequest, xsi:nil), in that order
        in one document, so the number can be unassigned. Reads first; a repeat writes nothing."""
        current = self.group_clid(sp, group_id)
        c, nil = ocip.load().c, ocip.load().OCINil
        key = {"service_provider_id": sp, "group_id": group_id}
        requests: list[Any] = []
        if current["present_as_caller_id"]:
            requests.append(c.GroupCallingLineIdModifyRequest(**key, use_group_number=False))
        if current["number"]:
            requests.append(c.GroupModifyRequest(**key, calling_line_id_phone_number=nil()))
        if requests:
            self._call("clear_group_clid", f"{sp}/{group_id}", requests)

    # -- the group itself ----------------------------------------------------------------------------
    def delete_group(self, sp: str, group_id: str) -> None:
        """Decommissioning: the group deleted (GroupDeleteRequest). BroadWorks takes its admins,
        voice portal and services with it and puts its numbers back on the service provider's pool
        (N1), unassigned. Reads first; a group already gone is done. An unknown service provider is
        refused by the read."""
        if not self.group_exists(sp, group_id):
            return
        c = ocip.load().c
        self._group_call("delete_group", c.GroupDeleteRequest, sp, group_id)
