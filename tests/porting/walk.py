"""Build a port request in any state by running the real services as the right people."""

from accounts.choices import Role
from porting import documents, services
from porting.choices import PortStatus
from porting.models import PortRequest

_counter = iter(range(2500))


def complete_data(**overrides) -> dict:
    """Everything a GB analogue port needs (P3) and the risk acknowledgement (P7); numbers are
    fresh each time so that requests never clash in the pools."""
    first = next(_counter) * 4
    number = "+44113496{:04d}".format
    return {
        "country": "GB",
        "region": "ENG",
        "number_type": "analogue",
        "main_billing_number": number(first),
        "numbers": [number(first), {"first": number(first + 1), "last": number(first + 3)}],
        "registered_address": "1 High Street, London EC1A 1BB",
        "losing_provider": "BT",
        "range_holder": "BT Wholesale",
        "risks_acknowledged": True,
        **overrides,
    }


def payload(name) -> dict:
    if name == "reject":
        return {"code": "postcode_mismatch", "reason": "Postcode on the losing provider's record is EC1A 1BA"}
    if name in ("cancel", "cancel_by_losing_provider"):
        return {"reason": "Customer changed their mind"}
    return {}


def run(world, port_request, name, role=Role.COORDINATOR, **extra):
    data = {**payload(name), **extra}
    return services.port_request_transition(by=world.user(role), port_request=port_request, name=name, data=data)


def partner_user_of(world, partner):
    return world.user(Role.PARTNER_USER) if partner == world.partner_a else world.user("partner_b_user")


def sign_loa(world, port_request, *, by=None, address="203.0.113.7"):
    """The end customer signs the letter of authority online (P3, P6: GB requires it), collected by
    the partner's user, for what the request says now."""
    return documents.loa_sign_online(
        by=by or partner_user_of(world, port_request.partner),
        port_request=port_request,
        name="Alex Example",
        position="Office Manager",
        consent=True,
        address=address,
    )


def new_draft(world, partner=None, *, signed_loa=False, **overrides) -> PortRequest:
    """A complete draft; with its letter of authority signed too if `signed_loa` (GB: needed to submit)."""
    partner = partner or world.partner_a
    by = partner_user_of(world, partner)
    port_request = services.port_request_create(by=by, partner=partner, data=complete_data(**overrides))
    if signed_loa:
        sign_loa(world, port_request)
    return port_request


PATHS = {
    PortStatus.DRAFT: [],
    PortStatus.SUBMITTED: [("submit", Role.PARTNER_USER)],
    PortStatus.REJECTED: [("submit", Role.PARTNER_USER), ("reject", Role.COORDINATOR)],
    PortStatus.ACCEPTED: [("submit", Role.PARTNER_USER), ("accept", Role.COORDINATOR)],
    PortStatus.COMPLETED: [("submit", Role.PARTNER_USER), ("accept", Role.COORDINATOR), ("complete", Role.COORDINATOR)],
    PortStatus.CANCELLED: [("cancel", Role.COORDINATOR)],
}


def port_in_state(world, state, *, signed_loa=None, **overrides) -> PortRequest:
    """A request walked to `state`; its letter of authority is signed when the walk submits it (or
    when `signed_loa`), so a draft has only the documents a test adds."""
    if signed_loa is None:
        signed_loa = bool(PATHS[state]) and PATHS[state][0][0] == "submit"
    port_request = new_draft(world, signed_loa=signed_loa, **overrides)
    for name, role in PATHS[state]:
        port_request = run(world, port_request, name, role)
    assert port_request.status == state
    return PortRequest.objects.get(pk=port_request.pk)
