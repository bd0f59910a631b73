from django.core.management.base import BaseCommand

from escalations.services import escalation_evaluate


class Command(BaseCommand):
    help = "Run the escalation evaluator once (E2), as beat does every 5 minutes. Safe to run at any time."

    def handle(self, *args, **options):
        self.stdout.write(f"Escalations: {escalation_evaluate()}.")
