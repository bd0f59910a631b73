"""The ported numbers on BroadWorks, ready before the port date and live when the port completes
(N1, port-day readiness, #18).

What BroadWorks should hold follows the request's status:
- accepted: the numbers on the partner's pool and, when the named customer group is on BroadWorks
  already, assigned to it, inactive: they take no calls until the port happens;
- completed: the same, activated (GroupDnActivateListRequest), so service starts with the port;
- anything else (cancelled, or back to draft after the losing provider cancelled, P7): none of
  it; what an earlier acceptance set up is taken off the group and the pool again.
A group still to be built gets the numbers from its own build, which assigns every number of the
group. Where the platform does not use number activation (mode "Off"), an assigned number is live
at once, so before completion the numbers only go onto the pool.

The step is durable work (expoe_portal.work): each of those transitions marks it due; a run claims
it (a lease its heartbeat renews), reads the platform first and sends only what is missing, so a
redelivered task, a retry and the sweeper never send a number twice. A run records its outcome only
if the request's status is still the one it worked for; otherwise it runs again for the new one.
Transient errors are retried with backoff; a refusal marks the step failed with the platform's
reason, for staff to retry once the cause is fixed. Until a gateway is configured the step stays
pending, with the reason, and is due again after a while."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.choices import PLATFORM_OPERATORS
from accounts.services import audit_record
from expoe_portal.work import WORKER_STOPPED_EACH_TIME, WorkQueue, new_token, retry_delay
from number_pool.models import Number

from .choices import PlatformStatus, PortStatus
from .models import PortRequest

RETRIERS = PLATFORM_OPERATORS
# Without a configured gateway, look again this often (seconds): configuring one needs a restart.
NO_GATEWAY_RECHECK = 300
# The transitions after which BroadWorks should hold something else (see the module's docstring).
PLATFORM_TRANSITIONS = ("accept", "complete", "cancel", "cancel_by_losing_provider")
ACTIVATION_OFF = "Off"  # integrations.broadworks.numbers: assigned numbers are live at once

PORTED_NUMBERS = WorkQueue(
    name="ported numbers",
    model=PortRequest,
    task="porting.tasks.add_ported_numbers_to_platform",
    runnable=Q(platform_status=PlatformStatus.PENDING),
    prefix="platform_",
)


def queue_platform_work(port_request: PortRequest, name: str) -> None:
    """In the transition's transaction: BroadWorks should now hold what the new status says. A
    cancellation of a request that never had anything set up there leaves the step as it is.

    The lease is left alone: a run still working for the old status keeps it, and on finishing
    sees that the status moved and runs again (`_record`)."""
    if name not in PLATFORM_TRANSITIONS:
        return
    if name in ("cancel", "cancel_by_losing_provider") and not port_request.platform_status:
        return
    fields = {
        "platform_status": PlatformStatus.PENDING,
        "platform_error": "",
        "platform_attempts": 0,
        "platform_next_attempt_at": timezone.now(),
    }
    PortRequest.objects.filter(pk=port_request.pk).update(**fields)
    for field, value in fields.items():
        setattr(port_request, field, value)
    PORTED_NUMBERS.wake(port_request.pk)


def _record(port_request_id: int, *, token: str, status: str, **fields: Any) -> bool:
    """The run's outcome, if its claim still holds and the request is still in the status it worked
    for. When the status moved on meanwhile (completed, cancelled), the outcome is dropped and the
    step is due again at once, for the new status. False when nothing was recorded."""
    with transaction.atomic():  # the row locked: a transition waits until the outcome is recorded
        if PortRequest.objects.select_for_update().filter(pk=port_request_id, status=status).exists():
            return PORTED_NUMBERS.finish(port_request_id, token=token, **fields)
    PORTED_NUMBERS.retry_later(port_request_id, token=token, delay=0, wake_args=(port_request_id,), platform_attempts=0)
    return False


def add_ported_numbers(*, port_request_id: int, delivery: str = "") -> str:
    """Bring BroadWorks to what the request's status says. Returns what happened (for logs and tests)."""
    from integrations.base import PermanentError, TransientError, calling_for
    from integrations.platforms import get_gateway

    token = new_token(delivery)
    if not PORTED_NUMBERS.claim(port_request_id, token=token):
        return "nothing to do: done, failed, or another run has it"
    port_request = PortRequest.objects.select_related("partner", "customer_group").get(pk=port_request_id)
    status = port_request.status
    if port_request.platform_attempts > settings.PLATFORM_WORK_MAX_ATTEMPTS:
        error = f"Gave up after {port_request.platform_attempts} attempts: {WORKER_STOPPED_EACH_TIME}"
        _record(
            port_request_id, token=token, status=status, platform_status=PlatformStatus.FAILED, platform_error=error
        )
        return f"failed: {error}"
    try:
        gateway = get_gateway("broadworks")
    except PermanentError as exc:  # no gateway configured here: look again later
        PORTED_NUMBERS.finish(
            port_request_id,
            token=token,
            platform_error=f"{timezone.now():%d %b %H:%M}: {exc}",
            platform_next_attempt_at=timezone.now() + timedelta(seconds=NO_GATEWAY_RECHECK),
        )
        return "pending"
    try:
        with (
            PORTED_NUMBERS.heartbeat(port_request_id, token),
            calling_for(f"port:{port_request.pk}", partner=port_request.partner),
        ):
            if status == PortStatus.ACCEPTED:
                _set_up(gateway, port_request, activate=False)
            elif status == PortStatus.COMPLETED:
                _set_up(gateway, port_request, activate=True)
            else:
                _take_down(gateway, port_request)
    except TransientError as exc:
        attempts = port_request.platform_attempts
        if attempts >= settings.PLATFORM_WORK_MAX_ATTEMPTS:
            error = f"Gave up after {attempts} attempts: {exc}"
            _record(
                port_request_id, token=token, status=status, platform_status=PlatformStatus.FAILED, platform_error=error
            )
            return f"failed: {error}"
        delay = retry_delay(attempts)
        PORTED_NUMBERS.retry_later(
            port_request_id,
            token=token,
            delay=delay,
            wake_args=(port_request_id,),
            platform_error=f"{timezone.now():%d %b %H:%M}: {exc} (retrying)",
        )
        return f"retrying in {delay} s: {exc}"
    except PermanentError as exc:
        if not _record(
            port_request_id, token=token, status=status, platform_status=PlatformStatus.FAILED, platform_error=str(exc)
        ):
            return "the request changed meanwhile: running again"
        return f"failed: {exc}"
    if not _record(port_request_id, token=token, status=status, platform_status=PlatformStatus.DONE, platform_error=""):
        return "the request changed meanwhile: running again"
    return "done"


