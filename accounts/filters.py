import django_filters
from django.db.models import Q

from expoe_portal import bounds

from .models import AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    """The audit log's filters: free text over what was done to what, who, which partner, when."""

    q = django_filters.CharFilter(max_length=bounds.LINE, method="search", label="Search")
    actor = django_filters.CharFilter(
        max_length=bounds.LINE, field_name="actor__username", lookup_expr="iexact", label="Who (username)"
    )
    partner = django_filters.CharFilter(
        max_length=bounds.LINE, field_name="partner__partner_id", lookup_expr="iexact", label="Partner ID"
    )
    action = django_filters.CharFilter(max_length=bounds.LINE, lookup_expr="istartswith", label="Action starts with")
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label="From")
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label="To")

    class Meta:
        model = AuditEvent
        fields = ["q", "actor", "partner", "action", "since", "until"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(action__icontains=value) | Q(target_label__icontains=value))
