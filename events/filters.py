import django_filters

from expoe_portal import bounds

from .models import Event

# Event ids are a bigint: a larger `since` is refused as bad input rather than breaking the query.
EVENT_ID_MAX = 2**63 - 1


class EventFilter(django_filters.FilterSet):
    since = django_filters.NumberFilter(
        field_name="id",
        lookup_expr="gt",
        min_value=0,
        max_value=EVENT_ID_MAX,
        label="Only events after this id (the last one you saw)",
    )
    type = django_filters.CharFilter(max_length=64, label="Event type, e.g. port.accepted")
    partner = django_filters.CharFilter(
        max_length=bounds.LINE, field_name="partner__partner_id", lookup_expr="iexact", label="Partner ID"
    )

    class Meta:
        model = Event
        fields = ["since", "type", "partner"]
