from django.apps import AppConfig


class ReconciliationConfig(AppConfig):
    """Nightly reconciliation (#15): our records of every built customer against each platform,
    read-only; differences recorded as drift, repaired through the customers' build engine."""

    name = "reconciliation"
    default_auto_field = "django.db.models.BigAutoField"
