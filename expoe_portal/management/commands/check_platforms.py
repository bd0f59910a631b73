"""python manage.py check_platforms: can the platforms build a customer today? One line per check;
exit status 1 when any fails. Reads only: it never writes to a platform."""

from django.core.management.base import BaseCommand, CommandError

from expoe_portal.platform_checks import platform_checks


class Command(BaseCommand):
    help = (
        "Log in to each configured platform and read what builds rely on (the clone template group and "
        "its services, each partner's authorisations, the Akixi and Call Cabinet credentials); never writes."
    )

    def handle(self, *args, **options):
        checks = platform_checks()
        for check in checks:
            self.stdout.write(check.line())
        failed = [check for check in checks if not check.ok]
        if failed:
            raise CommandError(f"{len(failed)} of {len(checks)} platform checks failed.")
        self.stdout.write(self.style.SUCCESS(f"All {len(checks)} platform checks passed."))
