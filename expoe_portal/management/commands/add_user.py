import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.choices import Role
from accounts.services import user_create
from partners.models import Partner


class Command(BaseCommand):
    help = "Create a portal user in one role. The password comes from PORTAL_USER_PASSWORD or a prompt."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--partner", help="Partner ID; required for, and only for, partner_user.")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, role, partner, email, **options):
        partner_obj = None
        if partner:
            partner_obj = Partner.objects.filter(partner_id__iexact=partner).first()
            if partner_obj is None:
                raise CommandError(f"No partner with ID “{partner}”.")
        password = os.environ.get("PORTAL_USER_PASSWORD") or self._prompt_password()
        try:
            user = user_create(username=username, role=role, partner=partner_obj, email=email, password=password)
        except ValidationError as exc:
            lines = [f"{field}: {msg}" for field, msgs in exc.message_dict.items() for msg in msgs]
            raise CommandError("\n".join(lines)) from exc
        where = f" for partner {partner_obj.partner_id}" if partner_obj else ""
        self.stdout.write(self.style.SUCCESS(f"Created {role} “{user.username}”{where}."))

    def _prompt_password(self) -> str:
        try:
            first = getpass.getpass("Password: ")
            second = getpass.getpass("Password (again): ")
        except EOFError as exc:
            raise CommandError("No password: set PORTAL_USER_PASSWORD or run in a terminal.") from exc
        if first != second:
            raise CommandError("The two passwords differ.")
        return first
