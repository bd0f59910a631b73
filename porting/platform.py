"""After completion, the ported numbers go onto the partner's pool on BroadWorks (N1), and onto the
named customer group there when that group already exists on BroadWorks (a group still to be built
gets them from its own build, which assigns every number of the group).

One run at a time per request: a run claims the request with a compare-and-set on
`platform_attempted_at` (a lease), reads the platform first and adds only what is missing, so a
redelivered task, a retry and the sweeper never add a number twice. Transient errors are retried by
the task with backoff; a refusal marks the step failed with the platform's reason, for staff to
retry once the cause is fixed. Until a gateway is configured the step stays pending, with the reason,
and the sweeper picks it up once one is."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.choices import PLATFORM_OPERATORS
from accounts.services import audit_record

from .choices import PlatformStatus, PortStatus
from .models import PortRequest

MAX_ATTEMPTS = 6
RETRIERS = PLATFORM_OPERATORS


def _lease() -> timedelta:
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def _claim(port_request_id: int) -> bool:
    now = timezone.now()
    free = Q(platform_attempted_at__isnull=True) | Q(platform_attempted_at__lt=now - _lease())
    return bool(
        PortRequest.objects.filter(free, pk=port_request_id, platform_status=PlatformStatus.PENDING).update(
            platform_attempted_at=now
        )
    )


def _record(port_request_id: int, **fields) -> None:
    PortRequest.objects.filter(pk=port_request_id).update(platform_attempted_at=None, **fields)


def add_ported_numbers(*, port_request_id: int) -> str:
    """Returns what happened; raises TransientError for the task to retry."""
    from integrations.base import PermanentError, TransientError, calling_for
    from integrations.platforms import get_gateway

    if not _claim(port_request_id):
        return "nothing to do: done, failed, or another run has it"
    port_request = PortRequest.objects.select_related("partner", "customer_group").get(pk=port_request_id)
    try:
        gateway = get_gateway("broadworks")
    except PermanentError as exc:  # no gateway configured here: leave it for the sweeper
        _record(port_request_id, platform_error=f"{timezone.now():%d %b %H:%M}: {exc}")
        return "pending"
    sp, numbers, group = port_request.partner.partner_id, list(port_request.numbers), port_request.customer_group
    try:
        with calling_for(f"port:{port_request.pk}", partner=port_request.partner):
            on_pool = set(gateway.service_provider_numbers(sp))
            if missing := [n for n in numbers if n not in on_pool]:
                gateway.add_numbers_to_service_provider(sp, missing)
            if group is not None and gateway.group_exists(sp, group.group_id):
                in_group = set(gateway.group_numbers(sp, group.group_id))
                if missing := [n for n in numbers if n not in in_group]:
                    gateway.assign_numbers(sp, group.group_id, missing)
    except TransientError as exc:
        _record(port_request_id, platform_error=f"{timezone.now():%d %b %H:%M}: {exc} (retrying)")
        raise
    except PermanentError as exc:
        _record(port_request_id, platform_status=PlatformStatus.FAILED, platform_error=str(exc))
        return f"failed: {exc}"
    _record(port_request_id, platform_status=PlatformStatus.DONE, platform_error="")
    return "done"


def add_ported_numbers_gave_up(*, port_request_id: int, error) -> str:
    _record(port_request_id, platform_status=PlatformStatus.FAILED, platform_error=f"Gave up retrying: {error}")
    return f"failed: {error}"


def ported_numbers_retry(*, by, port_request: PortRequest) -> PortRequest:
    """Staff: run the BroadWorks step again once the cause of its failure is fixed."""
    from .tasks import add_ported_numbers_to_platform

    if by.role not in RETRIERS:
        raise PermissionDenied("Only EXPO.e co-ordinators and administrators retry platform work.")
    with transaction.atomic():
        updated = PortRequest.objects.filter(pk=port_request.pk, platform_status=PlatformStatus.FAILED).update(
            platform_status=PlatformStatus.PENDING, platform_attempted_at=None
        )
        if updated:
            audit_record(
                actor=by, action="port_request.platform_retry", target=port_request, partner=port_request.partner
            )
            add_ported_numbers_to_platform.delay_on_commit(port_request.pk)
    port_request.refresh_from_db()
    return port_request


def ported_numbers_sweep() -> list[int]:
    """Beat: queue every completed request whose numbers are not on BroadWorks yet and that no run
    holds (a lost task, a worker that died, a gateway configured since)."""
    from .tasks import add_ported_numbers_to_platform

    free = Q(platform_attempted_at__isnull=True) | Q(platform_attempted_at__lt=timezone.now() - _lease())
    ids = list(
        PortRequest.objects.filter(free, status=PortStatus.COMPLETED, platform_status=PlatformStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    for pk in ids:
        add_ported_numbers_to_platform.delay(pk)
    return ids
