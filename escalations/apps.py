from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_policies(sender=None, **kwargs):
    from .services import sla_policy_load

    sla_policy_load()


class EscalationsConfig(AppConfig):
    name = "escalations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Infrastructure only: the default SLA policies exist after every migrate (and after a test
        # flush); existing ones keep their managers' thresholds.
        post_migrate.connect(_load_policies, sender=self, dispatch_uid="escalations.sla_policy_load")
