import django_filters
from django.db.models import Q

from expoe_portal import bounds

from .choices import Aspect, DriftState, Platform
from .models import Drift


class DriftFilter(django_filters.FilterSet):
    """The drift list's filters, for the page and the API alike."""

    q = django_filters.CharFilter(max_length=bounds.LINE, method="search", label="Search")
    group_id = django_filters.CharFilter(
        max_length=bounds.LINE, field_name="group__group_id", lookup_expr="iexact", label="Group ID"
    )
    partner = django_filters.CharFilter(
        max_length=bounds.LINE, field_name="group__partner__partner_id", lookup_expr="iexact", label="Partner"
    )
    platform = django_filters.ChoiceFilter(choices=Platform.choices)
    aspect = django_filters.ChoiceFilter(choices=Aspect.choices)
    state = django_filters.ChoiceFilter(choices=DriftState.choices, method="by_state", label="State")
    rule = django_filters.CharFilter(max_length=bounds.LINE, lookup_expr="iexact", label="Rule broken")

    class Meta:
        model = Drift
        fields = ["q", "group_id", "partner", "platform", "aspect", "state", "rule"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(group__group_id__icontains=value) | Q(group__name__icontains=value))

    def by_state(self, queryset, name, value):
        return queryset.filter(resolved_at__isnull=value == DriftState.OPEN)
