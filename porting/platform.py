"""After completion, the ported numbers go onto the partner's pool on BroadWorks (N1).

Until a gateway is configured (tests, a demo without simulators) the step stays `pending`, with
the reason, for the integrations to pick up; the numbers are in the portal's pool either way."""

from django.conf import settings
from django.utils import timezone

from .models import PortRequest


def add_ported_numbers(*, port_request_id: int) -> str:
    from integrations.base import PermanentError, TransientError

    # Only BroadWorks is needed here; get_platforms() would also insist on Akixi and Call Cabinet.
    from integrations.platforms import _gateway

    port_request = PortRequest.objects.select_related("partner").get(pk=port_request_id)
    if port_request.platform_status != "pending":
        return port_request.platform_status  # already done: a redelivered task changes nothing
    try:
        gateway = _gateway(settings.BROADWORKS_GATEWAY, "broadworks")
        sp = port_request.partner.partner_id
        # Read before writing: a number already on the pool (an earlier, interrupted run) is skipped.
        on_platform = set(gateway.service_provider_numbers(sp))
        gateway.add_numbers_to_service_provider(sp, [n for n in port_request.numbers if n not in on_platform])
    except (PermanentError, TransientError) as exc:
        PortRequest.objects.filter(pk=port_request_id).update(platform_error=f"{timezone.now():%d %b %H:%M}: {exc}")
        return "pending"
    PortRequest.objects.filter(pk=port_request_id).update(platform_status="done", platform_error="")
    return "done"
