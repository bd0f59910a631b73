"""E2: two evaluators at the same moment (two beat schedulers, or a slow run overlapping the next)
notify each level exactly once. Real concurrency needs PostgreSQL: two threads, two connections."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connections
from django.utils import timezone

from accounts.choices import Role
from escalations import services
from escalations.models import Escalation, EscalationEvent
from expoe_portal.models import OutboundEmail
from onboarding.services import onboarding_order_create
from tests.services import require_postgresql


@pytest.mark.django_db(transaction=True)
def test_E2_two_evaluators_at_once_notify_each_level_once(world, monkeypatch):
    """Both threads read the same open items and the same breach at the same moment, then both
    insert the escalation and its level events. The unique constraints let one insert win; the
    other waits for it to commit, inserts nothing, and so queues no email."""
    require_postgresql()
    received = timezone.now() - timedelta(hours=48 + 13)  # breached 13 hours ago: levels 0 and 1
    order = onboarding_order_create(
        by=world.user(Role.PROVISIONING_ADMIN), partner=world.partner_b, signed_order_received_at=received
    )
    both_have_read = threading.Barrier(2, timeout=20)
    real_evaluate_policy = services._evaluate_policy

    def evaluate_policy_in_step(run, policy):
        if policy.key == "O1-order-confirmation":
            # Hold each run after it has read the open items until the other one has read them too.
            real_items = services.SOURCES[policy.source].open_items(policy, run.now)
            both_have_read.wait()
            assert real_items, "the breached order is an open item"
        return real_evaluate_policy(run, policy)

    monkeypatch.setattr(services, "_evaluate_policy", evaluate_policy_in_step)
    now = timezone.now()
    results, errors = [], []

    def evaluate():
        try:
            with time_machine.travel(now, tick=False):
                results.append(services.escalation_evaluate(now=now))
        except Exception as exc:  # reported below, with the thread's own error
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=evaluate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    escalation = Escalation.objects.get(policy__key="O1-order-confirmation", subject_id=order.pk)
    assert escalation.level == 1
    assert sorted(EscalationEvent.objects.filter(escalation=escalation).values_list("level", flat=True)) == [0, 1]
    o1_events = {str(pk) for pk in EscalationEvent.objects.filter(escalation=escalation).values_list("id", flat=True)}
    queued = list(OutboundEmail.objects.filter(kind="escalation.level").values_list("stamp_id", flat=True))
    assert sorted(e for e in queued if e in o1_events) == sorted(o1_events), "each level's email is queued once"
    assert len([e for e in queued if e in o1_events]) == 2
    assert sorted(len(r.events) for r in results) == [0, 2], "one run created both levels, the other none"
