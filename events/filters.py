import django_filters

from expoe_portal import bounds

from .models import Event

# Event ids are a bigint.
EVENT_ID_MAX = 2**63 - 1


class EventFilter(django_filters.FilterSet):
    since = django_filters.NumberFilter(method="after", label="Only events after this id (the last one you saw)")
    type = django_filters.CharFilter(max_length=64, label="Event type, e.g. port.accepted")
    partner = django_filters.CharFilter(
        max_length=bounds.LINE, field_name="partner__partner_id", lookup_expr="iexact", label="Partner ID"
    )

    def after(self, queryset, name, value):
        # Past the largest id there is nothing; a value the column cannot hold would break the query.
        if value >= EVENT_ID_MAX:
            return queryset.none()
        return queryset if value < 0 else queryset.filter(id__gt=int(value))

    class Meta:
        model = Event
        fields = ["since", "type", "partner"]