def _group_on_platform(gateway: Any, port_request: PortRequest) -> str | None:
    group = port_request.customer_group
    if group is None or not gateway.group_exists(port_request.partner.partner_id, group.group_id):
        return None
    return group.group_id


def _set_up(gateway: Any, port_request: PortRequest, *, activate: bool) -> None:
    """The numbers on the pool, assigned to the group if it is on BroadWorks, and activated when
    `activate`; only what is missing is sent (a number already there, assigned or active is left)."""
    sp, numbers = port_request.partner.partner_id, list(port_request.numbers)
    on_pool = set(gateway.service_provider_numbers(sp))
    if missing := [n for n in numbers if n not in on_pool]:
        gateway.add_numbers_to_service_provider(sp, missing)
    group_id = _group_on_platform(gateway, port_request)
    if group_id is None:
        return
    if not activate and gateway.number_activation_mode() == ACTIVATION_OFF:
        return  # assigning would put them in service before the port: the pool only, until completion
    states = gateway.group_number_states(sp, group_id)
    if missing := [n for n in numbers if n not in states]:
        gateway.assign_numbers(sp, group_id, missing, activate=activate)
    if activate and (inactive := [n for n in numbers if n in states and not states[n]]):
        gateway.activate_numbers(sp, group_id, inactive)


def _take_down(gateway: Any, port_request: PortRequest) -> None:
    """What an acceptance set up, undone: off whichever group has them (the request's group may have
    been changed since), then off the pool. A number the portal now holds otherwise (on a pool, or
    reserved by another port since) is not this request's to take."""
    sp = port_request.partner.partner_id
    others = set(Number.objects.filter(e164__in_values=port_request.numbers).values_list("e164", flat=True))
    holders = gateway.service_provider_number_holders(sp)
    numbers = [n for n in port_request.numbers if n in holders and n not in others]
    by_group: dict[str, list[str]] = {}
    for number in numbers:
        if group_id := holders[number]:
            by_group.setdefault(group_id, []).append(number)
    for group_id, held in sorted(by_group.items()):
        gateway.unassign_numbers(sp, group_id, held)
    if numbers:
        gateway.remove_numbers_from_service_provider(sp, numbers)


def ported_numbers_retry(*, by, port_request: PortRequest) -> PortRequest:
    """Staff: run the BroadWorks step again once the cause of its failure is fixed."""
    if by.role not in RETRIERS:
        raise PermissionDenied("Only EXPO.e co-ordinators and administrators retry platform work.")
    with transaction.atomic():
        updated = PortRequest.objects.filter(pk=port_request.pk, platform_status=PlatformStatus.FAILED).update(
            platform_status=PlatformStatus.PENDING, platform_attempts=0, **PORTED_NUMBERS.due_now()
        )
        if updated:
            audit_record(actor=by, action="port_request.platform_retry", target=port_request)
            PORTED_NUMBERS.wake(port_request.pk)
    port_request.refresh_from_db()
    return port_request


def ported_numbers_sweep() -> list[int]:
    """Beat: wake every request whose numbers BroadWorks does not hold as its status says yet, that
    is due and that no live run holds (a lost message, a worker that died, a gateway configured since)."""
    return [pk for (pk,) in PORTED_NUMBERS.sweep()]
