"""Demo port requests for `manage.py seed_demo`: one per state, moved there through the real
services by the demo user whose role runs each step (so history, audit rows and emails are the
portal's own). Idempotent: a partner that already has port requests is left as it is."""

from django.db import transaction

from onboarding.models import CustomerGroup, Partner

from .choices import PortStatus
from .models import PortRequest
from .rules import load_porting_rules
from .services import port_request_create, port_request_transition, port_request_update

# status, numbers (first, count), losing provider, nation, the steps that lead there
DEMO_PORTS = [
    (PortStatus.DRAFT, ("0113 496 0500", 3), "Virgin Media", "ENG", []),
    (PortStatus.SUBMITTED, ("0113 496 0510", 5), "BT", "ENG", ["submit"]),
    (PortStatus.REJECTED, ("0131 496 0520", 2), "BT", "SCT", ["submit", "reject"]),
    (PortStatus.ACCEPTED, ("029 2018 0530", 10), "TalkTalk", "WLS", ["submit", "accept"]),
    (PortStatus.COMPLETED, ("028 9018 0540", 4), "BT", "NIR", ["submit", "accept", "complete"]),
    (PortStatus.CANCELLED, ("0113 496 0550", 1), "Gamma", "ENG", ["cancel"]),
]
STEP_DATA = {
    "reject": {"code": "postcode_mismatch", "reason": "The losing provider has EH2 2AQ for this address."},
    "cancel": {"reason": "The customer decided to keep their current provider."},
    "submit": {"note": "Letter of authority signed by the customer."},
    "accept": {"note": "Accepted by the losing provider."},
}


def _numbers(first: str, count: int) -> list[dict | str]:
    from expoe_portal.phone import normalise_e164

    start = normalise_e164(first)
    last = f"+{int(start[1:]) + count - 1}"
    return [{"first": start, "last": last}] if count > 1 else [start]


def seed_port_requests(*, partners: dict[str, Partner], staff: dict, partner_user) -> list[tuple[int, str]]:
    """ACME01's port requests in every state; returns (id, status) rows for the banner."""
    load_porting_rules()
    partner = partners["ACME01"]
    if PortRequest.objects.filter(partner=partner).exists():
        return list(PortRequest.objects.filter(partner=partner).order_by("pk").values_list("pk", "status"))
    coordinator = staff["coordinator"]
    group = CustomerGroup.objects.filter(partner=partner).order_by("group_id").first()
    with transaction.atomic():
        for status, (first, count), provider, region, steps in DEMO_PORTS:
            port_request = port_request_create(
                by=partner_user,
                partner=partner,
                data={
                    "country": "GB",
                    "region": region,
                    "number_type": "multi_line" if count > 3 else "analogue",
                    "main_billing_number": first,
                    "numbers": _numbers(first, count),
                    "registered_address": "Acme House, 1 Market Street, Leeds LS1 6DT",
                    "losing_provider": provider,
                    "range_holder": f"{provider} Wholesale",
                    "customer_group": group if status == PortStatus.COMPLETED else None,
                    "risks_acknowledged": status != PortStatus.DRAFT,
                },
            )
            for step in steps:
                by = partner_user if step == "submit" else coordinator
                port_request_transition(by=by, port_request=port_request, name=step, data=STEP_DATA.get(step, {}))
            if status == PortStatus.DRAFT:
                port_request_update(by=partner_user, port_request=port_request, data={"range_holder": ""})
    return list(PortRequest.objects.filter(partner=partner).order_by("pk").values_list("pk", "status"))
