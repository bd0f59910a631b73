import django_filters
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from .choices import NumberType, PortStatus
from .models import PortingCountry, PortRequest
from .selectors import due_within_working_days_q, inside_cancellation_window_q

DUE_SOON_WORKING_DAYS = 5


def country_choices():
    return [(c.code, f"{c.name} ({c.code})") for c in PortingCountry.objects.all()]


class PortRequestFilter(django_filters.FilterSet):
    """One FilterSet for the port queue page, its CSV export, the dashboard and /api/v1/port-requests/."""

    q = django_filters.CharFilter(method="search", label="Search")
    partner = django_filters.CharFilter(field_name="partner__partner_id", lookup_expr="iexact", label="Partner ID")
    status = django_filters.MultipleChoiceFilter(choices=PortStatus.choices)
    country = django_filters.ChoiceFilter(choices=[], empty_label="Any")
    losing_provider = django_filters.CharFilter(lookup_expr="iexact", label="Losing provider")
    number_type = django_filters.ChoiceFilter(choices=NumberType.choices, empty_label="Any")
    due_soon = django_filters.BooleanFilter(method="filter_due_soon", label="Due in the next 5 working days")
    in_window = django_filters.BooleanFilter(method="filter_in_window", label="Inside the 48-hour window (P7)")

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
        digits = "".join(ch for ch in value if ch.isdigit())
        condition = (
            Q(losing_provider__icontains=value)
            | Q(range_holder__icontains=value)
            | Q(partner__partner_id__icontains=value)
            | Q(partner__name__icontains=value)
            | Q(registered_address__icontains=value)
        )
        if digits:
            national = digits[1:] if digits.startswith("0") else digits
            queryset = queryset.annotate(numbers_text=Cast("numbers", TextField()))
            condition |= Q(numbers_text__contains=national) | Q(main_billing_number__contains=national)
        return queryset.filter(condition)

    def filter_due_soon(self, queryset, name, value):
        q = due_within_working_days_q(DUE_SOON_WORKING_DAYS)
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_in_window(self, queryset, name, value):
        q = inside_cancellation_window_q()
        return queryset.filter(q) if value else queryset.exclude(q)
