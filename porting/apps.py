from django.apps import AppConfig

from expoe_portal.apps import load_after_every_migrate


class PortingConfig(AppConfig):
    """Port requests, lead-time rules and the working-day calendar (P1-P7)."""

    name = "porting"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The seeded countries and lead times (also a data migration's) exist after every migrate.
        load_after_every_migrate(self, "porting.rules.load_porting_rules")
