from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """BroadWorks, Akixi and Call Cabinet gateways and simulators arrive with the platforms issue."""

    name = "integrations"
    default_auto_field = "django.db.models.BigAutoField"
