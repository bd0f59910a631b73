import logging
import sys

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import DatabaseError, InterfaceError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from integrations.sources import operations_by_platform

from .health import Health, broker_ok, health_check
from .middleware import request_refused
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


# Seconds a client should wait before trying again while the database is unreachable.
DATABASE_DOWN_RETRY_AFTER = 30


def server_error(request):
    """The last resort for an exception nothing else handled. The database being unreachable gets
    its own answer wherever it was noticed (the view, the session saved on the way out, the
    token looked up): /healthz says so in its JSON, the API in its error format (503
    `service_unavailable`), pages with a page that says nothing was saved."""
    if isinstance(sys.exc_info()[1], DatabaseError | InterfaceError):
        return database_unavailable(request)
    # No request context: whatever broke may be what the context processors need.
    return HttpResponseServerError(loader.get_template("500.html").render({}))


def database_unavailable(request) -> HttpResponse:
    if request.path == reverse("healthz"):
        response: HttpResponse = JsonResponse(Health(database=False, broker=broker_ok()).as_json(), status=503)
    elif request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": "The portal cannot reach its database; try again shortly.", "code": "service_unavailable"},
            status=503,
        )
    else:
        response = HttpResponse(loader.get_template("503.html").render({}), status=503)
    response["Retry-After"] = str(DATABASE_DOWN_RETRY_AFTER)
    return response


def bad_request(request, exception=None):
    """Django's own refusals (SuspiciousOperation), as JSON on the API and the friendly page
    elsewhere: a form's text field over the body limit (a multipart form passes the middleware's
    check with the room its upload gets), too many fields or files."""
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 2**20
        return request_refused(request, f"The fields of the form are over {limit:.1f} MB in all.", status=413)
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return request_refused(request, "The form sent more fields or files than any of ours has.", status=400)
    return request_refused(request, "The request could not be read.", status=400)


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
