from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .roles import sync_role_groups

        # Infrastructure only: keep each role's group and permissions equal to roles.py after
        # every migrate (and after a test flush), whichever app's migration ran last.
        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
        from .middleware import on_login

        # Infrastructure: a new session learns at login what second factor it still owes (#17).
        user_logged_in.connect(on_login, dispatch_uid="accounts.second_factor_on_login")
