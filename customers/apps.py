from django.apps import AppConfig


class CustomersConfig(AppConfig):
    """End customers: customer groups, their build requests and rules, and their builds."""

    name = "customers"
    default_auto_field = "django.db.models.BigAutoField"
