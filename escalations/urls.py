from django.urls import path

from . import views

app_name = "escalations"

urlpatterns = [
    path("escalation-matrix/", views.contact_list, name="contact_list"),
    path("escalation-matrix/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
]
