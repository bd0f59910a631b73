from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.tokens import token_issue


class Command(BaseCommand):
    help = (
        "Print a new API token for a user (operators and automation; API.md, “Command line”). "
        "Audited, and it expires like any other token."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="What will use the token.")
        parser.add_argument(
            "--days", type=int, default=None, help=f"How long it lasts (default {settings.API_TOKEN_DAYS})."
        )

    def handle(self, *args, username, name, days, **options):
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            raise CommandError(f"No user named “{username}”.")
        if not user.is_active:
            raise CommandError(f"“{user.username}” is inactive: an inactive user gets no token.")
        try:
            issued = token_issue(user=user, name=name, days=days, by=None)
        except ValidationError as exc:
            lines = [f"{field}: {msg}" for field, msgs in exc.message_dict.items() for msg in msgs]
            raise CommandError("\n".join(lines)) from exc
        # The secret alone on stdout, so `TOKEN=$(manage.py issue_token bot)` works; the rest on stderr.
        self.stdout.write(issued.secret)
        self.stderr.write(
            f"Token “{issued.token.name}” for {user.username}, expires {issued.token.expires_at:%Y-%m-%d %H:%M} UTC. "
            "It is shown only now."
        )
