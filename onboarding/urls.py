from django.urls import path

from . import views

app_name = "onboarding"

urlpatterns = [
    path("partners/", views.partner_list, name="partner_list"),
    path("partners/new/", views.partner_create, name="partner_create"),
    path("partners/<int:pk>/", views.partner_detail, name="partner_detail"),
    path("partners/<int:pk>/edit/", views.partner_edit, name="partner_edit"),
    path("my-partner/", views.my_partner, name="my_partner"),
]
