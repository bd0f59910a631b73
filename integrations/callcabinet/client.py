"""The Call Cabinet gateway (C1-C5): what the build steps call on `platforms.callcabinet`.

No public partner API for Call Cabinet is known, so there are two modes (setting CALLCABINET_MODE):

- "api" (default): `CallCabinetGateway` speaks our own assumed REST contract (see README.md beside
  this file), served today by the simulator.
- "manual": `CallCabinetManualGateway` sends nothing. Creating a customer fails with the exact values
  the co-ordinator types into Call Cabinet; once they confirm with the customer reference, finding
  the customer returns it and the build step completes.

C2: the only way to create a customer is `add_essential_customer`; neither gateway has any other, and
the customer type is set here, never by the caller.

Settings (read with getattr): CALLCABINET_BASE_URL (e.g. http://127.0.0.1:8603/api/v1),
CALLCABINET_API_KEY, CALLCABINET_TIMEOUT (seconds), CALLCABINET_MODE ("api" | "manual"), and for
manual mode CALLCABINET_CONFIRMED_REFERENCE / CALLCABINET_CONFIRMED_RESELLER (dotted paths to the
portal's functions that say what co-ordinators confirmed; dotted, so this package imports no domain
app). To use the mode switch, point CALLCABINET_GATEWAY at
`integrations.callcabinet.client.callcabinet_gateway`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from integrations.base import PermanentError
from integrations.manual import ManualResellers, NotCheckedInManualMode, instructions, nothing_confirmed
from integrations.rest import Json, RestGateway, segment

ESSENTIAL = "Essential"  # C2
REGISTRATION_SUCCESSFUL = "Registration Successful"  # C5
CUSTOMERS_PATH = "/customers"  # GET ?groupId= (find), /{Id} (GET, DELETE)
CUSTOMER_ADMIN_PATH = "/customers/{customer_id}/admin"  # PUT {"AdminName", "AdminEmail"} (C5, #15)
MODE_API = "api"
MODE_MANUAL = "manual"


@dataclass(frozen=True, kw_only=True)
class EssentialCustomer:
    """C2-C5: what an Essential customer is made with, by the API or by a person. There is no
    customer type (always Essential, C2), no Web URL (Call Cabinet derives it, C4) and no terms
    flag (always accepted, C5): a caller cannot get them wrong."""

    dealer_code: str
    billing_code: str
    broadworks_group_id: str
    provider_id: str
    admin_name: str
    admin_email: str


class CallCabinetGateway(RestGateway):
    """Reseller accounts (C1: `reseller_exists`, `add_reseller`, from RestGateway) and Essential
    customers (C2-C5) over the assumed REST contract."""

    platform = "callcabinet"
    label = "Call Cabinet"
    setting_prefix = "CALLCABINET"
    default_base_url = "http://127.0.0.1:8603/api/v1"
    default_api_key = ""
    default_timeout = 30.0
    api_key_header = "X-Api-Key"

    # C2-C5 ---------------------------------------------------------------------------------------

    def _customer_for_group(self, group_id: str, operation: str) -> Json | None:
        customers = self._find_for_group(
            operation, "/customers", listed="customers", group_field="BroadWorksGroupId", group_id=group_id
        )
        if not customers:
            return None
        customer = customers[0]
        if len(customers) > 1 or customer.get("CustomerType", ESSENTIAL) != ESSENTIAL:
            kinds = ", ".join(f"{c.get('Id')} ({c.get('CustomerType', '?')})" for c in customers)
            raise PermanentError(
                f"Call Cabinet has customers {kinds} for group {group_id}; there must be exactly one, made with "
                "“Add New Essential Customer” (C2). Correct it in Call Cabinet, then retry."
            )
        return customer

    def find_customer(self, group_id: str) -> int | None:
        """The Id of the group's Essential customer, or None."""
        customer = self._customer_for_group(group_id, "find_customer")
        return customer["Id"] if customer else None

    def add_essential_customer(self, customer: EssentialCustomer) -> int:
        """C2-C5: "Add New Essential Customer" (the only kind this client can create), terms accepted;
        the Web URL is left to Call Cabinet (C4). Returns the customer Id. If the group already has an
        Essential customer with this provider and dealer code (our earlier attempt timed out after it
        was made), that one is returned; any other clash is refused."""
        body = {
            "CustomerType": ESSENTIAL,
            "DealerCode": customer.dealer_code,
            "BillingCode": customer.billing_code,
            "BroadWorksGroupId": customer.broadworks_group_id,
            "ProviderId": customer.provider_id,
            "AdminName": customer.admin_name,
            "AdminEmail": customer.admin_email,
            "TermsAccepted": True,
        }
        status, payload = self._request(
            "add_essential_customer",
            "POST",
            "/customers/essential",
            target=f"{customer.provider_id}/{customer.broadworks_group_id}",
            body=body,
            accept=(409,),
        )
        if status != 409:
            return payload["Id"]
        existing = self._customer_for_group(customer.broadworks_group_id, "find_customer")
        if (
            existing is not None
            and existing.get("ProviderId") == customer.provider_id
            and existing.get("DealerCode") == customer.dealer_code
        ):
            return existing["Id"]
        raise PermanentError(
            f"Call Cabinet: {payload.get('message') or 'duplicate customer'} (another customer already uses this "
            "dealer code or group ID); sort this out in Call Cabinet before retrying.",
            code="duplicate",
        )

    # After the build (#15): reconciliation reads, a change of administrator, decommissioning -------

    def customer(self, group_id: str) -> dict[str, Any] | None:
        """C2-C5 read back: the group's customer, whatever its type (reconciliation reports one that
        is not "Essential", C2), or None. Two customers for one group are refused: which is ours?"""
        customers = self._find_for_group(
            "customer", CUSTOMERS_PATH, listed="customers", group_field="BroadWorksGroupId", group_id=group_id
        )
        if len(customers) > 1:
            ids = ", ".join(str(c.get("Id")) for c in customers)
            raise PermanentError(f"Call Cabinet has customers {ids} for group {group_id}; there must be one (C2).")
        if not customers:
            return None
        found = customers[0]
        return {
            "customer_id": found.get("Id"),
            "customer_type": found.get("CustomerType"),
            "provider_id": found.get("ProviderId"),
            "group_id": found.get("BroadWorksGroupId"),
            "admin_name": found.get("AdminName"),
            "admin_email": found.get("AdminEmail"),
            "status": found.get("Status"),
        }

    def change_customer_admin(self, customer_id: int, *, name: str, email: str) -> None:
        """C5: another customer administrator (Call Cabinet sends them the welcome email). Reads
        first; an administrator already so is left alone (a repeat writes nothing)."""
        path = f"{CUSTOMERS_PATH}/{segment(customer_id)}"
        status, current = self._request("change_customer_admin", "GET", path, target=str(customer_id), accept=(404,))
        if status == 404:
            raise PermanentError(f"Call Cabinet has no customer {customer_id} (C5).", code="not_found")
        if (current.get("AdminName"), current.get("AdminEmail")) == (name, email):
            return
        self._request(
            "change_customer_admin",
            "PUT",
            CUSTOMER_ADMIN_PATH.format(customer_id=segment(customer_id)),
            target=str(customer_id),
            body={"AdminName": name, "AdminEmail": email},
        )

    def delete_customer(self, customer_id: int) -> None:
        """Decommissioning: the customer deleted. One already gone is done."""
        path = f"{CUSTOMERS_PATH}/{segment(customer_id)}"
        self._request("delete_customer", "DELETE", path, target=str(customer_id), accept=(404,))


