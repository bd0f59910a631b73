"""Read queries for reconciliation: which customers are reconciled, and drift as a user may see it."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from accounts.scoping import scope_for
from customers.choices import BuildKind, BuildStatus
from customers.models import CustomerGroup, ServiceBuild
from partners.models import Partner

from .models import Drift, ReconciliationRun


def built_groups(*, partner: Partner | None = None, group: CustomerGroup | None = None) -> QuerySet[CustomerGroup]:
    """Built customers: their first build succeeded and they are not decommissioned (#15)."""
    built = ServiceBuild.objects.filter(group=OuterRef("pk"), kind=BuildKind.BUILD, status=BuildStatus.SUCCEEDED)
    groups = CustomerGroup.objects.filter(Exists(built), decommissioned_at__isnull=True)
    if partner is not None:
        groups = groups.filter(partner=partner)
    if group is not None:
        groups = groups.filter(pk=group.pk)
    return groups


def drift_in_scope(*, partner: Partner | None = None, group: CustomerGroup | None = None) -> QuerySet[Drift]:
    rows = Drift.objects.all()
    if partner is not None:
        rows = rows.filter(group__partner=partner)
    if group is not None:
        rows = rows.filter(group=group)
    return rows


def drift_list(*, user: User) -> QuerySet[Drift]:
    """Every drift the user may see (a partner user: their own partner's customers only)."""
    return scope_for(user, Drift.objects.select_related("group__partner", "repair"))


def group_open_drift(group: CustomerGroup) -> list[Drift]:
    """The customer's open drift, for its page (the group was looked up in the user's scope)."""
    return list(
        Drift.objects.filter(group=group, resolved_at__isnull=True)
        .select_related("group__partner", "repair")
        .order_by("platform", "aspect")
    )


def latest_run(*, user: User) -> ReconciliationRun | None:
    """The last run over every partner (the nightly one), or over the user's own partner."""
    runs = ReconciliationRun.objects.filter(finished_at__isnull=False, group__isnull=True)
    if user.is_partner_user:
        runs = runs.filter(Q(partner__isnull=True) | Q(partner_id=user.partner_id))
    elif not user.is_staff_member:
        return None
    return runs.select_related("partner").first()
