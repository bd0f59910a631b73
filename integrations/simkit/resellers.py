"""K1 / C1: a partner's reseller account, the same small resource on both REST simulators, and its
demo preload (the account EXPO.e's onboarding, O2, would have made)."""

import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse

from .checks import ApiError, Checks, json_object, utc_iso
from .state import Document, JsonState


def _reseller(partner_id: str, name: str, email: str, created_at: float) -> Document:
    return {
        "PartnerId": partner_id,
        "Name": name,
        "Email": email,
        "WelcomeEmailSent": True,
        "CreatedAt": utc_iso(created_at),
    }


@dataclass
class Resellers:
    """`POST /resellers` and `GET /resellers/{partner_id}`, kept in `state.data["resellers"]`."""

    state: JsonState
    clock: Callable[[], float]

    async def create(self, request: Request) -> JSONResponse:
        checks = Checks(await json_object(request))
        partner_id = checks.text("PartnerId")
        name = checks.text("Name")
        email = checks.email("Email")
        checks.raise_if_any()
        if partner_id in self.state.data["resellers"]:
            raise ApiError(409, "duplicate", f"A reseller account for PartnerId {partner_id} already exists")
        reseller = _reseller(partner_id, name, email, self.clock())
        self.state.data["resellers"][partner_id] = reseller
        self.state.save()
        return JSONResponse(reseller, status_code=201)

    async def get(self, request: Request) -> JSONResponse:
        partner_id = request.path_params["partner_id"]
        reseller = self.state.data["resellers"].get(partner_id)
        if reseller is None:
            raise ApiError(404, "not_found", f"No reseller account for PartnerId {partner_id}")
        return JSONResponse(reseller)


def preload_resellers(state: JsonState, partner_ids: list[str], clock: Callable[[], float] = time.time) -> None:
    """Add any missing reseller accounts, as EXPO.e's onboarding (O2) would have."""
    for partner_id in partner_ids:
        email = f"ops@{partner_id.lower()}.invalid"
        state.data["resellers"].setdefault(partner_id, _reseller(partner_id, partner_id, email, clock()))
    state.save()


def check_reseller(checks: Checks, state: JsonState, field: str, partner_id: str, *, called: str) -> None:
    """K2 / C4: what is made for a partner's customer needs the partner's reseller account first."""
    if partner_id and partner_id not in state.data["resellers"]:
        checks.fail(field, f"No reseller account for {called} {partner_id}; create the reseller first")
