from django.apps import AppConfig

from expoe_portal.apps import load_after_every_migrate


class EscalationsConfig(AppConfig):
    name = "escalations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The default SLA policies exist after every migrate; existing ones keep their managers'
        # thresholds.
        load_after_every_migrate(self, "escalations.services.sla_policy_load")
