from django.urls import path

from . import bulk_views, change_views, views

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
    path("customers/<int:pk>/handover/", views.group_handover, name="group_handover"),
    path("customers/<int:pk>/handover/reveal/", views.group_handover_reveal, name="group_handover_reveal"),
]

# Bulk onboarding (#15): customers/bulk_views.py.
urlpatterns += [
    path("customers/bulk/", bulk_views.bulk_upload, name="bulk_upload"),
    path("customers/bulk/template.<slug:fmt>", bulk_views.bulk_template, name="bulk_template"),
    path("customers/bulk/<int:pk>/", bulk_views.bulk_detail, name="bulk_detail"),
    path("customers/bulk/<int:pk>/errors.csv", bulk_views.bulk_errors, name="bulk_errors"),
    path("customers/bulk/<int:pk>/confirm/", bulk_views.bulk_confirm, name="bulk_confirm"),
    path("customers/bulk/<int:pk>/progress/", bulk_views.bulk_progress, name="bulk_progress"),
    path("customers/bulk/<int:pk>/retry/", bulk_views.bulk_retry, name="bulk_retry"),
]
