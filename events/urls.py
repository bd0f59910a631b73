from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/<int:pk>/", views.webhook_endpoint, name="webhook_endpoint"),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_id>/redeliver/", views.webhook_redeliver, name="webhook_redeliver"
    ),
]
