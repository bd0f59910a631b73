"""Every (state, transition, role) of the onboarding order: allowed, refused by state, refused by
role. The expectations are written from the guide (O1-O6), not read from the model."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_fsm_log.models import StateLog

from accounts.choices import Role
from expoe_portal.transitions import TransitionRefused
from onboarding.choices import OrderStatus
from onboarding.models import OnboardingOrder
from onboarding.services import (
    onboarding_account_record,
    onboarding_order_create,
    onboarding_order_transition,
)

from .walk import order_in_state, payload, record_remaining_training

pytestmark = pytest.mark.django_db

S = OrderStatus
OPEN_STAGES = {
    S.RECEIVED,
    S.CONFIRMED,
    S.COORDINATOR_ASSIGNED,
    S.ACCOUNTS_CREATED,
    S.KICKOFF_ARRANGED,
    S.TRAINING,
}

# transition: (states it runs from, roles that may run it, state it leads to)
TABLE = {
    "confirm": ({S.RECEIVED}, {Role.PROVISIONING_ADMIN}, S.CONFIRMED),  # O1
    "assign_coordinator": (
        {S.CONFIRMED},
        {Role.PROVISIONING_ADMIN, Role.MANAGER},
        S.COORDINATOR_ASSIGNED,
    ),  # O2
    "complete_accounts": ({S.COORDINATOR_ASSIGNED}, {Role.COORDINATOR}, S.ACCOUNTS_CREATED),  # O2
    "arrange_kickoff": ({S.ACCOUNTS_CREATED}, {Role.COORDINATOR}, S.KICKOFF_ARRANGED),  # O4
    "record_training": ({S.KICKOFF_ARRANGED, S.TRAINING}, {Role.TRAINER}, S.TRAINING),  # O5
    "go_live": ({S.TRAINING}, {Role.COORDINATOR}, S.LIVE),  # O6
    "hold": (OPEN_STAGES, {Role.PROVISIONING_ADMIN, Role.MANAGER, Role.COORDINATOR}, S.ON_HOLD),
    "resume": ({S.ON_HOLD}, {Role.PROVISIONING_ADMIN, Role.MANAGER, Role.COORDINATOR}, None),
    "cancel": (OPEN_STAGES | {S.ON_HOLD}, {Role.PROVISIONING_ADMIN, Role.MANAGER}, S.CANCELLED),
}
ROLES = [Role.PROVISIONING_ADMIN, Role.COORDINATOR, Role.TRAINER, Role.MANAGER, Role.PARTNER_USER]


def _snapshot(order):
    order = OnboardingOrder.objects.get(pk=order.pk)
    return (
        order.status,
        order.confirmed_at,
        order.coordinator_id,
        order.trainer_id,
        order.kickoff_at,
        order.hold_reason,
        order.cancel_reason,
        order.training_sessions.count(),
        StateLog.objects.for_(order).count(),
    )


@pytest.mark.parametrize("name", sorted(TABLE))
@pytest.mark.parametrize("state", list(S))
def test_O1_to_O6_every_state_transition_and_role(world, state, name):
    sources, roles, target = TABLE[name]
    order = order_in_state(world, state)
    if name == "go_live" and state == S.TRAINING:
        order = record_remaining_training(world, order)
    before = _snapshot(order)
    allowed_from_here = state in sources

    # A co-ordinator acts only on the order they own: none is assigned before O2.
    may = {r for r in roles if r != Role.COORDINATOR or order.coordinator_id}
    for role in ROLES:
        if role in may and allowed_from_here:
            continue
        user = world.user(role)
        if role not in roles:
            expected = PermissionDenied  # refused by role
        elif not allowed_from_here:
            expected = TransitionRefused  # refused by state
        else:
            expected = PermissionDenied  # not the order's own co-ordinator
        with pytest.raises(expected):
            onboarding_order_transition(by=user, order=order, name=name, data=payload(world, name, order))
        assert _snapshot(order) == before, f"{role} refused but the order changed"
        listed = [t["name"] for t in services_listing(order, user)]
        assert name not in listed, f"{name} listed for {role} in {state}"

    if allowed_from_here:
        for role in may:
            assert name in [t["name"] for t in services_listing(order, world.user(role))]
        runner = world.user(sorted(may)[0])
        done = onboarding_order_transition(by=runner, order=order, name=name, data=payload(world, name, order))
        assert done.status == (target or (order.held_from if name == "resume" else None))
        assert StateLog.objects.for_(done).latest("timestamp").by == runner


def services_listing(order, user):
    from onboarding.selectors import onboarding_order_transitions

    return onboarding_order_transitions(order=OnboardingOrder.objects.get(pk=order.pk), user=user)


def test_O2_only_the_orders_own_coordinator_moves_it(world):
    from tests.factories import UserFactory

    order = order_in_state(world, S.COORDINATOR_ASSIGNED)
    other = UserFactory(username="other_coordinator", role=Role.COORDINATOR)
    with pytest.raises(PermissionDenied):
        onboarding_order_transition(by=other, order=order, name="complete_accounts")
    assert OnboardingOrder.objects.get(pk=order.pk).status == S.COORDINATOR_ASSIGNED


def test_O2_accounts_must_all_be_recorded_before_the_stage_completes(world):
    from .walk import new_order, run

    order = new_order(world)
    for name, role in [("confirm", Role.PROVISIONING_ADMIN), ("assign_coordinator", Role.MANAGER)]:
        order = run(world, order, name, role)
    onboarding_account_record(by=world.user(Role.COORDINATOR), order=order, platform="akixi", reference="AK-1")
    with pytest.raises(ValidationError) as exc:
        onboarding_order_transition(by=world.user(Role.COORDINATOR), order=order, name="complete_accounts")
    message = exc.value.messages[0]
    assert "BroadWorks service provider and clone group" in message and "Call Cabinet reseller account" in message
    assert "Akixi" not in message
    assert OnboardingOrder.objects.get(pk=order.pk).status == S.COORDINATOR_ASSIGNED


def test_O2_account_record_keeps_reference_who_and_when(world):
    order = order_in_state(world, S.COORDINATOR_ASSIGNED)
    account = order.accounts.get(platform="broadworks")
    assert account.status == "done" and account.reference == "broadworks-ref"
    assert account.completed_by == world.user(Role.COORDINATOR) and account.completed_at is not None


def test_O2_accounts_cannot_be_recorded_by_others_or_at_other_stages(world):
    order = order_in_state(world, S.CONFIRMED)
    with pytest.raises(PermissionDenied):
        onboarding_account_record(by=world.user(Role.MANAGER), order=order, platform="akixi", reference="x")
    later = order_in_state(world, S.ACCOUNTS_CREATED, partner=_fresh_partner())
    with pytest.raises(TransitionRefused):
        onboarding_account_record(by=world.user(Role.COORDINATOR), order=later, platform="akixi", reference="changed")
    assert later.accounts.get(platform="akixi").reference == "akixi-ref"


def _fresh_partner():
    from tests.factories import PartnerContactFactory, PartnerFactory

    partner = PartnerFactory()
    PartnerContactFactory(partner=partner)
    return partner


@pytest.mark.parametrize(("missing", "message"), [("kickoff_at", "kickoff call"), ("trainer", "trainer")])
def test_O4_kickoff_needs_both_date_and_trainer(world, missing, message):
    order = order_in_state(world, S.ACCOUNTS_CREATED)
    data = payload(world, "arrange_kickoff")
    data.pop(missing)
    with pytest.raises(ValidationError) as exc:
        onboarding_order_transition(by=world.user(Role.COORDINATOR), order=order, name="arrange_kickoff", data=data)
    assert message in exc.value.message_dict[missing][0]
    assert OnboardingOrder.objects.get(pk=order.pk).status == S.ACCOUNTS_CREATED


def test_O4_the_allocated_trainer_must_be_a_trainer(world):
    order = order_in_state(world, S.ACCOUNTS_CREATED)
    data = {**payload(world, "arrange_kickoff"), "trainer": world.user(Role.MANAGER)}
    with pytest.raises(ValidationError) as exc:
        onboarding_order_transition(by=world.user(Role.COORDINATOR), order=order, name="arrange_kickoff", data=data)
    assert "is not an active trainer" in exc.value.message_dict["trainer"][0]


def test_O5_each_platform_is_trained_once_and_go_live_waits_for_all(world):
    order = order_in_state(world, S.TRAINING)
    trained = order.training_sessions.get().platform
    with pytest.raises(ValidationError) as exc:
        onboarding_order_transition(
            by=world.user(Role.TRAINER), order=order, name="record_training", data={"platform": trained}
        )
    assert "already recorded" in exc.value.message_dict["platform"][0]
    with pytest.raises(ValidationError) as exc:
        onboarding_order_transition(by=world.user(Role.COORDINATOR), order=order, name="go_live")
    assert "Training still to be given (O5)" in exc.value.messages[0]


def test_O5_only_the_allocated_trainer_records_training(world):
    from tests.factories import UserFactory

    order = order_in_state(world, S.KICKOFF_ARRANGED)
    other_trainer = UserFactory(username="other_trainer", role=Role.TRAINER)
    with pytest.raises(PermissionDenied):
        onboarding_order_transition(by=other_trainer, order=order, name="record_training", data={"platform": "akixi"})


def test_O6_go_live_makes_the_partner_live(world):
    order = record_remaining_training(world, order_in_state(world, S.TRAINING))
    onboarding_order_transition(by=world.user(Role.COORDINATOR), order=order, name="go_live")
    world.partner_b.refresh_from_db()
    assert world.partner_b.live is True
    assert world.partner_b.onboarding_status == "live"


@pytest.mark.parametrize("stage", sorted(OPEN_STAGES))
def test_hold_and_resume_return_to_the_stage_left(world, stage):
    order = order_in_state(world, stage)
    held = onboarding_order_transition(
        by=world.user(Role.MANAGER), order=order, name="hold", data={"reason": "Awaiting partner's paperwork"}
    )
    assert (held.status, held.held_from, held.hold_reason) == (
        S.ON_HOLD,
        stage,
        "Awaiting partner's paperwork",
    )
    resumed = onboarding_order_transition(by=world.user(Role.MANAGER), order=held, name="resume")
    assert (resumed.status, resumed.held_from, resumed.hold_reason) == (stage, "", "")


@pytest.mark.parametrize("name", ["hold", "cancel"])
def test_hold_and_cancel_need_a_reason(world, name):
    order = order_in_state(world, S.CONFIRMED)
    with pytest.raises(ValidationError) as exc:
        onboarding_order_transition(by=world.user(Role.MANAGER), order=order, name=name, data={"reason": " "})
    assert exc.value.message_dict["reason"]
    assert OnboardingOrder.objects.get(pk=order.pk).status == S.CONFIRMED


def test_history_records_who_when_from_to_and_the_note(world):
    order = order_in_state(world, S.RECEIVED)
    onboarding_order_transition(
        by=world.user(Role.PROVISIONING_ADMIN), order=order, name="confirm", data={"note": "Sent by email"}
    )
    rows = list(
        StateLog.objects.for_(order)
        .order_by("timestamp", "id")
        .values_list("source_state", "state", "transition", "by__username", "description")
    )
    assert rows == [
        (None, "received", "log_signed_order", "provisioning_admin", None),
        ("received", "confirmed", "confirm", "provisioning_admin", "Sent by email"),
    ]


def test_one_open_order_per_partner(world):
    order_in_state(world, S.RECEIVED)
    with pytest.raises(ValidationError) as exc:
        order_in_state(world, S.RECEIVED)
    assert "already has an open onboarding order" in exc.value.message_dict["partner"][0]


def test_a_live_partner_gets_no_new_order(world):
    from .walk import new_order

    with pytest.raises(ValidationError) as exc:
        new_order(world, partner=world.partner_a)
    assert "already live" in exc.value.message_dict["partner"][0]


def test_only_administrators_log_signed_orders(world):
    from django.utils import timezone

    for role in (Role.COORDINATOR, Role.TRAINER, Role.MANAGER, Role.PARTNER_USER):
        with pytest.raises(PermissionDenied):
            onboarding_order_create(
                by=world.user(role), partner=world.partner_b, signed_order_received_at=timezone.now()
            )
    assert not OnboardingOrder.objects.exists()


def test_O1_a_signed_order_cannot_arrive_in_the_future(world):
    from datetime import timedelta

    from django.utils import timezone

    with pytest.raises(ValidationError) as exc:
        onboarding_order_create(
            by=world.user(Role.PROVISIONING_ADMIN),
            partner=world.partner_b,
            signed_order_received_at=timezone.now() + timedelta(hours=1),
        )
    assert "future" in exc.value.message_dict["signed_order_received_at"][0]


def test_O1_to_O6_the_typed_services_walk_an_order_to_go_live_and_hold_and_resume_it(world):
    """Each transition is also a typed use case with keyword-only arguments (issue #12)."""
    from datetime import timedelta

    from django.utils import timezone

    from onboarding import services
    from onboarding.choices import TrainingPlatform

    from .walk import new_order, record_all_accounts

    order = new_order(world)
    coordinator = world.user(Role.COORDINATOR)
    order = services.onboarding_order_confirm(by=world.user(Role.PROVISIONING_ADMIN), order=order)
    order = services.onboarding_order_assign_coordinator(
        by=world.user(Role.MANAGER), order=order, coordinator=coordinator
    )
    order = services.onboarding_order_hold(by=coordinator, order=order, reason="Partner asked us to wait")
    assert order.status == OrderStatus.ON_HOLD
    order = services.onboarding_order_resume(by=coordinator, order=order)
    assert order.status == OrderStatus.COORDINATOR_ASSIGNED
    record_all_accounts(world, order)
    order = services.onboarding_order_complete_accounts(by=coordinator, order=order)
    order = services.onboarding_order_arrange_kickoff(
        by=coordinator, order=order, kickoff_at=timezone.now() + timedelta(days=3), trainer=world.user(Role.TRAINER)
    )
    for platform in TrainingPlatform.values:
        order = services.onboarding_order_record_training(by=world.user(Role.TRAINER), order=order, platform=platform)
    order = services.onboarding_order_go_live(by=coordinator, order=order)
    assert order.status == OrderStatus.LIVE and order.partner.live


def test_O1_the_typed_cancel_needs_its_reason(world):
    from onboarding import services

    from .walk import new_order

    with pytest.raises(ValidationError, match="Say why the order is cancelled"):
        services.onboarding_order_cancel(by=world.user(Role.PROVISIONING_ADMIN), order=new_order(world), reason=" ")


def test_O3_the_guide_skips_step_3_so_accounts_created_leads_straight_to_the_kickoff_O4(world):
    from onboarding.choices import ORDER_STAGES

    stages = [stage.value for stage in ORDER_STAGES]
    assert stages[stages.index("accounts_created") + 1] == "kickoff_arranged"
    assert len(stages) == 7, "received, O1 confirmed, co-ordinator, O2 accounts, O4 kickoff, O5 training, O6 live"
