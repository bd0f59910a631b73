"""After completion, the ported numbers go onto the partner's pool on BroadWorks (N1), and onto the
named customer group there when that group already exists on BroadWorks (a group still to be built
gets them from its own build, which assigns every number of the group).

The step is durable work (expoe_portal.work): completion marks it due; a run claims it (a lease its
heartbeat renews), reads the platform first and adds only what is missing, so a redelivered task, a
retry and the sweeper never add a number twice. Transient errors are retried with backoff; a
refusal marks the step failed with the platform's reason, for staff to retry once the cause is
fixed. Until a gateway is configured the step stays pending, with the reason, and is due again
after a while."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.choices import PLATFORM_OPERATORS
from accounts.services import audit_record
from expoe_portal.work import WORKER_STOPPED_EACH_TIME, WorkQueue, new_token, retry_delay

from .choices import PlatformStatus, PortStatus
from .models import PortRequest

RETRIERS = PLATFORM_OPERATORS
# Without a configured gateway, look again this often (seconds): configuring one needs a restart.
NO_GATEWAY_RECHECK = 300

PORTED_NUMBERS = WorkQueue(
    name="ported numbers",
    model=PortRequest,
    task="porting.tasks.add_ported_numbers_to_platform",
    runnable=Q(status=PortStatus.COMPLETED, platform_status=PlatformStatus.PENDING),
    prefix="platform_",
)


def add_ported_numbers(*, port_request_id: int, delivery: str = "") -> str:
    """Returns what happened (for logs and tests)."""
    from integrations.base import PermanentError, TransientError, calling_for
    from integrations.platforms import get_gateway

    token = new_token(delivery)
    if not PORTED_NUMBERS.claim(port_request_id, token=token):
        return "nothing to do: done, failed, or another run has it"
    port_request = PortRequest.objects.select_related("partner", "customer_group").get(pk=port_request_id)
    if port_request.platform_attempts > settings.PLATFORM_WORK_MAX_ATTEMPTS:
        error = f"Gave up after {port_request.platform_attempts} attempts: {WORKER_STOPPED_EACH_TIME}"
        PORTED_NUMBERS.finish(port_request_id, token=token, platform_status=PlatformStatus.FAILED, platform_error=error)
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
    sp, numbers, group = port_request.partner.partner_id, list(port_request.numbers), port_request.customer_group
    try:
        with (
            PORTED_NUMBERS.heartbeat(port_request_id, token),
            calling_for(f"port:{port_request.pk}", partner=port_request.partner),
        ):
            on_pool = set(gateway.service_provider_numbers(sp))
            if missing := [n for n in numbers if n not in on_pool]:
                gateway.add_numbers_to_service_provider(sp, missing)
            if group is not None and gateway.group_exists(sp, group.group_id):
                in_group = set(gateway.group_numbers(sp, group.group_id))
                if missing := [n for n in numbers if n not in in_group]:
                    gateway.assign_numbers(sp, group.group_id, missing)
    except TransientError as exc:
        attempts = port_request.platform_attempts
        if attempts >= settings.PLATFORM_WORK_MAX_ATTEMPTS:
            error = f"Gave up after {attempts} attempts: {exc}"
            PORTED_NUMBERS.finish(
                port_request_id, token=token, platform_status=PlatformStatus.FAILED, platform_error=error
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
        PORTED_NUMBERS.finish(
            port_request_id, token=token, platform_status=PlatformStatus.FAILED, platform_error=str(exc)
        )
        return f"failed: {exc}"
    PORTED_NUMBERS.finish(port_request_id, token=token, platform_status=PlatformStatus.DONE, platform_error="")
    return "done"


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
    """Beat: wake every completed request whose numbers are not on BroadWorks yet, that is due and
    that no live run holds (a lost message, a worker that died, a gateway configured since)."""
    return [pk for (pk,) in PORTED_NUMBERS.sweep()]
