"""Read queries for the number pool, scoped to what the user may see."""

from django.db.models import Count, QuerySet

from accounts.models import User
from accounts.scoping import scope_for
from partners.models import Partner

from .choices import NumberStatus
from .models import Number


def number_list(*, user: User) -> QuerySet[Number]:
    return scope_for(user, Number.objects.select_related("partner", "customer_group"))


def number_pool_counts(*, user: User, partner: Partner | None = None) -> dict[str, int]:
    """How many numbers are available, assigned and porting (for the pool page's header)."""
    queryset = number_list(user=user)
    if partner is not None:
        queryset = queryset.filter(partner=partner)
    counts = dict(queryset.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {status: counts.get(status, 0) for status in NumberStatus.values}
