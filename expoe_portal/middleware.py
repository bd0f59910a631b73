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
    the friendly error page. Django's own check (RequestDataTooBig) runs only when the body is read,
    and DRF reads a JSON body as a stream, past it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = request_body_max_bytes(request.META.get("CONTENT_TYPE", ""))
        if length > limit:
            return request_refused(
                request, f"The request is {length / 2**20:.1f} MB; the limit is {limit / 2**20:.1f} MB.", status=413
            )
        return self.get_response(request)


def request_refused(request, message: str, *, status: int) -> HttpResponse:
    """A request refused for its size or shape: API.md's `{"detail", "code"}` on the API
    (`request_too_large` for 413, `bad_request` otherwise), the friendly error page on a page."""
    if request.path.startswith("/api/"):
        code = "request_too_large" if status == 413 else "bad_request"
        return JsonResponse({"detail": message, "code": code}, status=status)
    # No request context: the request may not have been through the session and auth middleware.
    heading = "That was too much to send at once" if status == 413 else "That request could not be read"
    body = loader.get_template("request_refused.html").render({"heading": heading, "message": message})
    return HttpResponse(body, status=status)
