"""Demo partners and their onboarding orders for `manage.py seed_demo`.

Every order is logged and moved on through the real services, as the demo user whose role runs
each step (never by writing status fields), so the demo's history, emails and audit trail are
what the portal itself would produce. Idempotent: a demo partner that already has an onboarding
order is left as it is.
"""

from datetime import timedelta

from django.utils import timezone

from partners.models import Partner
from partners.services import partner_update

from .choices import AccountPlatform, OrderStatus, TrainingPlatform
from .models import OnboardingOrder
from .services import onboarding_account_record, onboarding_order_create, onboarding_order_transition

# Partner ID -> (the stage its demo order is walked to, how many hours before seeding the signed
# order arrived). GLOBEX03's 40 hours put its O1 confirmation "at risk" (due at 48 hours; at risk
# in the last ONBOARDING_SLA_AT_RISK_HOURS), and it breaches if the demo is left unconfirmed.
DEMO_ORDERS = {
    "ACME01": (OrderStatus.LIVE, 30),
    "BETA02": (OrderStatus.KICKOFF_ARRANGED, 26),
    "GLOBEX03": (OrderStatus.RECEIVED, 40),
    "DELTA04": (OrderStatus.CONFIRMED, 20),
}

# The happy path: each transition, the stage it reaches and the demo user who runs it.
DEMO_PATH = [
    ("confirm", OrderStatus.CONFIRMED, "admin"),
    ("assign_coordinator", OrderStatus.COORDINATOR_ASSIGNED, "manager"),
    ("complete_accounts", OrderStatus.ACCOUNTS_CREATED, "coordinator"),
    ("arrange_kickoff", OrderStatus.KICKOFF_ARRANGED, "coordinator"),
    ("record_training", OrderStatus.TRAINING, "trainer"),
    ("go_live", OrderStatus.LIVE, "coordinator"),
]

ACCOUNT_REFERENCES = {
    AccountPlatform.BROADWORKS: "{partner_id}",
    AccountPlatform.AKIXI: "AKX-{partner_id}",
    AccountPlatform.CALLCABINET: "CC-{partner_id}",
}


def seed_orders(*, partners: dict[str, Partner], staff: dict) -> list[tuple[str, str]]:
    """Give each demo partner without an onboarding order one at its demo stage; return
    (partner ID, stage label) rows for the banner. `staff` maps demo usernames to users."""
    rows = []
    for partner_id, (target, hours_ago) in DEMO_ORDERS.items():
        partner = partners.get(partner_id)
        if partner is None:
            continue
        order = partner.onboarding_orders.order_by("-signed_order_received_at", "-id").first()
        if order is None:
            order = _seed_order(partner, target=target, hours_ago=hours_ago, staff=staff)
        rows.append((partner_id, order.get_status_display()))
    return rows


def _seed_order(partner: Partner, *, target: str, hours_ago: int, staff: dict) -> OnboardingOrder:
    if partner.live:
        # Loaded by an older seed_demo as live without an order: the service logs no order for a
        # live partner, so take it off live first and let the order's go-live put it back.
        partner = partner_update(by=staff["admin"], partner=partner, live=False)
    order = onboarding_order_create(
        by=staff["admin"],
        partner=partner,
        signed_order_received_at=timezone.now() - timedelta(hours=hours_ago),
        note="Signed onboarding order received by email (demo data).",
    )
    for name, _reaches, username in DEMO_PATH:
        if order.status == target:
            break
        by = staff[username]
        if name == "complete_accounts":
            _record_accounts(order, by=by)
        if name == "record_training":
            order = _record_training(order, by=by)
            continue
        order = onboarding_order_transition(
            by=by, order=order, name=name, data=_step_data(name, target=target, staff=staff)
        )
    return OnboardingOrder.objects.get(pk=order.pk)


def _step_data(name: str, *, target: str, staff: dict) -> dict:
    if name == "assign_coordinator":
        return {"coordinator": staff["coordinator"], "note": "Colin takes this one."}
    if name == "arrange_kickoff":
        now = timezone.localtime().replace(second=0, microsecond=0)
        if target == OrderStatus.KICKOFF_ARRANGED:
            # Still ahead: three days from now at 10:00.
            kickoff_at = (now + timedelta(days=3)).replace(hour=10, minute=0)
        else:
            kickoff_at = now  # the demo walks straight through it
        return {
            "kickoff_at": kickoff_at,
            "trainer": staff["trainer"],
            "note": "Kickoff call on Teams.",
            "note_for_partner": True,
        }
    if name == "go_live":
        return {"note": "Platform access enabled; the partner can build customers.", "note_for_partner": True}
    return {}


def _record_accounts(order: OnboardingOrder, *, by) -> None:
    """O2: the co-ordinator records the three partner accounts (K1, C1)."""
    for platform, reference in ACCOUNT_REFERENCES.items():
        onboarding_account_record(
            by=by,
            order=order,
            platform=platform,
            reference=reference.format(partner_id=order.partner.partner_id),
        )


def _record_training(order: OnboardingOrder, *, by) -> OnboardingOrder:
    """O5: one session per platform, each given today."""
    for platform in TrainingPlatform.values:
        order = onboarding_order_transition(
            by=by,
            order=order,
            name="record_training",
            data={"platform": platform, "held_on": timezone.localdate(), "note": "Demo session."},
        )
    return order
