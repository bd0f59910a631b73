"""E2 (#18): a port the losing provider rejects twice goes up the matrix at once, starting at the
team leader (level 1); it stops when the port is accepted or cancelled. Rejections before the losing
provider's cancellation (P7, which restarts the process) do not count."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.choices import Role
from accounts.models import EscalationContact
from escalations.models import Escalation, SlaPolicy
from porting.choices import PortStatus
from porting.models import PortRejection, PortRequest
from tests.porting.walk import port_in_state, run

from .helpers import evaluate_at, open_escalation

pytestmark = pytest.mark.django_db


def rejected_twice(world):
    port = port_in_state(world, PortStatus.REJECTED)
    run(world, port, "resubmit", Role.PARTNER_USER)
    return run(world, port, "reject")


def test_E2_a_port_rejected_twice_escalates_to_the_team_leader_at_once(world, django_capture_on_commit_callbacks):
    policy = SlaPolicy.objects.get(key="port-rejected-twice")
    assert (policy.source, policy.breach_start_level) == ("port_rejected_twice", 1)
    once = port_in_state(world, PortStatus.REJECTED)
    port = rejected_twice(world)
    mail.outbox.clear()
    evaluate_at(timezone.now() + timedelta(minutes=1), django_capture_on_commit_callbacks)

    assert not Escalation.objects.filter(policy=policy, subject_id=once.pk).exists(), "one rejection is not enough"
    escalation = open_escalation("port-rejected-twice", port.pk)
    second = PortRejection.objects.filter(port_request=port).order_by("at").last()
    assert escalation.due_at == second.at and escalation.level == 1
    assert escalation.partner == world.partner_a
    assert escalation.subject_url == port.get_absolute_url()
    leader = EscalationContact.objects.get(level=1)
    assert [m.to for m in mail.outbox] == [[leader.email]], "the team leader is told once"

    # Resubmitted: still the same episode; accepted: resolved.
    run(world, port, "resubmit", Role.PARTNER_USER)
    evaluate_at(timezone.now() + timedelta(minutes=2), django_capture_on_commit_callbacks)
    assert open_escalation("port-rejected-twice", port.pk).pk == escalation.pk
    assert len(mail.outbox) == 1
    run(world, port, "accept")
    evaluate_at(timezone.now() + timedelta(minutes=3))
    escalation.refresh_from_db()
    assert escalation.closed_at is not None and escalation.close_reason == "resolved"


def test_E2_rejections_before_the_losing_providers_cancellation_do_not_count(world):
    port = rejected_twice(world)
    run(world, port, "resubmit", Role.PARTNER_USER)
    run(world, port, "accept")
    run(world, port, "cancel_by_losing_provider")  # P7: back to draft, the process restarts
    run(world, port, "submit", Role.PARTNER_USER)
    port = run(world, port, "reject")
    assert PortRequest.objects.get(pk=port.pk).rejection_count == 3
    evaluate_at(timezone.now() + timedelta(minutes=1))
    assert not Escalation.objects.filter(policy__key="port-rejected-twice", subject_id=port.pk).exists()
    run(world, port, "resubmit", Role.PARTNER_USER)
    run(world, port, "reject")
    evaluate_at(timezone.now() + timedelta(minutes=2))
    assert open_escalation("port-rejected-twice", port.pk).level == 1
