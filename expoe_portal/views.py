import logging

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from integrations.sources import operations_by_platform

from .health import health_check
from .platform_checks import platform_checks, recent_calls

logger = logging.getLogger(__name__)


@login_required
def home(request):
    if request.user.is_partner_user:
        return redirect("onboarding:my_partner")
    from onboarding.choices import CLOSED_STATUSES, SlaState
    from onboarding.selectors import onboarding_order_list
    from partners.selectors import partner_list

    partners = partner_list(user=request.user)
    open_orders = onboarding_order_list(user=request.user).exclude(status__in=CLOSED_STATUSES)
    sla_counts = dict(open_orders.values_list("sla").annotate(n=Count("id")).values_list("sla", "n"))
    from escalations.selectors import escalation_owned_by

    # E2: a co-ordinator's own items with deadlines, most urgent first, with their timers.
    my_escalations = escalation_owned_by(user=request.user, owner=request.user)
    from customers.selectors import build_attention_counts

    builds = build_attention_counts(user=request.user)
    return render(
        request,
        "home.html",
        {
            "partner_count": partners.count(),
            "live_count": partners.filter(live=True).count(),
            "open_order_count": open_orders.count(),
            "at_risk_count": sla_counts.get(SlaState.AT_RISK, 0),
            "breached_count": sla_counts.get(SlaState.BREACHED, 0),
            "my_escalations": my_escalations,
            "failed_builds": builds["failed"],
            "waiting_builds": builds["waiting"],
        },
    )


@never_cache
@require_GET
def healthz(request):
    """Liveness for load balancers and `make run` (200 while the database and broker answer; 503
    otherwise), and what is alive behind the web: workers, beat, due work, the platforms."""
    health = health_check()
    return JsonResponse(health.as_json(), status=200 if health.live else 503)


@login_required
@never_cache
def system_health(request):
    """Staff: the same as /healthz, with names, counts and the platforms' last errors."""
    if not request.user.is_staff_member:
        raise PermissionDenied("The system page is for EXPO.e staff.")
    return render(request, "system_health.html", health_check().page_context())


@login_required
@never_cache
def platforms(request):
    """Staff: can the platforms build a customer today (read-only checks), and each platform's
    calls of the last 24 hours, with what rests on the vendor's documentation and what on ours."""
    if not request.user.is_staff_member:
        raise PermissionDenied("The platforms page is for EXPO.e staff.")
    checks = platform_checks()
    return render(
        request,
        "platforms.html",
        {
            "checks": checks,
            "failed": [check for check in checks if not check.ok],
            "calls": recent_calls(),
            "operations": operations_by_platform(),
        },
    )


def permission_denied(request, exception=None):
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No request context: whatever broke may be what the context processors need.
    return HttpResponseServerError(loader.get_template("500.html").render({}))


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
