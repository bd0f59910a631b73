"""Build an onboarding order in any state by running the real services as the right people."""

from datetime import timedelta

from django.utils import timezone

from accounts.choices import Role
from onboarding.choices import AccountPlatform, OrderStatus, TrainingPlatform
from onboarding.models import OnboardingOrder
from onboarding.services import onboarding_account_record, onboarding_order_create, onboarding_order_transition

# The happy path: each stage, the transition that reaches it, and who runs it.
PATH = [
    (OrderStatus.CONFIRMED, "confirm", Role.PROVISIONING_ADMIN),
    (OrderStatus.COORDINATOR_ASSIGNED, "assign_coordinator", Role.MANAGER),
    (OrderStatus.ACCOUNTS_CREATED, "complete_accounts", Role.COORDINATOR),
    (OrderStatus.KICKOFF_ARRANGED, "arrange_kickoff", Role.COORDINATOR),
    (OrderStatus.TRAINING, "record_training", Role.TRAINER),
    (OrderStatus.LIVE, "go_live", Role.COORDINATOR),
]


def payload(world, name, order=None):
    """Valid fields for one transition."""
    if name == "assign_coordinator":
        return {"coordinator": world.user(Role.COORDINATOR)}
    if name == "arrange_kickoff":
        return {"kickoff_at": timezone.now() + timedelta(days=3), "trainer": world.user(Role.TRAINER)}
    if name == "record_training":
        done = set(order.training_sessions.values_list("platform", flat=True)) if order else set()
        untrained = [p for p in TrainingPlatform.values if p not in done]
        return {"platform": untrained[0] if untrained else TrainingPlatform.AKIXI}
    if name in ("hold", "cancel"):
        return {"reason": "Partner asked us to wait"}
    return {}


def run(world, order, name, role, **extra):
    data = {**payload(world, name, order), **extra}
    return onboarding_order_transition(by=world.user(role), order=order, name=name, data=data)


def record_all_accounts(world, order):
    for platform in AccountPlatform.values:
        onboarding_account_record(
            by=world.user(Role.COORDINATOR), order=order, platform=platform, reference=f"{platform}-ref"
        )


def record_remaining_training(world, order):
    while order.training_outstanding():
        run(world, order, "record_training", Role.TRAINER)
        order = OnboardingOrder.objects.get(pk=order.pk)
    return order


def new_order(world, partner=None, received_at=None):
    return onboarding_order_create(
        by=world.user(Role.PROVISIONING_ADMIN),
        partner=partner or world.partner_b,
        signed_order_received_at=received_at or timezone.now() - timedelta(hours=1),
    )


def order_in_state(world, status, partner=None) -> OnboardingOrder:
    """An order of `partner` (default partner B) that has reached `status` along the happy path.

    On the way, the prerequisites of the next step are met: accounts recorded while a
    co-ordinator is assigned, one training session given when training starts."""
    order = new_order(world, partner)
    if status in (OrderStatus.ON_HOLD, OrderStatus.CANCELLED):
        name = "hold" if status == OrderStatus.ON_HOLD else "cancel"
        run(world, order, name, Role.PROVISIONING_ADMIN if name == "hold" else Role.MANAGER)
        return OnboardingOrder.objects.get(pk=order.pk)
    for _reached, name, role in PATH:
        if order.status == status:
            break
        if name == "complete_accounts":
            record_all_accounts(world, order)
        if name == "go_live":
            order = record_remaining_training(world, order)
        order = run(world, order, name, role)
    if order.status == OrderStatus.COORDINATOR_ASSIGNED:
        record_all_accounts(world, order)
    return OnboardingOrder.objects.get(pk=order.pk)
