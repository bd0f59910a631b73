"""Everything the simulated platform knows (service providers, their number pools, groups, admins and
voice portals) and the rules that hold whichever request changes it. What each OCI-P request does
with it is in handlers/.

`data` layout (also the state file's)::

    {"format": 2,
     "system": {"number_activation_mode"} (optional; missing: "Group And User Activation Enabled"),
     "service_providers": {sp_id: {"name", "is_enterprise", "default_domain", "domains": [..],
                                   "support_email", "dns": {number: group_id | null},
                                   "group_services": {name: quantity | null},
                                   "user_services": {name: quantity | null},
                                   "service_packs": {name: PACK},
                                   "groups": {group_id: GROUP}}},
     "users": {user_id: {"kind": "group_admin" | "voice_portal" | "service_provider_admin",
                         "service_provider_id", "group_id" (null for a service provider admin),
                         "first_name", "last_name", "language", "administrator_type"}}}

    PACK = {"description", "available": bool, "quantity": int | null, "services": [user service, ..]}

    GROUP = {"name", "default_domain", "domains": [..], "user_limit", "calling_line_id_name",
             "calling_line_id_phone_number", "time_zone", "location_dialing_code", "contact": {},
             "address": {}, "extension_length": {"min", "max", "default"},
             "group_services": {name: {"quantity": int | null, "assigned": bool}},
             "user_services": {name: int | null}, "service_packs": {name: int | null},
             "dns": {number: {"activated": bool}}, "use_group_number": bool, "use_group_name": bool,
             "voice_portal": null | {"service_user_id", "name", "calling_line_id_last_name",
                                     "calling_line_id_first_name", "phone_number", "extension",
                                     "active"}}

A service provider's `group_services` and `user_services` are what it is authorised for, and its
`service_packs` the packs defined in it: a group can only be authorised for, or assigned, what its
service provider has. Numbers are kept as BroadWorks writes them, `+44-2079460000` (dns.py).
Format 1 files (numbers as `+442079460000`, no service-provider authorisations) are brought
forward on load: numbers rewritten, and each service provider authorised for what its groups use.

Every request runs under one lock; a refused request changes nothing (handlers check everything
before they change anything), and an accepted change is on disk before the reply is sent.
"""

import copy
import logging
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from integrations.simkit.state import JsonState

from .catalogue import CLONE_SERVICE_PROVIDER_ID, DEFAULT_TIME_ZONE, EXTENSION_LENGTH_LIMITS, SYSTEM_DOMAINS
from .dns import check_dn, dash_form
from .errors import refusal

logger = logging.getLogger(__name__)

Record = dict[str, Any]


FORMAT = 2


def _empty() -> Record:
    return {"format": FORMAT, "service_providers": {}, "users": {}}