# Manual mode ---------------------------------------------------------------------------------------


def _value(value: object) -> str:
    text = str(value or "").strip()
    return text or "(missing: complete the request first)"


def manual_instructions(customer: EssentialCustomer) -> list[str]:
    """What the co-ordinator does in Call Cabinet, one line per step, with the exact values (C2-C5)."""
    return [
        "In Call Cabinet choose “Add New Essential Customer” — never “Add New Customer” (C2).",
        f"Dealer Code: {_value(customer.dealer_code)}.",
        f"Billing Code: {_value(customer.billing_code)}.",
        f"BroadWorks Group ID: {_value(customer.broadworks_group_id)}.",
        f"Provider ID: {_value(customer.provider_id)} (the Web URL fills itself in).",
        f"Customer administrator: {_value(customer.admin_name)}, {_value(customer.admin_email)} "
        "(they get the welcome email).",
        "Accept the terms.",
        "Wait for “Registration Successful”.",
        "Then confirm here with the customer reference.",
    ]


def manual_change_admin_instructions(customer_id: object, *, name: str, email: str) -> list[str]:
    """C5 after the build: another customer administrator, by hand."""
    return [
        f"In Call Cabinet open customer {_value(customer_id)} (C5).",
        f"Customer administrator: {_value(name)}, {_value(email)} (they get the welcome email).",
        "Then confirm here.",
    ]


