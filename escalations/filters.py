import django_filters
from django.db.models import Q

from expoe_portal import bounds

from .choices import ESCALATION_STATES, SubjectType
from .models import Escalation

UNASSIGNED = "none"


class EscalationFilter(django_filters.FilterSet):
    """One FilterSet for the escalation list page, the dashboard's and homes' links to it, and
    /api/v1/escalations/: ?state=breached&policy=O1-order-confirmation&level=2&partner=ACME01
    &subject_type=port_request&owner=coordinator (owner=none: nobody owns it yet)."""

    state = django_filters.ChoiceFilter(choices=ESCALATION_STATES, field_name="live_state", label="State")
    policy = django_filters.CharFilter(max_length=bounds.LINE, field_name="policy__key", label="Policy")
    level = django_filters.NumberFilter(method="by_level", label="Level to contact")
    partner = django_filters.CharFilter(
        max_length=bounds.LINE, field_name="partner__partner_id", lookup_expr="iexact", label="Partner ID"
    )
    subject_type = django_filters.ChoiceFilter(choices=SubjectType.choices, label="Kind of item")
    owner = django_filters.CharFilter(max_length=bounds.LINE, method="by_owner", label="Owner (username)")

    class Meta:
        model = Escalation
        fields = ["state", "policy", "level", "partner", "subject_type", "owner"]

    def by_level(self, queryset, name, value):
        """The level to contact now (API.md's `level`): work not yet escalated belongs to level 0,
        as the dashboard counts it."""
        level = int(value)
        return queryset.filter(Q(level=0) | Q(level__isnull=True) if level == 0 else Q(level=level))

    def by_owner(self, queryset, name, value):
        if value == UNASSIGNED:
            return queryset.filter(owner__isnull=True)
        return queryset.filter(owner__username=value)
