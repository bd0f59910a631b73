"""Escalations on the clock: a few open items at every state and level, made directly."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import Role
from escalations.models import Escalation, SlaPolicy


@pytest.fixture(autouse=True)
def fresh_figures():
    """The dashboard caches its figures under a data version: no test reads another's. (A bump,
    not cache.clear(): the cache may be a Redis database that others share.)"""
    from escalations.selectors import _bump_version

    _bump_version()


def make_escalation(world, *, policy_key="O1-order-confirmation", due_in, level=None, partner=None, owner=None, n=0):
    now = timezone.now()
    due = now + due_in
    return Escalation.objects.create(
        policy=SlaPolicy.objects.get(key=policy_key),
        subject_type="onboarding_order",
        subject_id=1000 + n,
        subject_label=f"Onboarding of ITEM{n:03d}",
        partner=partner or world.partner_b,
        owner=owner,
        started_at=due - timedelta(hours=48),
        at_risk_at=due - timedelta(hours=12),
        due_at=due,
        level=level,
        breached_at=due if level is not None else None,
    )


@pytest.fixture
def items(world):
    coordinator = world.user(Role.COORDINATOR)
    return [
        make_escalation(world, due_in=timedelta(hours=30), n=1),  # on track
        make_escalation(world, due_in=timedelta(hours=5), n=2, owner=coordinator),  # at risk
        make_escalation(world, due_in=-timedelta(hours=2), level=0, n=3, owner=coordinator),
        make_escalation(world, due_in=-timedelta(days=3), level=3, n=4, partner=world.partner_a),  # oldest
        make_escalation(world, policy_key="build-failed-or-stuck", due_in=-timedelta(hours=5), level=1, n=5),
    ]


def allocate_trainer(world, partner):
    """Give `partner` an onboarding order whose trainer is the world's trainer (O4)."""
    from onboarding.models import OnboardingOrder

    received = timezone.now() - timedelta(days=30)
    OnboardingOrder.objects.create(  # the history does not matter here, only the allocation
        partner=partner,
        signed_order_received_at=received,
        confirmation_due_at=OnboardingOrder.confirmation_due_for(received),
        trainer=world.user(Role.TRAINER),
    )
