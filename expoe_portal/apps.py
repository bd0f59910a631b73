from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The ground every app stands on: settings, the Celery app, durable work (work.py), the email
    outbox and the processes' heartbeats (models.py), health, API and CSV plumbing."""

    name = "expoe_portal"
    label = "portal"
    verbose_name = "Portal"
    default_auto_field = "django.db.models.BigAutoField"
