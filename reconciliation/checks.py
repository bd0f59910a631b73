"""What our records say about a built customer, and what each platform says, in the same shape: where
the two differ there is drift (#15). Only reads: each gateway is wrapped so that nothing but the
reads named in READS can be called from here (a write is an AttributeError, never a request).

A platform the customer does not use (no Akixi licence, no Call Cabinet admin) is not asked; a
platform in manual mode, or whose reads fail, is "not checked" with the reason, and what was open
about it stays open."""

from dataclasses import dataclass, field
from typing import Any

from integrations.akixi.rules import MAINTAIN_PARITY, SYNCHRONISATION_TYPE, TELEPHONY_SERVER_TYPE
from integrations.callcabinet.client import ESSENTIAL
from integrations.manual import NotCheckedInManualMode

from .choices import Aspect, Platform

# The only gateway methods reconciliation may call: reads.
READS: dict[str, frozenset[str]] = {
    Platform.BROADWORKS: frozenset(
        {"group_exists", "group_profile", "group_numbers", "group_clid", "group_admins", "voice_portal"}
    ),
    Platform.AKIXI: frozenset({"find_partition", "partition_info", "partition_users", "reporting_user"}),
    Platform.CALLCABINET: frozenset({"customer"}),
}


class ReadOnly:
    """A gateway through which only the platform's reads can be called."""

    def __init__(self, gateway: Any, platform: str) -> None:
        self._gateway, self._platform = gateway, platform

    def __getattr__(self, name: str) -> Any:
        if name not in READS[self._platform]:
            raise AttributeError(f"Reconciliation only reads: {self._platform}.{name} is not one of its reads.")
        return getattr(self._gateway, name)


@dataclass
class Record:
    """Our side of one customer, read from our database in bulk (no query per customer here)."""

    group_id: str
    name: str
    partner_id: str
    domain: str
    numbers: list[str]
    business_profile_number: str
    present_as_caller_id: bool
    voice_portal_number: str
    voice_portal_extension: str
    admins: list[str]
    akixi_licence: str
    akixi_users: list[str]
    callcabinet_admin_name: str
    callcabinet_admin_email: str

    @property
    def uses(self) -> dict[str, bool]:
        return {
            Platform.BROADWORKS: True,
            Platform.AKIXI: bool(self.akixi_licence),
            Platform.CALLCABINET: bool(self.callcabinet_admin_email),
        }


@dataclass
class Observation:
    """Per aspect compared: (ours, theirs). `not_checked`: platform -> why it was not read."""

    compared: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    not_checked: dict[str, str] = field(default_factory=dict)


def observe(record: Record, platforms: Any, *, skip: dict[str, str] | None = None) -> Observation:
    """Read each platform the customer uses (not those in `skip`: platform -> reason) and compare."""
    seen = Observation()
    readers = {
        Platform.BROADWORKS: _broadworks,
        Platform.AKIXI: _akixi,
        Platform.CALLCABINET: _callcabinet,
    }
    for platform, read in readers.items():
        if not record.uses[platform]:
            continue
        if skip and platform in skip:
            seen.not_checked[platform] = skip[platform]
            continue
        found: dict[str, tuple[Any, Any]] = {}
        try:
            read(record, ReadOnly(getattr(platforms, platform), platform), found)
        except NotCheckedInManualMode as exc:
            seen.not_checked[platform] = f"manual mode: {exc}"
            continue
        except Exception as exc:  # noqa: BLE001  (any read failure: this platform not checked, the run goes on)
            seen.not_checked[platform] = f"{type(exc).__name__}: {exc}"
            continue
        seen.compared.update(found)
    return seen


def _none(value: str) -> str | None:
    return value or None


