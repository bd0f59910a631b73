from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.module_loading import import_string


class PortalConfig(AppConfig):
    """The ground every app stands on: settings, the Celery app, durable work (work.py), the email
    outbox and the processes' heartbeats (models.py), health, API and CSV plumbing."""

    name = "expoe_portal"
    label = "portal"
    verbose_name = "Portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Without Redis the throttles count in a database table (settings: CACHES); made by every
        # migrate, so no deployment can forget it (`make run` and compose also name the command).
        post_migrate.connect(create_cache_tables, sender=self, dispatch_uid="portal.create_cache_tables")


def create_cache_tables(sender: AppConfig, using: str = "default", verbosity: int = 1, **kwargs: object) -> None:
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=verbosity)


def load_after_every_migrate(app: AppConfig, loader: str) -> None:
    """Run `loader` (a dotted path, imported when it runs: an app's services are not importable
    while apps load) after every migrate of `app`, and so after a test database's flush, which
    empties the tables a data migration filled. Loaders create what is missing and keep staff's
    edits (the SLA policies, the porting countries and lead times)."""

    def load(sender: AppConfig, **kwargs: object) -> None:
        import_string(loader)()

    post_migrate.connect(load, sender=app, weak=False, dispatch_uid=loader)
