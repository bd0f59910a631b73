"""What the API reads: the parsers and the filter backend of every endpoint (settings.REST_FRAMEWORK).

A module of its own because DRF imports the parsers while it defines APIView: this one must not
import rest_framework.views (expoe_portal.api does)."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, parsers

NUL_REFUSED = "Null characters are not allowed."


def refuse_nul(data, where: str = "") -> None:
    """Refuse a request whose text holds the NUL character, naming the field (400): PostgreSQL
    cannot store it, and a lookup with it (`"partner": "AC\u0000ME"`) is a database error, a 500."""
    if isinstance(data, str):
        if "\x00" in data:
            raise exceptions.ValidationError({where or "non_field_errors": [NUL_REFUSED]})
    elif isinstance(data, dict) or hasattr(data, "lists"):
        items = data.lists() if hasattr(data, "lists") else data.items()
        for key, value in items:
            refuse_nul(str(key), where or "non_field_errors")
            refuse_nul(value, where or str(key))
    elif isinstance(data, list | tuple):
        for item in data:
            refuse_nul(item, where)


class NulRefusingParser:
    """Mixed into DRF's parsers (settings: DEFAULT_PARSER_CLASSES); uploaded files are not text."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)  # type: ignore[misc]
        refuse_nul(getattr(parsed, "data", parsed))
        return parsed


class JSONParser(NulRefusingParser, parsers.JSONParser):
    pass


class FormParser(NulRefusingParser, parsers.FormParser):
    pass


class MultiPartParser(NulRefusingParser, parsers.MultiPartParser):
    pass


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, refusing NUL in the query as the parsers do in the body (a filter by
    a partner's ID looks it up in the database)."""

    def filter_queryset(self, request, queryset, view):
        refuse_nul(request.query_params)
        return super().filter_queryset(request, queryset, view)
