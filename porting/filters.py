import re

import django_filters
from django.db.models import Q

from expoe_portal import bounds
from partners.models import Partner

from .choices import NumberType, PortStatus
from .models import PortingCountry, PortRequest
from .selectors import due_within_working_days_q, inside_cancellation_window_q

DUE_SOON_WORKING_DAYS = 5
# A port's ID as people write it: 1234, #1234, Port 1234.
PORT_REFERENCE = re.compile(r"(?:port\s*|#)?(\d{1,18})", re.IGNORECASE)


def port_reference(value: str) -> int | None:
    match = PORT_REFERENCE.fullmatch(value.strip())
    return int(match.group(1)) if match else None


def country_choices():
    return [(c.code, f"{c.name} ({c.code})") for c in PortingCountry.objects.all()]


class PortRequestFilter(django_filters.FilterSet):
    """One FilterSet for the port queue page, its CSV export, the dashboard and /api/v1/port-requests/."""

    q = django_filters.CharFilter(max_length=bounds.LINE, method="search", label="Search")
    partner = django_filters.CharFilter(
        max_length=bounds.LINE, field_name="partner__partner_id", lookup_expr="iexact", label="Partner ID"
    )
    # No DISTINCT (django-filter's default for a multiple choice): status is a column of the request
    # itself, so no row repeats, and DISTINCT over every column made the queue sort all it matched.
    status = django_filters.MultipleChoiceFilter(choices=PortStatus.choices, distinct=False)
    country = django_filters.ChoiceFilter(choices=[], empty_label="Any")
    losing_provider = django_filters.CharFilter(max_length=bounds.LINE, lookup_expr="iexact", label="Losing provider")
    number_type = django_filters.ChoiceFilter(choices=NumberType.choices, empty_label="Any")
    due_soon = django_filters.BooleanFilter(method="filter_due_soon", label="Due in the next 5 working days")
    in_window = django_filters.BooleanFilter(method="filter_in_window", label="Inside the 48-hour window")

    class Meta:
        model = PortRequest
        fields = ["q", "partner", "status", "country", "losing_provider", "number_type", "due_soon", "in_window"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The countries are data (P6): read them per request, in a fresh filter (a shared one may
        # already hold a form field built with an older list, e.g. by the API schema generator).
        country = django_filters.ChoiceFilter(field_name="country", choices=country_choices(), empty_label="Any")
        country.parent, country.model = self, PortRequest
        self.filters["country"] = country

    def search(self, queryset, name, value):
        """A number in any format (spaces, +44, the national 0), part of one, the port's ID, or text
        in the provider, the range holder, the address or the partner's ID or name.

        Each branch reads one indexed column (pg_trgm on PostgreSQL; porting migration 0008) and the
        partners are looked up first, so PostgreSQL combines the indexes instead of reading every
        request and joining its partner. SQLite reads the same columns with plain LIKE."""
        digits = "".join(ch for ch in value if ch.isdigit())
        partners = list(
            Partner.objects.filter(Q(partner_id__icontains=value) | Q(name__icontains=value)).values_list(
                "pk", flat=True
            )
        )
        condition = (
            Q(losing_provider__icontains=value)
            | Q(range_holder__icontains=value)
            | Q(registered_address__icontains=value)
            | Q(partner__in=partners)
        )
        if digits:
            national = digits[1:] if digits.startswith("0") else digits
            condition |= Q(number_digits__contains=national)
        if port_id := port_reference(value):
            condition |= Q(pk=port_id)
        return queryset.filter(condition)

    def filter_due_soon(self, queryset, name, value):
        q = due_within_working_days_q(DUE_SOON_WORKING_DAYS)
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_in_window(self, queryset, name, value):
        q = inside_cancellation_window_q()
        return queryset.filter(q) if value else queryset.exclude(q)