class BroadWorksState(JsonState):
    """The platform's data, kept in `path` (or in memory only, without one)."""

    def __init__(self, path: Path | str | None = None) -> None:
        super().__init__(path, _empty)
        if self.path is not None and self.path.exists():
            logger.info("BroadWorks simulator state loaded from %s", self.path)
        self.lock = threading.RLock()
        if self.data.get("format", 1) < FORMAT:
            _bring_forward(self.data)
        self._dn_owner = {number: sp_id for sp_id, sp in self.data["service_providers"].items() for number in sp["dns"]}
        self.ensure_service_provider(CLONE_SERVICE_PROVIDER_ID, name="EXPO-e partner templates")  # G1

    def save(self) -> None:
        with self.lock:
            super().save()

    def snapshot(self) -> Record:
        with self.lock:
            return copy.deepcopy(self.data)

    # -- service providers and their number pools -------------------------------------------------
    def service_provider(self, sp_id: str) -> Record:
        sp: Record | None = self.data["service_providers"].get(sp_id)
        if sp is None:
            raise refusal("service_provider_not_found", service_provider_id=sp_id)
        return sp

    def ensure_service_provider(
        self,
        sp_id: str,
        *,
        name: str | None = None,
        default_domain: str = SYSTEM_DOMAINS[1],
        domains: Iterable[str] = SYSTEM_DOMAINS,
        is_enterprise: bool = True,
    ) -> Record:
        """The service provider/enterprise `sp_id`, created if missing (saved when created)."""
        with self.lock:
            sps = self.data["service_providers"]
            if sp_id not in sps:
                sps[sp_id] = new_service_provider(
                    name=name or sp_id, is_enterprise=is_enterprise, default_domain=default_domain, domains=domains
                )
                self.save()
            return sps[sp_id]

    def owner_of(self, number: str) -> str | None:
        """The service provider whose pool has the number, anywhere in the system."""
        return self._dn_owner.get(number)

    def pool_holder(self, sp_id: str, number: str) -> str | None:
        """The group of `sp_id` that holds a number of its pool (None: free); refused when the number
        is not on that pool (N1, N2: a group's numbers come from its own service provider's pool)."""
        dns = self.service_provider(sp_id)["dns"]
        if number not in dns:
            raise refusal("dn_not_in_pool", service_provider_id=sp_id, phone_number=number)
        holder: str | None = dns[number]
        return holder

    def put_on_pool(self, sp_id: str, numbers: Iterable[str]) -> None:
        """Numbers onto a pool; the caller has checked that no other pool has them (N1)."""
        sp = self.service_provider(sp_id)
        for number in numbers:
            sp["dns"].setdefault(number, None)
            self._dn_owner[number] = sp_id

    def take_off_pool(self, sp_id: str, numbers: Iterable[str]) -> None:
        sp = self.service_provider(sp_id)
        for number in numbers:
            del sp["dns"][number]
            del self._dn_owner[number]

    def add_pool_numbers(self, sp_id: str, numbers: Iterable[str]) -> None:
        """Put numbers on a service provider's pool (those already there are left alone)."""
        with self.lock:
            self.service_provider(sp_id)
            numbers = [check_dn(n) for n in numbers]
            for number in numbers:
                if self._dn_owner.get(number, sp_id) != sp_id:
                    raise refusal("dn_exists", phone_number=number)
            self.put_on_pool(sp_id, numbers)
            self.save()

    def check_authorised(
        self,
        sp_id: str,
        *,
        group_services: Iterable[str] = (),
        user_services: Iterable[str] = (),
        service_packs: Iterable[str] = (),
    ) -> None:
        """A group gets only what its service provider has: services it is authorised for, and
        service packs defined in it."""
        sp = self.service_provider(sp_id)
        for kind, names in (("group_services", group_services), ("user_services", user_services)):
            for name in names:
                if name not in sp[kind]:
                    raise refusal("sp_service_not_authorized", service_provider_id=sp_id, service=name)
        for name in service_packs:
            if name not in sp["service_packs"]:
                raise refusal("service_pack_not_found", service_provider_id=sp_id, service_pack=name)

    # -- groups -------------------------------------------------------------------------------------
    def group(self, sp_id: str, group_id: str) -> Record:
        group: Record | None = self.service_provider(sp_id)["groups"].get(group_id)
        if group is None:
            raise refusal("group_not_found", group_id=group_id)
        return group

    def create_voice_portal(self, sp_id: str, group_id: str, group: Record) -> None:
        """Assigning Voice Messaging Group gives the group its voice portal service instance (inactive,
        no number, no extension) with a generated service user ID."""
        base = f"{group_id}_VMR"
        user_id, n = f"{base}@{group['default_domain']}", 1
        while user_id in self.data["users"]:
            n += 1
            user_id = f"{base}{n}@{group['default_domain']}"
        self.data["users"][user_id] = {
            "kind": "voice_portal",
            "service_provider_id": sp_id,
            "group_id": group_id,
            "first_name": "Voice Portal",
            "last_name": "Voice Portal",
            "language": None,
        }
        group["voice_portal"] = {
            "service_user_id": user_id,
            "name": "Voice Portal",
            "calling_line_id_last_name": "Voice Portal",
            "calling_line_id_first_name": "Voice Portal",
            "phone_number": None,
            "extension": None,
            "active": False,
        }

    def remove_voice_portal(self, group: Record) -> None:
        portal = group["voice_portal"]
        if portal:
            self.data["users"].pop(portal["service_user_id"], None)
        group["voice_portal"] = None

    # -- users (group administrators) ---------------------------------------------------------------
    def check_new_user_id(self, user_id: str, group: Record | None, taken: Iterable[str] = ()) -> None:
        """A1: user IDs are unique across the whole system, compared case-sensitively; a group user
        ID with a domain part must use one of the group's domains, and a service provider
        administrator's has none ("The domain must not be specified for system-level and
        service-provider-level administrators", UserId in OCISchemaDataTypes.xsd)."""
        if not user_id or len(user_id) > 161:
            raise refusal("invalid_request", reason="userId must be 1 to 161 characters")
        if user_id in self.data["users"] or user_id in taken:
            raise refusal("user_exists", user_id=user_id)
        if group is None:
            if "@" in user_id:
                raise refusal("invalid_request", reason="a service provider administrator's userId has no domain")
        elif "@" in user_id:
            domain = user_id.rsplit("@", 1)[1]
            if domain not in group["domains"]:
                raise refusal("domain_not_assigned", domain=domain)

    def add_admin(
        self,
        sp_id: str,
        group_id: str | None,
        user_id: str,
        first: str | None,
        last: str | None,
        language: str | None,
        administrator_type: str | None = None,
    ) -> None:
        """A group administrator, or (without a group) a service provider administrator. The
        password is accepted and dropped: the simulator never keeps one (A2)."""
        self.data["users"][user_id] = {
            "kind": "group_admin" if group_id else "service_provider_admin",
            "service_provider_id": sp_id,
            "group_id": group_id,
            "first_name": first or None,
            "last_name": last or None,
            "language": language or None,
            "administrator_type": administrator_type,
        }


