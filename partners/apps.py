from django.apps import AppConfig


class PartnersConfig(AppConfig):
    """Reseller partners and their contacts: the tenant every other app's rows belong to."""

    name = "partners"
    default_auto_field = "django.db.models.BigAutoField"
