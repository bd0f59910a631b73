"""Everything the simulated platform knows (service providers, their number pools, groups, admins and
voice portals) and the rules that hold whichever request changes it. What each OCI-P request does
with it is in handlers/.

`data` layout (also the state file's)::

    {"format": 1,
     "service_providers": {sp_id: {"name", "is_enterprise", "default_domain", "domains": [..],
                                   "support_email", "dns": {number: group_id | null},
                                   "groups": {group_id: GROUP}}},
     "users": {user_id: {"kind": "group_admin" | "voice_portal", "service_provider_id",
                         "group_id", "first_name", "last_name", "language"}}}

    GROUP = {"name", "default_domain", "domains": [..], "user_limit", "calling_line_id_name",
             "calling_line_id_phone_number", "time_zone", "location_dialing_code", "contact": {},
             "address": {}, "extension_length": {"min", "max", "default"},
             "group_services": {name: {"quantity": int | null, "assigned": bool}},
             "user_services": {name: int | null}, "service_packs": {name: int | null},
             "dns": {number: {"activated": bool}},
             "voice_portal": null | {"service_user_id", "name", "calling_line_id_last_name",
                                     "calling_line_id_first_name", "phone_number", "extension",
                                     "active"}}

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
from .dns import check_dn
from .errors import refusal

logger = logging.getLogger(__name__)

Record = dict[str, Any]


def _empty() -> Record:
    return {"format": 1, "service_providers": {}, "users": {}}


class BroadWorksState(JsonState):
    """The platform's data, kept in `path` (or in memory only, without one)."""

    def __init__(self, path: Path | str | None = None) -> None:
        super().__init__(path, _empty)
        if self.path is not None and self.path.exists():
            logger.info("BroadWorks simulator state loaded from %s", self.path)
        self.lock = threading.RLock()
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
    def check_new_user_id(self, user_id: str, group: Record, taken: Iterable[str] = ()) -> None:
        """A1: user IDs are unique across the whole system, compared case-sensitively; a user ID with
        a domain part must use one of the group's domains."""
        if not user_id or len(user_id) > 161:
            raise refusal("invalid_request", reason="userId must be 1 to 161 characters")
        if user_id in self.data["users"] or user_id in taken:
            raise refusal("user_exists", user_id=user_id)
        if "@" in user_id:
            domain = user_id.rsplit("@", 1)[1]
            if domain not in group["domains"]:
                raise refusal("domain_not_assigned", domain=domain)

    def add_admin(
        self, sp_id: str, group_id: str, user_id: str, first: str | None, last: str | None, language: str | None
    ) -> None:
        # The password is accepted and dropped: the simulator never keeps one (A2).
        self.data["users"][user_id] = {
            "kind": "group_admin",
            "service_provider_id": sp_id,
            "group_id": group_id,
            "first_name": first or None,
            "last_name": last or None,
            "language": language or None,
        }


def new_service_provider(*, name: str, is_enterprise: bool, default_domain: str, domains: Iterable[str]) -> Record:
    return {
        "name": name,
        "is_enterprise": is_enterprise,
        "default_domain": default_domain,
        "domains": list(dict.fromkeys([default_domain, *domains])),
        "support_email": None,
        "dns": {},
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
        "voice_portal": None,
    }


def check_extension_lengths(low: int, high: int, default: int) -> None:
    floor, ceiling = EXTENSION_LENGTH_LIMITS
    if not (floor <= low <= default <= high <= ceiling):
        raise refusal(
            "extension_lengths",
            reason=f"need {floor} <= min ({low}) <= default ({default}) <= max ({high}) <= {ceiling}",
        )
