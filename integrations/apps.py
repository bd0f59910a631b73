from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """BroadWorks, Akixi and Call Cabinet: one client (the only code that talks to the platform) and
    one simulator per platform, over the shared errors and ExternalCall log in base.py."""

    name = "integrations"
    default_auto_field = "django.db.models.BigAutoField"
