"""Which idempotent build steps put each kind of drift right (they restore the platform to our
record), and what a person must do where no step can (#15). A repair is one change of the customer
on the build engine: every open drift of the customer that a step can fix, in the build's order."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from customers.choices import BuildStepName

from .choices import Aspect
from .models import Drift

# Steps a repair may run, in the order they run (the build's own order; removals after additions).
POOL_NUMBERS, ASSIGN_NUMBERS = BuildStepName.POOL_NUMBERS.value, BuildStepName.ASSIGN_NUMBERS.value
UNASSIGN_NUMBERS = BuildStepName.UNASSIGN_NUMBERS.value
BUSINESS_PROFILE, VOICE_PORTAL = BuildStepName.BUSINESS_PROFILE.value, BuildStepName.VOICE_PORTAL.value
ADMINS = BuildStepName.ADMINS.value
REMOVE_ADMINS = BuildStepName.REMOVE_ADMINS.value
AKIXI_PARTITION, AKIXI_USERS = BuildStepName.AKIXI_PARTITION.value, BuildStepName.AKIXI_USERS.value
RESTRICT_AKIXI_USERS = BuildStepName.RESTRICT_AKIXI_USERS.value
CALLCABINET_CUSTOMER = BuildStepName.CALLCABINET_CUSTOMER.value
CALLCABINET_ADMIN = BuildStepName.CALLCABINET_ADMIN.value
CALLCABINET_ADMIN_FIELDS = {"admin_name", "admin_email"}
ORDER = [
    POOL_NUMBERS,
    ASSIGN_NUMBERS,
    UNASSIGN_NUMBERS,
    BUSINESS_PROFILE,
    VOICE_PORTAL,
    ADMINS,
    REMOVE_ADMINS,
    AKIXI_PARTITION,
    AKIXI_USERS,
    RESTRICT_AKIXI_USERS,
    CALLCABINET_CUSTOMER,
    CALLCABINET_ADMIN,
]


@dataclass
class Fix:
    """What repairs one drift: steps (with the change's details they need), or a person's words."""

    steps: list[str] = field(default_factory=list)
    details: dict[str, list[str]] = field(default_factory=dict)
    new_admin_passwords: list[str] = field(default_factory=list)
    by_hand: list[str] = field(default_factory=list)


def _missing_and_extra(ours: Any, theirs: Any) -> tuple[list[str], list[str]]:
    ours, theirs = list(ours or []), list(theirs or [])
    return [x for x in ours if x not in theirs], [x for x in theirs if x not in ours]


def fix_for(drift: Drift) -> Fix:
    """The steps (or the person's work) that bring the platform back to our record for one drift."""
    ours: Any = drift.ours
    theirs: Any = drift.theirs
    aspect, gid = drift.aspect, drift.group.group_id
    fix = Fix()
    if aspect == Aspect.BW_NUMBERS:
        missing, extra = _missing_and_extra(ours, theirs)
        if missing:
            fix.steps += [POOL_NUMBERS, ASSIGN_NUMBERS]
        if extra:
            fix.steps.append(UNASSIGN_NUMBERS)
            fix.details["numbers"] = extra
    elif aspect == Aspect.BW_CLID:
        fix.steps.append(BUSINESS_PROFILE)
    elif aspect == Aspect.BW_VOICE_PORTAL:
        fix.steps.append(VOICE_PORTAL)
    elif aspect == Aspect.BW_ADMINS:
        missing, extra = _missing_and_extra(ours, theirs)
        if missing:
            fix.steps.append(ADMINS)
            fix.new_admin_passwords = missing  # re-created with a new password, shown once (A2)
        if extra:
            fix.steps.append(REMOVE_ADMINS)
            fix.details["admins"] = extra
    elif aspect == Aspect.BW_GROUP:
        fix.by_hand.append(
            f"BroadWorks has no group {gid} named “{ours['name']}” (it says {theirs}). Restore the group on "
            "BroadWorks (rename it back, or ask Voice Provisioning to recreate it from the partner's clone "
            "group); repair cannot create a group again."
        )
    elif aspect == Aspect.BW_DOMAIN:
        fix.by_hand.append(
            f"The group's default domain on BroadWorks is {theirs}, ours is {ours} (G5): correct it on BroadWorks."
        )
    elif aspect == Aspect.AKIXI_PARTITION:
        if theirs is None:
            fix.steps += [AKIXI_PARTITION, AKIXI_USERS]
        else:
            wrong = ", ".join(f"{k} is “{theirs.get(k)}”, not “{v}”" for k, v in ours.items() if theirs.get(k) != v)
            fix.by_hand.append(f"Correct the Akixi partition of {gid} (K2): {wrong}.")
    elif aspect == Aspect.AKIXI_USERS:
        missing, extra = _missing_and_extra(ours, theirs)
        if missing:
            fix.steps.append(AKIXI_USERS)
        if extra:
            fix.by_hand.append(
                f"Akixi users on the partition that are not the customer's: {', '.join(extra)}. "
                "Remove them in Akixi, or add them to the customer's record."
            )
    elif aspect == Aspect.AKIXI_USER_SCOPE:
        fix.steps.append(RESTRICT_AKIXI_USERS)  # K4: back to the customer's own partition only
    elif aspect == Aspect.CALLCABINET_CUSTOMER:
        if theirs is None:
            fix.steps.append(CALLCABINET_CUSTOMER)
        else:
            differ = {k for k, v in ours.items() if theirs.get(k) != v}
            if differ & CALLCABINET_ADMIN_FIELDS:
                fix.steps.append(CALLCABINET_ADMIN)  # C5: the administrator our record names, again
            if wrong := ", ".join(
                f"{k} is “{theirs.get(k)}”, not “{ours[k]}”" for k in ours if k in differ - CALLCABINET_ADMIN_FIELDS
            ):
                fix.by_hand.append(f"Correct the Call Cabinet customer of {gid} (C3, C4): {wrong}.")
    elif aspect == Aspect.CALLCABINET_TYPE:
        fix.by_hand.append(
            f"Call Cabinet has {gid} as a “{theirs}” customer, not Essential (C2: wrong setup and billing). "
            "Repair cannot change a customer's type: remove it in Call Cabinet and add it again with “Add New "
            "Essential Customer”; the next reconciliation then finds it missing, and repair creates it."
        )
    return fix


@dataclass
class Plan:
    """One repair of a customer: the steps in order, the change's details, the admins whose password
    is generated anew, the drift it repairs, and what is left to a person."""

    steps: list[str]
    details: dict[str, Any]
    new_admin_passwords: list[str]
    repairs: list[Drift]
    by_hand: list[tuple[Drift, str]]

    @property
    def summary(self) -> str:
        what = ", ".join(sorted({d.get_aspect_display().split(" (")[0] for d in self.repairs}))
        return f"Repair drift: {what}"[:200]


def plan_for(drifts: Iterable[Drift]) -> Plan:
    steps: set[str] = set()
    details: dict[str, Any] = {}
    passwords: list[str] = []
    repairs, by_hand = [], []
    for drift in drifts:
        fix = fix_for(drift)
        if fix.steps:
            repairs.append(drift)
            steps.update(fix.steps)
            details.update(fix.details)
            passwords += fix.new_admin_passwords
        by_hand += [(drift, text) for text in fix.by_hand]
    details["drift"] = [d.pk for d in repairs]
    return Plan([s for s in ORDER if s in steps], details, passwords, repairs, by_hand)
