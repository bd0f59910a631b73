"""What numbers (N1, N2) and port-day readiness (#18) ask of BroadWorks: a partner's pool, a group's
numbers and whether each is activated. A part of `BroadWorksGateway` (gateway.py), which sends them.

Every list request carries at most DN_BATCH numbers: a port brings up to 10,000, and one request
naming them all would be a document of megabytes that one slow reply holds up in full. The schema
sets no upper bound on `phoneNumber` (maxOccurs unbounded), so the size is ours. Each batch is its
own document: a failure part-way leaves the earlier batches done, and the callers read the platform
first and send only what is missing, so the retry carries on where the failure stopped.

Activation (GroupDnActivateListRequest): with the system's number activation mode "Group And User
Activation Enabled", a number assigned to a group stays inactive (it takes no calls) until it is
activated; with "Off" every assigned number is active at once (SystemNumberActivationGetRequest21,
`number_activation_mode`)."""

from collections.abc import Iterator
from typing import Any

from . import ocip
from .ocip import dn, is_true, numbers_in

DN_BATCH = 500
ACTIVATION_OFF = "Off"


def batches(numbers: list[str], size: int = DN_BATCH) -> Iterator[list[str]]:
    for start in range(0, len(numbers), size):
        yield numbers[start : start + size]


class NumberCalls:
    """Mixed into BroadWorksGateway, whose `_call` and `_group_call` send and record each request."""

    def _call(self, operation: str, target: str, requests: Any, *, not_found: bool = False) -> Any:
        raise NotImplementedError

    def _group_call(self, operation: str, request_class: Any, sp: str, group_id: str, **fields: Any) -> Any:
        raise NotImplementedError

    # -- the system's mode --------------------------------------------------------------------------
    def number_activation_mode(self) -> str:
        """ "Off", "User Activation Enabled" or "Group And User Activation Enabled": only in the last
        does a number assigned to a group wait, inactive, for GroupDnActivateListRequest."""
        c = ocip.load().c
        response = self._call("number_activation_mode", "system", c.SystemNumberActivationGetRequest21())
        return str(response.number_activation_mode)

    # -- the partner's pool (N1) --------------------------------------------------------------------
    def _pool_rows(self, operation: str, sp: str) -> list[dict[str, Any]]:
        c = ocip.load().c
        response = self._call(operation, sp, c.ServiceProviderDnGetSummaryListRequest(service_provider_id=sp))
        rows: list[dict[str, Any]] = response.dn_summary_table.to_dict()
        return rows

    def service_provider_numbers(self, sp: str) -> list[str]:
        """Every number on the partner's pool, whether a group has it or not."""
        rows = self._pool_rows("service_provider_numbers", sp)
        return sorted({n for row in rows for n in numbers_in(row.get("phone_numbers"))})

    def service_provider_number_holders(self, sp: str) -> dict[str, str | None]:
        """Every number on the partner's pool, and the group that has it (None: no group)."""
        rows = self._pool_rows("service_provider_number_holders", sp)
        return {n: row.get("group_id") or None for row in rows for n in numbers_in(row.get("phone_numbers"))}

    def add_numbers_to_service_provider(self, sp: str, numbers: list[str]) -> None:
        """N1: onto the partner's pool. A number already in any pool is refused, so ask first."""
        c = ocip.load().c
        for batch in batches(numbers):
            request = c.ServiceProviderDnAddListRequest(service_provider_id=sp, phone_number=[dn(n) for n in batch])
            self._call("add_numbers_to_service_provider", sp, request)

    def remove_numbers_from_service_provider(self, sp: str, numbers: list[str]) -> None:
        """Off the partner's pool (a cancelled port's numbers). BroadWorks refuses a number a group
        still has, so unassign it first; one no longer on the pool is refused too, so ask first."""
        c = ocip.load().c
        for batch in batches(numbers):
            request = c.ServiceProviderDnDeleteListRequest(service_provider_id=sp, phone_number=[dn(n) for n in batch])
            self._call("remove_numbers_from_service_provider", sp, request)

    # -- a group's numbers (N1, N2) -----------------------------------------------------------------
    def group_number_states(self, sp: str, group_id: str) -> dict[str, bool]:
        """Every number assigned to the group, and whether it is activated."""
        c = ocip.load().c
        response = self._group_call("group_number_states", c.GroupDnGetAssignmentListRequest18, sp, group_id)
        return {
            n: is_true(row.get("activated"))
            for row in response.dn_table.to_dict()
            for n in numbers_in(row.get("phone_numbers"))
        }

    def group_numbers(self, sp: str, group_id: str, *, activated_only: bool = True) -> list[str]:
        """The group's numbers that are assigned and activated. One assigned but not yet activated
        counts as missing, so assign_numbers (a no-op assign, then the activation) completes it.
        With `activated_only=False`, every number assigned to the group."""
        c = ocip.load().c
        response = self._group_call("group_numbers", c.GroupDnGetAssignmentListRequest18, sp, group_id)
        rows = response.dn_table.to_dict()
        return sorted(
            {
                n
                for row in rows
                if is_true(row.get("activated")) or not activated_only
                for n in numbers_in(row.get("phone_numbers"))
            }
        )

    def assign_numbers(self, sp: str, group_id: str, numbers: list[str], *, activate: bool = True) -> None:
        """N1, N2: from the partner's pool to the group, and activated: both requests in one document
        per batch, so a dropped reply leaves both done or neither. With `activate=False` (a port
        not yet complete), assigned only: inactive until `activate_numbers`."""
        c = ocip.load().c
        for batch in batches(numbers):
            key = {"service_provider_id": sp, "group_id": group_id, "phone_number": [dn(n) for n in batch]}
            requests = [c.GroupDnAssignListRequest(**key)]
            if activate:
                requests.append(c.GroupDnActivateListRequest(**key))
            self._call("assign_numbers", f"{sp}/{group_id}", requests)

    def activate_numbers(self, sp: str, group_id: str, numbers: list[str]) -> None:
        """Numbers the group has, activated: they take calls from now (the port's completion).
        BroadWorks refuses a number not assigned to the group; one already active is not an error."""
        c = ocip.load().c
        for batch in batches(numbers):
            request = c.GroupDnActivateListRequest(
                service_provider_id=sp, group_id=group_id, phone_number=[dn(n) for n in batch]
            )
            self._call("activate_numbers", f"{sp}/{group_id}", request)

    def unassign_numbers(self, sp: str, group_id: str, numbers: list[str]) -> None:
        """N1, N2: off the group, back to the partner's pool (BroadWorks keeps an unassigned number
        on the service provider). BroadWorks refuses the group's CLID (B1), its voice portal's number
        (V2) and a number a user has."""
        c = ocip.load().c
        for batch in batches(numbers):
            request = c.GroupDnUnassignListRequest(
                service_provider_id=sp, group_id=group_id, phone_number=[dn(n) for n in batch]
            )
            self._call("unassign_numbers", f"{sp}/{group_id}", request)
