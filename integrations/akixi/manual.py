"""Akixi in manual mode (AKIXI_MODE=manual, `AkixiManualGateway`): the same methods as the API
gateway, carried out by a person. Nothing is sent anywhere. Each write fails with the exact values
a co-ordinator types into Akixi (`integrations.manual.instructions`, code "manual"); once they
confirm, the finding methods return what they confirmed. A read that only the platform can answer
raises `NotCheckedInManualMode`, so reconciliation can say "not checked: manual mode"."""

from collections.abc import Callable
from typing import Any

from integrations.manual import ManualResellers, NotCheckedInManualMode, instructions, nothing_confirmed

from .rules import (
    ANY_PARTITION,
    REPORTING_USER_ASSUMED,
    SYNC_COMPLETED,
    SYNCHRONISATION_TYPE,
    TELEPHONY_SERVER_TYPE,
    not_one_partition,
)

PLATFORM = "Akixi"


def _value(value: object) -> str:
    text = str(value if value is not None else "").strip()
    return text or "(missing: complete the request first)"


def manual_reseller_instructions(*, partner_id: str, name: str, email: str) -> list[str]:
    """K1 by hand: the partner's reseller account."""
    return [
        f"In Akixi create the reseller account for partner {_value(partner_id)} ({_value(name)}) (K1).",
        f"Welcome email to: {_value(email)}.",
        "Then confirm here.",
    ]


def manual_partition_instructions(
    *, description: str, billing_id: str, licensed_for: str, provider_id: str, group_id: str
) -> list[str]:
    """K2 and K3 by hand: the customer's partition, with the guide's fixed values, synchronised."""
    return [
        "In Akixi add a partition for the customer (K2).",
        f"Description: {_value(description)}.",
        f"Billing ID/Tag: {_value(billing_id)}.",
        f"Licensed for: {_value(licensed_for)}.",
        f"Telephony server type: {TELEPHONY_SERVER_TYPE}.",
        f"Enterprise/Provider ID: {_value(provider_id)}.",
        f"Group ID: {_value(group_id)}.",
        f"Synchronisation Type: {SYNCHRONISATION_TYPE}.",
        "Maintain Parity: on (nightly synchronisation).",
        "Wait for “synchronisation completed”; if it does not come, press “Perform synchronisation now” (K3).",
        "Then confirm here with the partition's ID.",
    ]


def manual_sync_instructions(partition: object) -> list[str]:
    """K3 by hand: a synchronisation asked for again (after licences are assigned or removed)."""
    return [
        f"In Akixi open partition {_value(partition)} and press “Perform synchronisation now” (K3).",
        "Wait for “synchronisation completed”.",
        "Then confirm here.",
    ]


def manual_user_instructions(*, username: str, full_name: str, email: str, partition: object) -> list[str]:
    """K4 by hand: a reporting user of the customer's own partition."""
    role = REPORTING_USER_ASSUMED
    return [
        f"In Akixi add the user {_value(username)} (usernames are unique across Akixi) (K4).",
        f"Full name: {_value(full_name)}.",
        f"Email: {_value(email)} (they get the welcome email).",
        f"Role: {role['Role']}. Reporting level: {role['ReportingLevel']}. Default reports: {role['DefaultReports']}.",
        "Tick Password Change Required, Send Welcome Email and Enable MFA.",
        f"Partition permission: partition {_value(partition)} only — never “{ANY_PARTITION}” (K4).",
        "Group, device and agent: Any.",
        "Then confirm here.",
    ]


def manual_restrict_user_instructions(*, username: str, partition: object) -> list[str]:
    """K4 restored by hand: a reporting user's partition permission back to the customer's own."""
    return [
        f"In Akixi open the user {_value(username)} (K4).",
        f"Partition permission: partition {_value(partition)} only — remove any other partition and “{ANY_PARTITION}”.",
        "Leave the role, reporting level, group, devices and agents as they are.",
        "Then confirm here.",
    ]


def manual_delete_user_instructions(username: str) -> list[str]:
    return [f"In Akixi delete the user {_value(username)}.", "Then confirm here."]


def manual_delete_partition_instructions(partition: object) -> list[str]:
    return [
        f"In Akixi delete partition {_value(partition)}, once no user has it in their partition permission "
        "(delete the customer's users first).",
        "Then confirm here.",
    ]


