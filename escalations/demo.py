"""Demo escalations for `manage.py seed_demo` (E2): open items at every state and level.

Each item is real work made through the portal's own services: four more demo partners whose
signed orders arrived long enough ago for their O1 confirmation to have breached and climbed to
levels 0, 1, 2 and 3; GLOBEX03's order (40 hours) is at risk and the other demo orders' stages
are on track. The evaluator then does what beat would do. One breach is acknowledged, so the
dashboard shows a held level. Safe to run again: existing partners and orders are left alone,
the evaluator is idempotent, and an acknowledged escalation is not acknowledged twice.
"""

from datetime import timedelta

from django.utils import timezone

from onboarding.services import onboarding_order_create
from partners.services import partner_create

from .models import Escalation
from .services import escalation_acknowledge, escalation_evaluate

# partner ID, name, contact, hours before seeding the signed order arrived (O1 is due at 48 h and
# climbs every 12 h by default: 50 h -> level 0, 63 h -> 1, 75 h -> 2, 100 h -> 3).
DEMO_LATE_ORDERS = [
    ("ECHO05", "Echo Communications", "Erin Cole", 50),
    ("FOXTROT06", "Foxtrot Voice Ltd", "Femi Adeyemi", 63),
    ("GOLF07", "Golf Networks", "Grace Lin", 75),
    ("HOTEL08", "Hotel Telecom plc", "Harry Shaw", 100),
]
ACKNOWLEDGED = "FOXTROT06"


def seed_escalations(*, partners: dict, staff: dict) -> list[tuple[str, str, str]]:
    """Returns (item, state, level) rows for the banner."""
    from partners.models import Partner

    for partner_id, name, contact, hours in DEMO_LATE_ORDERS:
        partner = Partner.objects.filter(partner_id=partner_id).first()
        if partner is None:
            first, last = contact.split()
            partner = partner_create(
                by=staff["admin"],
                partner_id=partner_id,
                name=name,
                contacts=[
                    {
                        "name": contact,
                        "role": "Primary",
                        "email": f"{first.lower()}.{last.lower()}@{partner_id.lower()}.invalid",
                        "phone": "020 7946 0050",
                    }
                ],
            )
        if not partner.onboarding_orders.exists():
            onboarding_order_create(
                by=staff["admin"],
                partner=partner,
                signed_order_received_at=timezone.now() - timedelta(hours=hours),
                note="Signed onboarding order received by email (demo data; not yet confirmed).",
            )
    escalation_evaluate()
    held = Escalation.objects.filter(
        partner__partner_id=ACKNOWLEDGED, closed_at__isnull=True, acknowledged_at__isnull=True, level__isnull=False
    ).first()
    if held is not None:
        escalation_acknowledge(
            by=staff["coordinator"], escalation=held, note="Spoke to the admin team; confirmation goes out today."
        )
    now = timezone.now()
    rows = Escalation.objects.filter(closed_at__isnull=True).select_related("policy").order_by("due_at")
    return [
        (
            e.subject_label,
            e.state_at(now).replace("_", " "),
            "" if e.level is None else f"level {e.level}{' (acknowledged)' if e.acknowledged_at else ''}",
        )
        for e in rows
    ]
