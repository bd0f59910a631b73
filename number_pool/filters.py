import django_filters

from expoe_portal import bounds

from .choices import NumberStatus
from .models import Number


class NumberFilter(django_filters.FilterSet):
    """One FilterSet for the number pool page and /api/v1/numbers/."""

    q = django_filters.CharFilter(max_length=bounds.LINE, method="search", label="Number")
    partner = django_filters.CharFilter(
        max_length=bounds.LINE, field_name="partner__partner_id", lookup_expr="iexact", label="Partner ID"
    )
    status = django_filters.ChoiceFilter(choices=NumberStatus.choices)
    customer_group = django_filters.CharFilter(
        max_length=bounds.LINE, field_name="customer_group__group_id", lookup_expr="iexact", label="Customer group"
    )

    class Meta:
        model = Number
        fields = ["q", "partner", "status", "customer_group"]

    def search(self, queryset, name, value):
        """Digits of the number in any format: 020 7946 0001, +44 20..., or just 79460001.

        A substring of E.164 (LIKE '%...%'): on PostgreSQL a trigram index serves it (migration
        0002), so a million numbers are not read one by one; SQLite scans."""
        digits = "".join(ch for ch in value if ch.isdigit())
        if not digits:
            return queryset.none()
        national = digits[1:] if digits.startswith("0") else digits
        return queryset.filter(e164__contains=national)
