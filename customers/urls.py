from django.urls import path

from . import change_views, views

app_name = "customers"

urlpatterns = [
    path("customers/", views.group_list, name="group_list"),
    path("customers/new/", views.group_create, name="group_create"),
    path("customers/<int:pk>/", views.group_detail, name="group_detail"),
    path("customers/<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("customers/<int:pk>/preview/", views.group_preview, name="group_preview"),
    path("customers/<int:pk>/submit/", views.group_submit, name="group_submit"),
    path("customers/<int:pk>/build/", views.group_build_status, name="group_build_status"),
    path("customers/<int:pk>/build/cancel/", views.group_build_cancel, name="group_build_cancel"),
    path("customers/<int:pk>/changes/", change_views.group_changes_status, name="group_changes_status"),
    path("customers/<int:pk>/changes/<slug:change>/", change_views.group_change, name="group_change"),
    path(
        "customers/<int:pk>/changes/<int:change_id>/<slug:act>/", change_views.group_change_act, name="group_change_act"
    ),
    path("customers/<int:pk>/build/callcabinet/", views.group_callcabinet_confirm, name="group_callcabinet_confirm"),
]
