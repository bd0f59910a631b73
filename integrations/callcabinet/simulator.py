"""Call Cabinet simulator (C1-C5) under `/api/v1`: reseller accounts and "Essential" customers.

No public partner API is known, so this whole contract is our own assumption (see README.md beside
this file). It mirrors the onboarding guide's "Add New Essential Customer" form: there is deliberately
no endpoint that creates any other kind of customer (C2).

    python -m integrations.callcabinet.simulator --host 127.0.0.1 --port 8603 --state var/sim/callcabinet.json
"""

import hmac
import os
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from integrations.simkit import (
    ApiError,
    Checks,
    FaultInjector,
    JsonState,
    argument_parser,
    faults_path_for,
    json_object,
    preload_resellers,
    reseller_routes,
    serve,
    simulator_app,
    utc_iso,
)

API_PREFIX = "/api/v1"
ESSENTIAL = "Essential"  # C2
REGISTRATION_SUCCESSFUL = "Registration Successful"  # C5
DEFAULT_API_KEY = "callcabinet-sim-key"
DEFAULT_WEB_BASE_URL = "https://recording.callcabinet.invalid"


def _empty_state() -> dict:
    return {"resellers": {}, "customers": {}, "next_customer_id": 1}


def web_url(base: str, provider_id: str, group_id: str) -> str:
    """C4: the Web URL "auto populates" from the provider and group IDs; this shape is our assumption."""
    return f"{base.rstrip('/')}/{quote(provider_id, safe='')}/{quote(group_id, safe='')}"


def create_app(
    *,
    state_path: Path,
    api_key: str = DEFAULT_API_KEY,
    web_base_url: str = DEFAULT_WEB_BASE_URL,
    clock: Callable[[], float] = time.time,
) -> Starlette:
    state = JsonState(state_path, _empty_state)
    injector = FaultInjector(faults_path_for(state_path))

    def api(handler):
        async def endpoint(request: Request):
            presented = request.headers.get("x-api-key", "")
            if not hmac.compare_digest(presented.encode(), api_key.encode()):
                raise ApiError(401, "unauthorized", "Send a valid X-Api-Key header")
            return await handler(request)

        return endpoint

    # C2-C5: the only way to create a customer.
    async def essential_customer_create(request: Request) -> JSONResponse:
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
        if provider_id and provider_id not in state.data["resellers"]:
            checks.fail("ProviderId", f"No reseller account for ProviderId {provider_id}; create the reseller first")
        checks.raise_if_any()
        for existing in state.data["customers"].values():
            if existing["DealerCode"] == dealer_code:
                raise ApiError(409, "duplicate", f"A customer with DealerCode {dealer_code} already exists")
            if existing["BroadWorksGroupId"] == group_id:
                raise ApiError(409, "duplicate", f"A customer for BroadWorksGroupId {group_id} already exists")
        customer_id = state.data["next_customer_id"]
        state.data["next_customer_id"] = customer_id + 1
        customer = {
            "Id": customer_id,
            "CustomerType": ESSENTIAL,
            "DealerCode": dealer_code,
            "BillingCode": billing_code,
            "BroadWorksGroupId": group_id,
            "ProviderId": provider_id,
            "WebUrl": web_url(web_base_url, provider_id, group_id),
            "AdminName": admin_name,
            "AdminEmail": admin_email,
            "TermsAccepted": True,
            "Status": REGISTRATION_SUCCESSFUL,
            "WelcomeEmailSentTo": admin_email,
            "CreatedAt": utc_iso(clock()),
        }
        state.data["customers"][str(customer_id)] = customer
        state.save()
        return JSONResponse(customer, status_code=201)

    async def customer_list(request: Request) -> JSONResponse:
        filters = {
            "BroadWorksGroupId": request.query_params.get("groupId"),
            "ProviderId": request.query_params.get("providerId"),
            "DealerCode": request.query_params.get("dealerCode"),
        }
        found = [
            customer
            for customer in state.data["customers"].values()
            if all(wanted is None or customer[field] == wanted for field, wanted in filters.items())
        ]
        return JSONResponse({"customers": found})

    async def customer_get(request: Request) -> JSONResponse:
        customer = state.data["customers"].get(str(request.path_params["customer_id"]))
        if customer is None:
            raise ApiError(404, "not_found", f"No customer {request.path_params['customer_id']}")
        return JSONResponse(customer)

    api_routes = [
        *reseller_routes(state, api, clock),
        Route("/customers/essential", api(essential_customer_create), methods=["POST"]),
        Route("/customers", api(customer_list), methods=["GET"]),
        Route("/customers/{customer_id:int}", api(customer_get), methods=["GET"]),
    ]
    return simulator_app(API_PREFIX, api_routes, state, injector)


def main(argv: list[str] | None = None) -> None:
    parser = argument_parser("callcabinet", "var/sim/callcabinet.json")
    parser.add_argument("--web-base-url", default=DEFAULT_WEB_BASE_URL, help="base of the derived WebUrl")
    args = parser.parse_args(argv)
    if args.preload_reseller:
        preload_resellers(JsonState(args.state, _empty_state), args.preload_reseller)
    app = create_app(
        state_path=args.state,
        api_key=os.environ.get("CALLCABINET_SIM_API_KEY", DEFAULT_API_KEY),
        web_base_url=args.web_base_url,
    )
    serve(app, host=args.host, port=args.port, log_level=args.log_level, label=f"Call Cabinet simulator ({args.state})")


if __name__ == "__main__":
    main()
