from django.urls import path

from . import views

app_name = "porting"

urlpatterns = [
    path("ports/", views.port_list, name="list"),
    path("ports/export.csv", views.port_export_csv, name="export_csv"),
    path("ports/new/", views.port_create, name="create"),
    path("ports/dashboard/", views.port_dashboard, name="dashboard"),
    path("ports/rules/", views.rule_list, name="rules"),
    path("ports/rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("ports/countries/<int:pk>/edit/", views.country_edit, name="country_edit"),
    path("ports/providers/", views.provider_list, name="providers"),
    path("ports/providers/<int:pk>/edit/", views.provider_edit, name="provider_edit"),
    path("ports/<int:pk>/", views.port_detail, name="detail"),
    path("ports/<int:pk>/edit/", views.port_edit, name="edit"),
    path("ports/<int:pk>/transitions/<slug:name>/", views.port_transition, name="transition"),
    path("ports/<int:pk>/documents/", views.port_document_add, name="document_add"),
    path("ports/<int:pk>/documents/<int:document_pk>/", views.port_document_download, name="document_download"),
    path(
        "ports/<int:pk>/documents/<int:document_pk>/remove/",
        views.port_document_remove,
        name="document_remove",
    ),
    path("ports/<int:pk>/letter-of-authority.pdf", views.port_loa_download, name="loa_download"),
    path("ports/<int:pk>/letter-of-authority/sign/", views.port_loa_sign, name="loa_sign"),
    path("ports/<int:pk>/comments/", views.port_comment_add, name="comment_add"),
    path("ports/<int:pk>/port-date/", views.port_date_change, name="date_change"),
    path("ports/<int:pk>/platform/retry/", views.port_platform_retry, name="platform_retry"),
]
