from django.apps import AppConfig


class PortingConfig(AppConfig):
    """Port requests, lead-time rules and the working-day calendar (P1-P7) arrive with the porting issue."""

    name = "porting"
    default_auto_field = "django.db.models.BigAutoField"
