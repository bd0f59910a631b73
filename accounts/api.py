"""The base of every app's API viewsets: reads and writes always through the one scoping helper,
so another partner's object is a 404 (API.md, "Scope")."""

from rest_framework import mixins, viewsets

from .scoping import scope_for


class ScopedQuerysetMixin:
    """Every API queryset goes through the one scoping helper, so another partner's object is 404."""

    def get_queryset(self):
        return scope_for(self.request.user, super().get_queryset())

    def filter_queryset(self, queryset):
        """A list's filters (`?status=...`) choose among objects; on one object's routes (its detail,
        its transitions, its plan) they have no meaning, so they neither refuse the request (400) nor
        hide the object (404). The schema lists them on lists only (expoe_portal.api_schema)."""
        if getattr(self, "detail", False):
            return queryset
        return super().filter_queryset(queryset)


class ScopedReadViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List and read, scoped."""


class ScopedViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadViewSet):
    """List, read, create and update, scoped (deleting is never offered: records are kept)."""