def _broadworks(record: Record, bw: Any, found: dict) -> None:
    sp, gid = record.partner_id, record.group_id
    exists = bw.group_exists(sp, gid)
    profile = bw.group_profile(sp, gid) if exists else {}
    found[Aspect.BW_GROUP] = ({"exists": True, "name": record.name}, {"exists": exists, "name": profile.get("name")})
    if not exists:
        return  # nothing else of it to compare; what was open about it stays open
    if "default_domain" in profile:
        found[Aspect.BW_DOMAIN] = (record.domain, profile["default_domain"])
    found[Aspect.BW_NUMBERS] = (sorted(record.numbers), sorted(bw.group_numbers(sp, gid)))
    clid = bw.group_clid(sp, gid)
    found[Aspect.BW_CLID] = (
        {"number": _none(record.business_profile_number), "present_as_caller_id": record.present_as_caller_id},
        {"number": clid.get("number") or None, "present_as_caller_id": bool(clid.get("present_as_caller_id"))},
    )
    portal = bw.voice_portal(sp, gid)
    found[Aspect.BW_VOICE_PORTAL] = (
        {
            "active": True,
            "number": _none(record.voice_portal_number),
            "extension": _none(record.voice_portal_extension),
        },
        {
            "active": bool(portal.get("active")),
            "number": portal.get("number") or None,
            "extension": portal.get("extension") or None,
        },
    )
    found[Aspect.BW_ADMINS] = (sorted(record.admins), sorted(a["user_id"] for a in bw.group_admins(sp, gid)))


def expected_partition(record: Record) -> dict[str, Any]:
    """K2: the partition's values, as partition_info names them."""
    return {
        "description": record.name,
        "billing_tag": record.group_id,
        "licence": record.akixi_licence,
        "provider_id": record.partner_id,
        "group_id": record.group_id,
        "server_type": TELEPHONY_SERVER_TYPE,
        "sync_type": SYNCHRONISATION_TYPE,
        "maintain_parity": MAINTAIN_PARITY,
    }


def _akixi(record: Record, ak: Any, found: dict) -> None:
    wanted = expected_partition(record)
    partition = ak.find_partition(record.group_id)
    info = ak.partition_info(partition) if partition is not None else None
    found[Aspect.AKIXI_PARTITION] = (wanted, {k: info.get(k) for k in wanted} if info else None)
    if info is None:
        return  # its users and their scope are compared once there is a partition again
    # K4: each of our users exists, and sees the customer's own partition and only that. A user of
    # ours widened elsewhere is still there (the scope aspect says where it points), so "missing"
    # means missing from Akixi; users on the partition that are not ours are extra.
    accounts = {username: ak.reporting_user(username) for username in record.akixi_users}
    present = set(ak.partition_users(partition)) | {u for u, account in accounts.items() if account is not None}
    found[Aspect.AKIXI_USERS] = (sorted(record.akixi_users, key=str.lower), sorted(present, key=str.lower))
    ours, theirs = {}, {}
    for username, account in accounts.items():
        if account is None:
            continue  # missing: the users aspect says so
        ours[username] = {"any_partition": False, "partition_ids": [str(partition)]}
        theirs[username] = {
            "any_partition": bool(account.get("any_partition")),
            "partition_ids": sorted(str(p) for p in account.get("partition_ids") or []),
        }
    if ours:
        found[Aspect.AKIXI_USER_SCOPE] = (ours, theirs)


def expected_customer(record: Record) -> dict[str, Any]:
    """C3-C5: the Essential customer's values, as `customer` names them."""
    return {
        "group_id": record.group_id,
        "provider_id": record.partner_id,
        "admin_name": record.callcabinet_admin_name,
        "admin_email": record.callcabinet_admin_email,
    }


def _callcabinet(record: Record, cc: Any, found: dict) -> None:
    wanted = expected_customer(record)
    customer = cc.customer(record.group_id)
    found[Aspect.CALLCABINET_CUSTOMER] = (wanted, {k: customer.get(k) for k in wanted} if customer else None)
    if customer is not None:
        found[Aspect.CALLCABINET_TYPE] = (ESSENTIAL, customer.get("customer_type"))
