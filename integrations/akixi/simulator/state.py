"""What the Akixi simulator keeps, and how a partition's synchronisation moves on (K3).

State (one JSON file, see integrations/simkit/state.py):

    {"resellers": {PartnerId: reseller},
     "partitions": {"<Id>": partition, with "TelSysID" and "_sync": null | {"started_at", "reads"}},
     "next_partition_id": 1,
     "users": {Username: user}}

A user is kept as it was added (the documented fields and our assumed K4 fields) without its
Password, plus three fields for readers of the state file only (tests, the demo), never served:
`PartitionPermission` (its Scope's PartIDInTelSys), `WelcomeEmailSent`, `CreatedAt`.
"""

from collections.abc import Callable
from typing import Any

from integrations.simkit.checks import utc_iso

from .contract import (
    ASSUMED_USER_FIELDS,
    LAST_SYNC_COMPLETED,
    SYNC_COMPLETED,
    SYNC_IN_PROGRESS,
    SYNC_PENDING,
    USER_FIELDS,
)

NEVER_STORED = ("Password",)
STATE_ONLY = ("PartitionPermission", "WelcomeEmailSent", "CreatedAt")


def empty_state() -> dict[str, Any]:
    return {"resellers": {}, "partitions": {}, "next_partition_id": 1, "users": {}}


def public(record: dict[str, Any]) -> dict[str, Any]:
    """A stored record without the simulator's bookkeeping (keys starting with `_`)."""
    return {key: value for key, value in record.items() if not key.startswith("_")}


def user_record(body: dict[str, Any], *, created_at: str) -> dict[str, Any]:
    """What is kept of an added user (a body already read against the shape)."""
    kept = {name: body[name] for name in (*USER_FIELDS, *ASSUMED_USER_FIELDS) if name not in NEVER_STORED}
    return {
        **kept,
        "PartitionPermission": list(body["Scope"]["PartIDInTelSys"]),
        "WelcomeEmailSent": body["SendWelcomeEmail"],
        "CreatedAt": created_at,
    }


def user_view(user: dict[str, Any]) -> dict[str, Any]:
    """A kept user as the API answers with it (our assumption: the Add body's fields, no Password)."""
    return {key: value for key, value in user.items() if key not in STATE_ONLY}


class PartitionSync:
    """K3. A sync completes once the partition has been looked at `polls` times and `seconds` have
    passed since the sync started; the first look always sees "pending", later ones "in_progress".
    While `stalled()` says so (the `sync_stall` fault), it never completes."""

    def __init__(self, *, polls: int, seconds: float, clock: Callable[[], float], stalled: Callable[[], bool]) -> None:
        self.polls = polls
        self.seconds = seconds
        self.clock = clock
        self.stalled = stalled

    def start(self, partition: dict[str, Any]) -> None:
        partition["syncStatus"] = SYNC_PENDING
        partition["_sync"] = {"started_at": self.clock(), "reads": 0}

    def observe(self, partition: dict[str, Any]) -> None:
        """One API look at a partition: moves its sync along."""
        progress = partition.get("_sync")
        if progress is None:
            return
        now = self.clock()
        done = progress["reads"] >= self.polls and now - progress["started_at"] >= self.seconds
        if done and not self.stalled():
            partition["syncStatus"] = SYNC_COMPLETED
            partition[LAST_SYNC_COMPLETED] = utc_iso(now)
            partition["_sync"] = None
        else:
            partition["syncStatus"] = SYNC_PENDING if progress["reads"] == 0 else SYNC_IN_PROGRESS
            progress["reads"] += 1
