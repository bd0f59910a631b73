from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_rules(sender=None, **kwargs):
    from .rules import load_porting_rules

    load_porting_rules()


class PortingConfig(AppConfig):
    """Port requests, lead-time rules and the working-day calendar (P1-P7)."""

    name = "porting"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # As the SLA policies (escalations/apps.py): the seeded countries and lead times exist after
        # every migrate and after a test's flush, which empties the data migration's rows; existing
        # ones keep staff's edits.
        post_migrate.connect(_load_rules, sender=self, dispatch_uid="porting.load_porting_rules")