def manual_delete_instructions(customer_id: object) -> list[str]:
    return [f"In Call Cabinet delete customer {_value(customer_id)}.", "Then confirm here."]


def manual_reseller_instructions(*, partner_id: str, name: str, email: str) -> list[str]:
    """C1 by hand: the partner's reseller account."""
    return [
        f"In Call Cabinet create the reseller account for partner {_value(partner_id)} ({_value(name)}) (C1).",
        f"Welcome email to: {_value(email)}.",
        "Then confirm here.",
    ]


class CallCabinetManualGateway(ManualResellers):
    """The same methods as CallCabinetGateway, carried out by a person. Nothing is sent anywhere.

    `confirmed_reference(group_id)` returns the customer reference a co-ordinator has confirmed (or
    None); `confirmed_reseller(partner_id)` returns whether they confirmed the reseller account. Both
    default to "nothing confirmed yet" until the portal stores confirmations."""

    def __init__(
        self,
        *,
        confirmed_reference: Callable[[str], str | None] = nothing_confirmed,
        confirmed_reseller: Callable[[str], bool | None] = nothing_confirmed,
    ) -> None:
        super().__init__(confirmed_reseller=confirmed_reseller)
        self._confirmed_reference = confirmed_reference

    def reseller_instructions(self, *, partner_id: str, name: str, email: str) -> list[str]:
        return manual_reseller_instructions(partner_id=partner_id, name=name, email=email)

    def find_customer(self, group_id: str) -> str | None:
        reference = self._confirmed_reference(group_id)
        if reference is None:
            return None
        return str(reference).strip() or None

    def add_essential_customer(self, customer: EssentialCustomer) -> str:
        """Returns the confirmed reference if there is one; otherwise fails with the instructions."""
        confirmed = self.find_customer(customer.broadworks_group_id)
        if confirmed:
            return confirmed
        raise instructions(manual_instructions(customer))

    # After the build (#15): the writes are the co-ordinator's (the change records their
    # confirmation); what Call Cabinet holds is not checked in manual mode.
    def customer(self, group_id: str) -> dict[str, Any] | None:
        raise NotCheckedInManualMode("Call Cabinet", f"group {group_id}'s customer")

    def change_customer_admin(self, customer_id: int | str, *, name: str, email: str) -> None:
        raise instructions(manual_change_admin_instructions(customer_id, name=name, email=email))

    def delete_customer(self, customer_id: int | str) -> None:
        raise instructions(manual_delete_instructions(customer_id))


def callcabinet_gateway() -> CallCabinetGateway | CallCabinetManualGateway:
    """The gateway CALLCABINET_MODE asks for ("api" unless set)."""
    mode = str(getattr(settings, "CALLCABINET_MODE", MODE_API) or MODE_API).strip().lower()
    if mode == MODE_API:
        return CallCabinetGateway()
    if mode == MODE_MANUAL:
        # What co-ordinators confirmed is kept by the portal; the gateway only asks for it.
        return CallCabinetManualGateway(
            confirmed_reference=import_string(settings.CALLCABINET_CONFIRMED_REFERENCE),
            confirmed_reseller=import_string(settings.CALLCABINET_CONFIRMED_RESELLER),
        )
    raise PermanentError(f'CALLCABINET_MODE must be "{MODE_API}" or "{MODE_MANUAL}", not "{mode}".')
