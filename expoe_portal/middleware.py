from datetime import UTC

from django.utils import timezone


class ApiUtcMiddleware:
    """Pages show UK time; the API speaks UTC (API.md: ISO 8601 with offset, UTC)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            with timezone.override(UTC):
                return self.get_response(request)
        return self.get_response(request)
