"""What each Call Cabinet endpoint does: "Essential" customers (C2-C5), under `/api/v1`, behind the
API key (see server.py). Reseller accounts (C1) are the shared `integrations.simkit.resellers`.

There is deliberately no endpoint that creates any other kind of customer (C2).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from integrations.simkit.checks import ApiError, Checks, json_object, utc_iso
from integrations.simkit.resellers import check_reseller
from integrations.simkit.state import JsonState

API_PREFIX = "/api/v1"
ESSENTIAL = "Essential"  # C2
REGISTRATION_SUCCESSFUL = "Registration Successful"  # C5


def web_url(base: str, provider_id: str, group_id: str) -> str:
    """C4: the Web URL "auto populates" from the provider and group IDs; this shape is our assumption."""
    return f"{base.rstrip('/')}/{quote(provider_id, safe='')}/{quote(group_id, safe='')}"


@dataclass
class Customers:
    """C2-C5: Essential customers, the only kind this platform is asked to make; `web_base_url` is
    where their Web URL is derived from (C4)."""

    state: JsonState
    clock: Callable[[], float]
    web_base_url: str

    # C2-C5: the only way to create a customer.
    async def create_essential(self, request: Request) -> JSONResponse:
        body = await json_object(request)
        checks = Checks(body)
        if body.get("CustomerType", ESSENTIAL) != ESSENTIAL:
            checks.fail("CustomerType", f'Only "{ESSENTIAL}" customers can be created here')
        dealer_code = checks.text("DealerCode")  # C3
        billing_code = checks.text("BillingCode")  # C3
        group_id = checks.text("BroadWorksGroupId")  # C4
        provider_id = checks.text("ProviderId")  # C4
        checks.absent("WebUrl", "it is derived from ProviderId and BroadWorksGroupId")  # C4
        admin_name = checks.text("AdminName")  # C5
        admin_email = checks.email("AdminEmail")  # C5
        checks.true("TermsAccepted")  # C5
        check_reseller(checks, self.state, "ProviderId", provider_id, called="ProviderId")
        checks.raise_if_any()
        for existing in self.state.data["customers"].values():
            if existing["DealerCode"] == dealer_code:
                raise ApiError(409, "duplicate", f"A customer with DealerCode {dealer_code} already exists")
            if existing["BroadWorksGroupId"] == group_id:
                raise ApiError(409, "duplicate", f"A customer for BroadWorksGroupId {group_id} already exists")
        customer_id = self.state.next_id("next_customer_id")
        customer = {
            "Id": customer_id,
            "CustomerType": ESSENTIAL,
            "DealerCode": dealer_code,
            "BillingCode": billing_code,
            "BroadWorksGroupId": group_id,
            "ProviderId": provider_id,
            "WebUrl": web_url(self.web_base_url, provider_id, group_id),
            "AdminName": admin_name,
            "AdminEmail": admin_email,
            "TermsAccepted": True,
            "Status": REGISTRATION_SUCCESSFUL,
            "WelcomeEmailSentTo": admin_email,
            "CreatedAt": utc_iso(self.clock()),
        }
        self.state.data["customers"][str(customer_id)] = customer
        self.state.save()
        return JSONResponse(customer, status_code=201)

    async def find(self, request: Request) -> JSONResponse:
        filters = {
            "BroadWorksGroupId": request.query_params.get("groupId"),
            "ProviderId": request.query_params.get("providerId"),
            "DealerCode": request.query_params.get("dealerCode"),
        }
        found = [
            customer
            for customer in self.state.data["customers"].values()
            if all(wanted is None or customer[field] == wanted for field, wanted in filters.items())
        ]
        return JSONResponse({"customers": found})

    def _customer(self, request: Request) -> dict[str, Any]:
        customer: dict[str, Any] | None = self.state.data["customers"].get(str(request.path_params["customer_id"]))
        if customer is None:
            raise ApiError(404, "not_found", f"No customer {request.path_params['customer_id']}")
        return customer

    async def get(self, request: Request) -> JSONResponse:
        return JSONResponse(self._customer(request))

    # C5 after the build (#15): another customer administrator, who gets the welcome email.
    async def change_admin(self, request: Request) -> JSONResponse:
        customer = self._customer(request)
        checks = Checks(await json_object(request))
        name, email = checks.text("AdminName"), checks.email("AdminEmail")
        checks.raise_if_any()
        customer.update(AdminName=name, AdminEmail=email, WelcomeEmailSentTo=email)
        self.state.save()
        return JSONResponse(customer)

    async def delete(self, request: Request) -> Response:
        """Decommissioning (#15): the customer removed."""
        customer = self._customer(request)
        del self.state.data["customers"][str(customer["Id"])]
        self.state.save()
        return Response(status_code=204)
