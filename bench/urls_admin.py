"""The portal's URLs plus a bench-only admin site with a changelist of PortRequest: the baseline
(what Django's own list page costs for the same model, page size and order) that the port queue and
the dashboards are measured against in the same run."""

from django.contrib import admin
from django.urls import path

from expoe_portal.urls import handler403, handler404, handler500
from expoe_portal.urls import urlpatterns as portal_urlpatterns
from porting.models import PortRequest
from porting.tables import PortRequestTable

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]

CHANGELIST = "/bench-admin/porting/portrequest/"

site = admin.AdminSite(name="bench-admin")


class PortRequestAdmin(admin.ModelAdmin):
    # The queue's columns, page size and order (porting/tables.py, expoe_portal/pages.py).
    list_display = PortRequestTable.Meta.fields
    list_select_related = ("partner",)
    list_per_page = 25
    ordering = ("-id",)


site.register(PortRequest, PortRequestAdmin)

urlpatterns = [path("bench-admin/", site.urls), *portal_urlpatterns]
