from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import token_signals
        from .middleware import on_login, restart_idle_clock
        from .roles import sync_role_groups
        from .security import connect_receivers

        # Infrastructure only: keep each role's group and permissions equal to roles.py after
        # every migrate (and after a test flush), whichever app's migration ran last.
        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
        # A password, activity, role or partner change ends the user's API tokens (#17).
        token_signals.connect()
        # Log-ins, failures, lockouts and log-outs in the audit log, whoever announces them (#17).
        connect_receivers()
        # A new session learns at login what second factor it still owes, and starts the staff
        # idle clock afresh (#17).
        user_logged_in.connect(on_login, dispatch_uid="accounts.second_factor_on_login")
        user_logged_in.connect(restart_idle_clock, dispatch_uid="accounts.middleware.restart_idle_clock")
