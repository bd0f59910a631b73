"""Two people (or one double click) running the same transition at the same moment: one wins,
the other is told the order changed, and nothing runs twice."""

import threading

import pytest
from django.db import connections
from django_fsm_log.models import StateLog

from accounts.choices import Role
from expoe_portal.models import OutboundEmail
from expoe_portal.transitions import TransitionConflict
from onboarding.choices import OrderStatus
from onboarding.models import OnboardingOrder
from onboarding.services import ORDER_TRANSITIONS, onboarding_order_transition
from tests.services import require_postgresql

from .walk import order_in_state


@pytest.mark.django_db(transaction=True)
def test_two_connections_confirm_the_same_order_at_once_one_wins(world, monkeypatch):
    """Real concurrency on PostgreSQL: each thread has its own database connection; both read the
    order as "received", then both try to confirm it. The loser's UPDATE waits for the winner's
    row lock and then finds the state changed (django-fsm's ConcurrentTransitionMixin)."""
    require_postgresql()
    order = order_in_state(world, OrderStatus.RECEIVED)
    admin = world.user(Role.PROVISIONING_ADMIN)
    both_have_read = threading.Barrier(2, timeout=20)

    # Hold each run between reading the order and saving it until both have read it.
    real_kwargs = ORDER_TRANSITIONS["confirm"]

    def wait_for_the_other(order_, data):
        both_have_read.wait()
        return real_kwargs(order_, data)

    monkeypatch.setitem(ORDER_TRANSITIONS, "confirm", wait_for_the_other)
    outcomes = []

    def confirm():
        try:
            onboarding_order_transition(by=admin, order=order, name="confirm")
            outcomes.append("won")
        except TransitionConflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["conflict", "won"]
    order = OnboardingOrder.objects.get(pk=order.pk)
    assert order.status == OrderStatus.CONFIRMED
    assert StateLog.objects.for_(order).filter(transition="confirm").count() == 1
    emails = OutboundEmail.objects.filter(kind="onboarding.confirmation", stamp_id=str(order.pk))
    assert emails.count() == 1, "the confirmation email is queued once"


@pytest.mark.django_db
def test_double_click_on_a_page_runs_the_transition_once(client, world):
    order = order_in_state(world, OrderStatus.RECEIVED)
    client.force_login(world.user(Role.PROVISIONING_ADMIN))
    form = {"confirm-expected_status": "received", "confirm-note": ""}
    first = client.post(f"/onboarding/{order.pk}/transitions/confirm/", form, follow=True)
    second = client.post(f"/onboarding/{order.pk}/transitions/confirm/", form, follow=True)
    assert "Done: Send order confirmation." in first.content.decode()
    assert "This order was changed by someone else" in second.content.decode()
    assert StateLog.objects.for_(order).filter(transition="confirm").count() == 1


@pytest.mark.django_db
def test_two_users_on_a_stale_page_the_second_is_told(client, world):
    order = order_in_state(world, OrderStatus.RECEIVED)
    onboarding_order_transition(by=world.user(Role.MANAGER), order=order, name="hold", data={"reason": "x"})
    client.force_login(world.user(Role.PROVISIONING_ADMIN))
    response = client.post(
        f"/onboarding/{order.pk}/transitions/cancel/",
        {"cancel-expected_status": "received", "cancel-reason": "dup"},
        follow=True,
    )
    assert "This order was changed by someone else" in response.content.decode()
    assert OnboardingOrder.objects.get(pk=order.pk).status == OrderStatus.ON_HOLD
