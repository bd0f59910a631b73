import logging

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from integrations.sources import operations_by_platform

from .health import health_check
from .platform_checks import platform_checks, recent_calls

logger = logging.getLogger(__name__)


@login_required
def home(request):
    """Each role's work list (expoe_portal.homes): what waits for the reader, with deadlines."""
    from .homes import home_for

    home = home_for(request.user)
    return render(request, home.template, {"lists": home.lists, "now": timezone.now(), **home.extra})


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
    if request.path.startswith("/api/"):
        # API.md: every API error is JSON in its error format, an unknown API path's too (#17).
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    # No request context: whatever broke may be what the context processors need.
    return HttpResponseServerError(loader.get_template("500.html").render({}))


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
