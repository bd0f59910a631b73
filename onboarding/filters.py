import django_filters
from django.db.models import Q

from accounts.choices import Role
from accounts.models import User

from .choices import OrderStatus, SlaState
from .models import OnboardingOrder


def _staff_in_role(role):
    def queryset(request):
        return User.objects.filter(role=role).order_by("username")

    return queryset


class OrderFilter(django_filters.FilterSet):
    """One FilterSet for the order list page and /api/v1/onboarding-orders/."""

    q = django_filters.CharFilter(method="search", label="Search partner")
    partner = django_filters.CharFilter(field_name="partner__partner_id", lookup_expr="iexact", label="Partner ID")
    status = django_filters.MultipleChoiceFilter(choices=OrderStatus.choices)
    coordinator = django_filters.ModelChoiceFilter(
        queryset=_staff_in_role(Role.COORDINATOR), to_field_name="username", label="Co-ordinator", empty_label="Any"
    )
    trainer = django_filters.ModelChoiceFilter(
        queryset=_staff_in_role(Role.TRAINER), to_field_name="username", label="Trainer", empty_label="Any"
    )
    sla_state = django_filters.ChoiceFilter(field_name="sla", choices=SlaState.choices, label="SLA")

    class Meta:
        model = OnboardingOrder
        fields = ["q", "partner", "status", "coordinator", "trainer", "sla_state"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(partner__partner_id__icontains=value) | Q(partner__name__icontains=value))
