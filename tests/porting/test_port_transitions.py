"""Every (state, transition, role) of a port request: allowed, refused by state, refused by role,
refused for another partner. The expectations come from P1 and API.md, not from the model."""

import pytest
from django.core.exceptions import PermissionDenied
from django_fsm_log.models import StateLog

from accounts.choices import Role
from accounts.models import AuditEvent
from expoe_portal.transitions import TransitionRefused
from number_pool.models import Number
from porting import services
from porting.choices import PortStatus
from porting.models import PortRequest
from porting.selectors import port_request_transitions

from .walk import payload, port_in_state

pytestmark = pytest.mark.django_db

S = PortStatus
REQUESTERS = {Role.PARTNER_USER, Role.COORDINATOR, Role.PROVISIONING_ADMIN}
TEAM = {Role.COORDINATOR, Role.PROVISIONING_ADMIN}  # P1: the team records the carrier's events

# transition: (states it runs from, roles that may run it, state it leads to)
TABLE = {
    "submit": ({S.DRAFT}, REQUESTERS, S.SUBMITTED),
    "resubmit": ({S.REJECTED}, REQUESTERS, S.SUBMITTED),
    "accept": ({S.SUBMITTED}, TEAM, S.ACCEPTED),
    "reject": ({S.SUBMITTED}, TEAM, S.REJECTED),
    "cancel_by_losing_provider": ({S.ACCEPTED}, TEAM, S.DRAFT),
    "complete": ({S.ACCEPTED}, TEAM, S.COMPLETED),
    "cancel": ({S.DRAFT, S.SUBMITTED, S.ACCEPTED, S.REJECTED}, TEAM, S.CANCELLED),
}
ROLES = [Role.PROVISIONING_ADMIN, Role.COORDINATOR, Role.TRAINER, Role.MANAGER, Role.PARTNER_USER, "partner_b_user"]


def _snapshot(port_request):
    pr = PortRequest.objects.get(pk=port_request.pk)
    return (
        pr.status,
        pr.submitted_at,
        pr.submission_count,
        pr.accepted_on,
        pr.port_date,
        pr.lead_time_rule,
        pr.completed_on,
        pr.cancelled_at,
        pr.rejections.count(),
        StateLog.objects.for_(pr).count(),
        AuditEvent.objects.filter(target_type="porting.portrequest", target_id=str(pr.pk)).count(),
        sorted(Number.objects.filter(e164__in=pr.numbers).values_list("e164", "status")),
    )


@pytest.mark.parametrize("name", sorted(TABLE))
@pytest.mark.parametrize("state", list(S))
def test_P1_every_state_transition_and_role(world, state, name, mailoutbox):
    sources, roles, target = TABLE[name]
    port_request = port_in_state(world, state, signed_loa=True)
    before = _snapshot(port_request)
    allowed_from_here = state in sources
    for role in ROLES:
        user = world.user(role)
        if role in roles and allowed_from_here:
            continue
        if role not in roles and role != "partner_b_user":
            expected = PermissionDenied  # refused by role, whatever the state
        elif role == "partner_b_user":
            expected = PermissionDenied  # another partner's request (it is also out of their scope)
        else:
            expected = TransitionRefused  # right role, wrong state
        with pytest.raises(expected):
            services.port_request_transition(by=user, port_request=port_request, name=name, data=payload(name))
        assert _snapshot(port_request) == before, f"{role} was refused but the request changed"
        listed = [t["name"] for t in port_request_transitions(port_request=port_request, user=user)]
        assert name not in listed, f"{name} listed for {role} in {state}"

    if allowed_from_here:
        for role in roles:
            assert name in [
                t["name"] for t in port_request_transitions(port_request=port_request, user=world.user(role))
            ]
        runner = world.user(sorted(roles)[0])
        done = services.port_request_transition(by=runner, port_request=port_request, name=name, data=payload(name))
        assert done.status == target
        entry = StateLog.objects.for_(done).latest("timestamp")
        assert (entry.by, entry.transition, entry.source_state, entry.state) == (runner, name, state, target)