def new_service_provider(*, name: str, is_enterprise: bool, default_domain: str, domains: Iterable[str]) -> Record:
    return {
        "name": name,
        "is_enterprise": is_enterprise,
        "default_domain": default_domain,
        "domains": list(dict.fromkeys([default_domain, *domains])),
        "support_email": None,
        "dns": {},
        "group_services": {},
        "user_services": {},
        "service_packs": {},
        "groups": {},
    }


def new_group(
    *, name: str | None, default_domain: str, domains: Iterable[str], user_limit: int, extension_length: dict[str, int]
) -> Record:
    return {
        "name": name,
        "default_domain": default_domain,
        "domains": list(dict.fromkeys([default_domain, *domains])),
        "user_limit": user_limit,
        "calling_line_id_name": None,
        "calling_line_id_phone_number": None,
        "time_zone": DEFAULT_TIME_ZONE,
        "location_dialing_code": None,
        "contact": {},
        "address": {},
        "extension_length": dict(extension_length),
        "group_services": {},
        "user_services": {},
        "service_packs": {},
        "dns": {},
        "use_group_number": False,  # GroupCallingLineIdModifyRequest: users present the group's number
        "use_group_name": False,
        "voice_portal": None,
    }


def check_extension_lengths(low: int, high: int, default: int) -> None:
    floor, ceiling = EXTENSION_LENGTH_LIMITS
    if not (floor <= low <= default <= high <= ceiling):
        raise refusal(
            "extension_lengths",
            reason=f"need {floor} <= min ({low}) <= default ({default}) <= max ({high}) <= {ceiling}",
        )


def _bring_forward(data: Record) -> None:
    """A format 1 state file in today's form: numbers as BroadWorks writes them, and every service
    provider authorised for what its groups already use (so nothing built before is refused now)."""
    for sp in data["service_providers"].values():
        sp["dns"] = {dash_form(n): holder for n, holder in sp["dns"].items()}
        for kind in ("group_services", "user_services"):
            sp.setdefault(kind, {})
        sp.setdefault("service_packs", {})
        for group in sp["groups"].values():
            group["dns"] = {dash_form(n): info for n, info in group["dns"].items()}
            if group.get("calling_line_id_phone_number"):
                group["calling_line_id_phone_number"] = dash_form(group["calling_line_id_phone_number"])
            portal = group.get("voice_portal") or {}
            if portal.get("phone_number"):
                portal["phone_number"] = dash_form(portal["phone_number"])
            group.setdefault("use_group_number", False)
            group.setdefault("use_group_name", False)
            for name in group["group_services"]:
                sp["group_services"].setdefault(name, None)
            for name in group["user_services"]:
                sp["user_services"].setdefault(name, None)
            for name in group["service_packs"]:
                sp["service_packs"].setdefault(name, new_service_pack())
    for user in data["users"].values():
        user.setdefault("administrator_type", None)
    data["format"] = FORMAT


def new_service_pack(
    *, description: str | None = None, available: bool = True, quantity: int | None = None, services: Iterable[str] = ()
) -> Record:
    return {"description": description, "available": available, "quantity": quantity, "services": list(services)}
