from django.apps import AppConfig


class NumbersConfig(AppConfig):
    """The number pool: each partner's numbers, ranges and their parsing (N1, N2)."""

    name = "number_pool"
    default_auto_field = "django.db.models.BigAutoField"