def _manual_partition(partition: Any, operation: str) -> str:
    """The confirmed partition a user or a sync is for; never "Any Partition", never several (K4)."""
    if isinstance(partition, int) and not isinstance(partition, bool) and partition > 0:
        return str(partition)
    if isinstance(partition, str) and partition.strip() and not partition.strip().lower().startswith("any"):
        return partition.strip()
    raise not_one_partition(partition, operation)


class AkixiManualGateway(ManualResellers):
    """The same methods as AkixiGateway, carried out by a person. Nothing is sent anywhere.

    `confirmed_reseller(partner_id)` says whether a co-ordinator confirmed the reseller account (K1);
    `confirmed_partition(group_id)` returns the partition ID they confirmed for a customer group,
    made and synchronised (K2, K3), or None; `confirmed_user(username)` says whether they confirmed
    the reporting user (K4). All default to "nothing confirmed yet"."""

    def __init__(
        self,
        *,
        confirmed_reseller: Callable[[str], bool | None] = nothing_confirmed,
        confirmed_partition: Callable[[str], str | int | None] = nothing_confirmed,
        confirmed_user: Callable[[str], bool | None] = nothing_confirmed,
    ) -> None:
        super().__init__(confirmed_reseller=confirmed_reseller)
        self._confirmed_partition = confirmed_partition
        self._confirmed_user = confirmed_user

    # K1
    def reseller_instructions(self, *, partner_id: str, name: str, email: str) -> list[str]:
        return manual_reseller_instructions(partner_id=partner_id, name=name, email=email)

    # K2
    def find_partition(self, group_id: str) -> str | None:
        partition = self._confirmed_partition(group_id)
        if partition is None:
            return None
        return str(partition).strip() or None

    def add_partition(
        self, *, description: str, billing_id: str, licensed_for: str, provider_id: str, group_id: str
    ) -> str:
        """Returns the confirmed partition if there is one; otherwise fails with the instructions."""
        confirmed = self.find_partition(group_id)
        if confirmed:
            return confirmed
        lines = manual_partition_instructions(
            description=description,
            billing_id=billing_id,
            licensed_for=licensed_for,
            provider_id=provider_id,
            group_id=group_id,
        )
        raise instructions(lines)

    # K3: a partition is confirmed once its first synchronisation completed.
    def sync_status(self, partition: Any) -> str:
        _manual_partition(partition, "sync_status")
        return SYNC_COMPLETED

    def request_sync(self, partition: Any) -> str:
        reference = _manual_partition(partition, "request_sync")
        raise instructions(manual_sync_instructions(reference))

    # K4
    def user_exists(self, username: str) -> bool:
        return bool(self._confirmed_user(username))

    def add_reporting_user(self, *, username: str, full_name: str, email: str, partition: Any) -> str:
        reference = _manual_partition(partition, "add_reporting_user")
        if self.user_exists(username):
            return username
        lines = manual_user_instructions(username=username, full_name=full_name, email=email, partition=reference)
        raise instructions(lines)

    # After the build (#15). A write is the co-ordinator's, with the exact instructions (the change
    # records their confirmation); a read only Akixi can answer is not checked in manual mode.
    def sync_state(self, partition: Any) -> dict[str, Any]:
        reference = _manual_partition(partition, "sync_state")
        raise NotCheckedInManualMode(PLATFORM, f"partition {reference}'s synchronisation")

    def partition_info(self, partition: Any) -> dict[str, Any] | None:
        reference = _manual_partition(partition, "partition_info")
        raise NotCheckedInManualMode(PLATFORM, f"partition {reference}")

    def partition_users(self, partition: Any) -> list[str]:
        reference = _manual_partition(partition, "partition_users")
        raise NotCheckedInManualMode(PLATFORM, f"the users of partition {reference}")

    def reporting_user(self, username: str) -> dict[str, Any] | None:
        raise NotCheckedInManualMode(PLATFORM, f"the user {username}")

    def restrict_reporting_user(self, username: str, partition: Any) -> None:
        reference = _manual_partition(partition, "restrict_reporting_user")
        raise instructions(manual_restrict_user_instructions(username=username, partition=reference))

    def delete_reporting_user(self, username: str) -> None:
        raise instructions(manual_delete_user_instructions(username))

    def delete_partition(self, partition: Any) -> None:
        reference = _manual_partition(partition, "delete_partition")
        raise instructions(manual_delete_partition_instructions(reference))
