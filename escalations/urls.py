from django.urls import path

from . import views

app_name = "escalations"

urlpatterns = [
    path("escalation-matrix/", views.contact_list, name="contact_list"),
    path("escalation-matrix/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("escalations/", views.dashboard, name="dashboard"),
    path("escalations/items/", views.escalation_list, name="list"),
    path("escalations/export.csv", views.export_csv, name="export_csv"),
    path("escalations/<int:pk>/", views.acknowledge, name="acknowledge"),
    path("sla-policies/", views.policy_list, name="policy_list"),
    path("sla-policies/<int:pk>/edit/", views.policy_edit, name="policy_edit"),
]
