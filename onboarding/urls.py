from django.urls import path

from . import group_views, views

app_name = "onboarding"

urlpatterns = [
    path("partners/", views.partner_list, name="partner_list"),
    path("partners/new/", views.partner_create, name="partner_create"),
    path("partners/<int:pk>/", views.partner_detail, name="partner_detail"),
    path("partners/<int:pk>/edit/", views.partner_edit, name="partner_edit"),
    path("my-partner/", views.my_partner, name="my_partner"),
    path("numbers/", views.number_list, name="number_list"),
    path("numbers/add/", views.numbers_add, name="numbers_add"),
    path("onboarding/", views.order_list, name="order_list"),
    path("onboarding/new/", views.order_create, name="order_create"),
    path("onboarding/<int:pk>/", views.order_detail, name="order_detail"),
    path("onboarding/<int:pk>/transitions/<slug:name>/", views.order_transition, name="order_transition"),
    path("onboarding/<int:pk>/accounts/create/", views.order_accounts_provision, name="order_accounts_provision"),
    path(
        "onboarding/<int:pk>/accounts/<slug:platform>/",
        views.order_account_record,
        name="order_account_record",
    ),
    path("customers/", group_views.group_list, name="group_list"),
    path("customers/new/", group_views.group_create, name="group_create"),
    path("customers/<int:pk>/", group_views.group_detail, name="group_detail"),
    path("customers/<int:pk>/edit/", group_views.group_edit, name="group_edit"),
    path("customers/<int:pk>/preview/", group_views.group_preview, name="group_preview"),
    path("customers/<int:pk>/submit/", group_views.group_submit, name="group_submit"),
    path("customers/<int:pk>/build/", group_views.group_build_status, name="group_build_status"),
    path("customers/<int:pk>/build/cancel/", group_views.group_build_cancel, name="group_build_cancel"),
    path(
        "customers/<int:pk>/build/callcabinet/",
        group_views.group_callcabinet_confirm,
        name="group_callcabinet_confirm",
    ),
]
