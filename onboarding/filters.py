import django_filters
from django.db.models import Q

from accounts.choices import Role
from accounts.models import User
from expoe_portal import bounds

from .choices import CLOSED_STATUSES, OrderStatus, SlaState
from .models import OnboardingOrder
from .selectors import WAITING_FOR_CHOICES, waiting_for_q


def _staff_in_role(role):
    def queryset(request):
        return User.objects.filter(role=role).order_by("username")

    return queryset


class OrderFilter(django_filters.FilterSet):
    """One FilterSet for the order list page and /api/v1/onboarding-orders/."""

    q = django_filters.CharFilter(max_length=bounds.LINE, method="search", label="Search partner")
    partner = django_filters.CharFilter(
        max_length=bounds.LINE, field_name="partner__partner_id", lookup_expr="iexact", label="Partner ID"
    )
    status = django_filters.MultipleChoiceFilter(choices=OrderStatus.choices)
    coordinator = django_filters.ModelChoiceFilter(
        queryset=_staff_in_role(Role.COORDINATOR), to_field_name="username", label="Co-ordinator", empty_label="Any"
    )
    trainer = django_filters.ModelChoiceFilter(
        queryset=_staff_in_role(Role.TRAINER), to_field_name="username", label="Trainer", empty_label="Any"
    )
    sla_state = django_filters.ChoiceFilter(field_name="sla", choices=SlaState.choices, label="SLA")
    # The homes' work lists link here: whose step an order waits for, and every open order.
    waiting_for = django_filters.ChoiceFilter(choices=WAITING_FOR_CHOICES, method="by_waiting_for", label="Waiting for")
    open = django_filters.BooleanFilter(method="by_open", label="Open (not live, not cancelled)")

    class Meta:
        model = OnboardingOrder
        fields = ["q", "partner", "status", "coordinator", "trainer", "sla_state", "waiting_for", "open"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(partner__partner_id__icontains=value) | Q(partner__name__icontains=value))

    def by_waiting_for(self, queryset, name, value):
        return queryset.filter(waiting_for_q(value))

    def by_open(self, queryset, name, value):
        closed = Q(status__in=CLOSED_STATUSES)
        return queryset.exclude(closed) if value else queryset.filter(closed)
