"""Read queries for partners, scoped to what the user may see."""

from django.db.models import Count, Prefetch, QuerySet

from accounts.models import AuditEvent, User
from accounts.scoping import get_scoped_or_404, scope_for

from .models import Partner, PartnerContact


def partner_list(*, user: User) -> QuerySet[Partner]:
    return scope_for(
        user,
        Partner.objects.annotate(contact_count=Count("contacts")),
    )


def partner_get(*, user: User, pk: int) -> Partner:
    """A partner the user may see, with its contacts, or 404."""
    queryset = Partner.objects.prefetch_related(Prefetch("contacts", queryset=PartnerContact.objects.all()))
    return get_scoped_or_404(user, queryset, pk=pk)


def partner_audit_trail(*, user: User, partner: Partner, limit: int = 20) -> QuerySet[AuditEvent]:
    return scope_for(user, AuditEvent.objects.filter(partner=partner).select_related("actor"))[:limit]
