"""Template helpers the portal's own pages share."""

from django import template
from django.http import QueryDict

register = template.Library()

# Query parameters that page or order a list; they filter nothing.
NOT_FILTERS = {"page", "per_page", "sort"}


@register.filter
def filters_set(query: QueryDict) -> int:
    """How many filters the query sets: `request.GET|filters_set` (the "Filters" button and the
    empty states say so, #16)."""
    return sum(1 for key, values in query.lists() if key not in NOT_FILTERS and any(v.strip() for v in values))
