from datetime import UTC

from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils import timezone

from .bounds import request_body_max_bytes


class ApiUtcMiddleware:
    """Pages show UK time; the API speaks UTC (API.md: ISO 8601 with offset, UTC)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            with timezone.override(UTC):
                return self.get_response(request)
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    """Refuses a request whose body is over its limit (expoe_portal.bounds.request_body_max_bytes)
    before anything reads it: the API answers 413 `{"detail", "code": "request_too_large"}`, a page
    the friendly error page. Django's own check (RequestDataTooBig) would answer an HTML 400, and
    DRF reads a JSON body past it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = request_body_max_bytes(request.META.get("CONTENT_TYPE", ""))
        if length > limit:
            return request_too_large(request, length=length, limit=limit)
        return self.get_response(request)


def request_too_large(request, *, length: int, limit: int) -> HttpResponse:
    message = f"The request is {length / 2**20:.1f} MB; the limit is {limit / 2**20:.1f} MB."
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "request_too_large"}, status=413)
    # No request context: the request has not been through the session and auth middleware.
    body = loader.get_template("413.html").render({"message": message})
    return HttpResponse(body, status=413)
