"""The one choke point that narrows what a user can reach (pages, API, exports, search).

A partner user sees only rows of their own partner; another partner's object is then simply
not in the queryset, so views and the API answer 404 for it, never 403 or 200. A model may
also declare `scope_for_staff(queryset, user)` to narrow what some staff roles see.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from .models import SHARED


def scope_for(user, queryset: QuerySet) -> QuerySet:
    model = queryset.model
    lookup = getattr(model, "PARTNER_SCOPE", None)
    if lookup is None:
        raise ImproperlyConfigured(f"{model.__name__} declares no PARTNER_SCOPE; scoping cannot be decided.")
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if lookup == SHARED:
        return queryset
    if user.is_staff_member:
        # A model may narrow what some staff roles see (trainers: only their allocated orders).
        narrow = getattr(model, "scope_for_staff", None)
        return narrow(queryset, user) if narrow else queryset
    if user.is_partner_user and user.partner_id:
        return queryset.filter(**{lookup: user.partner_id})
    return queryset.none()


def get_scoped_or_404(user, queryset: QuerySet, **lookup):
    from django.shortcuts import get_object_or_404

    return get_object_or_404(scope_for(user, queryset), **lookup)
