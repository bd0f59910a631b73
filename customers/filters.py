import django_filters
from django.db.models import Q

from expoe_portal import bounds

from .choices import BuildStatus, StepStatus
from .models import CustomerGroup, ServiceBuild
from .selectors import with_latest_build_status

BUILD_FILTER_CHOICES = [
    ("not_started", "Not started"),
    (BuildStatus.QUEUED, "Queued"),
    (BuildStatus.RUNNING, "Running"),
    ("waiting", "Waiting for a co-ordinator"),
    ("open", "Not finished (queued, running or failed)"),
    (BuildStatus.SUCCEEDED, "Succeeded"),
    (BuildStatus.FAILED, "Failed"),
    (BuildStatus.CANCELLED, "Cancelled"),
]


class CustomerGroupFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(max_length=bounds.LINE, method="search", label="Search")
    group_id = django_filters.CharFilter(max_length=bounds.LINE, lookup_expr="iexact", label="Group ID")
    partner = django_filters.CharFilter(
        max_length=bounds.LINE, field_name="partner__partner_id", lookup_expr="iexact", label="Partner ID"
    )
    state = django_filters.ChoiceFilter(
        choices=[("draft", "Draft"), ("confirmed", "Confirmed")], method="by_state", label="State"
    )
    # Co-ordinators' work list: failed builds, and Call Cabinet steps waiting for them (manual mode).
    build = django_filters.ChoiceFilter(choices=BUILD_FILTER_CHOICES, method="by_build", label="Build")

    class Meta:
        model = CustomerGroup
        fields = ["q", "group_id", "partner", "state", "build"]

    def by_build(self, queryset, name, value):
        """By its latest build or change: what the group's state is now."""
        if value == "not_started":
            return queryset.exclude(builds__in=ServiceBuild.objects.exclude(status=BuildStatus.DRAFT))
        if value == "waiting":
            return queryset.filter(builds__steps__status=StepStatus.WAITING).distinct()
        if value == "open":
            open_statuses = [BuildStatus.QUEUED, BuildStatus.RUNNING, BuildStatus.FAILED]
            return with_latest_build_status(queryset).filter(latest_build_status__in=open_statuses)
        return with_latest_build_status(queryset).filter(latest_build_status=value)

    def search(self, queryset, name, value):
        return queryset.filter(Q(group_id__icontains=value) | Q(name__icontains=value))

    def by_state(self, queryset, name, value):
        return queryset.filter(submitted_at__isnull=value == "draft")
