from django.urls import path

from . import views

app_name = "onboarding"

urlpatterns = [
    # A partner's own page shows its onboarding; the list and forms are the partners app's.
    path("partners/<int:pk>/", views.partner_detail, name="partner_detail"),
    path("my-partner/", views.my_partner, name="my_partner"),
    path("onboarding/", views.order_list, name="order_list"),
    path("onboarding/new/", views.order_create, name="order_create"),
    path("onboarding/<int:pk>/", views.order_detail, name="order_detail"),
    path("onboarding/<int:pk>/transitions/<slug:name>/", views.order_transition, name="order_transition"),
    path("onboarding/<int:pk>/accounts/create/", views.order_accounts_provision, name="order_accounts_provision"),
    path("onboarding/<int:pk>/accounts/<slug:platform>/", views.order_account_record, name="order_account_record"),
]
