import django_filters
from django.db.models import Q

from expoe_portal import bounds

from .models import Partner


class PartnerFilter(django_filters.FilterSet):
    """One FilterSet for the partner list page and /api/v1/partners/."""

    q = django_filters.CharFilter(max_length=bounds.LINE, method="search", label="Search")
    live = django_filters.BooleanFilter()

    class Meta:
        model = Partner
        fields = ["q", "live"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(partner_id__icontains=value) | Q(name__icontains=value))
