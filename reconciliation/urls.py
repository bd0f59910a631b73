from django.urls import path

from . import views

app_name = "reconciliation"

urlpatterns = [
    path("drift/", views.drift_list, name="drift_list"),
    path("drift/<int:pk>/", views.drift_detail, name="drift_detail"),
    path("drift/runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("drift/customers/<int:pk>/repair/", views.group_repair, name="group_repair"),
    path("drift/customers/<int:pk>/check/", views.group_check, name="group_check"),
]
