from django.core.management.base import BaseCommand

from escalations.services import escalation_evaluate


class Command(BaseCommand):
    help = "Run the escalation evaluator once (E2), as beat does every 5 minutes. Safe to run at any time."

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet",
            action="store_true",
            help="record every level already reached without emailing anyone (first run over existing data)",
        )

    def handle(self, *args, **options):
        result = escalation_evaluate(notify=not options["quiet"])
        self.stdout.write(f"Escalations: {result}{' (no emails sent)' if options['quiet'] else ''}.")
