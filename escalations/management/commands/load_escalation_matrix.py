from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from escalations.services import MATRIX_FILE, escalation_matrix_load


class Command(BaseCommand):
    help = "Load the escalation matrix (E1) from its data file. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=MATRIX_FILE)
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Reset levels that managers have edited back to the file.",
        )

    def handle(self, *args, file, overwrite, **options):
        try:
            result = escalation_matrix_load(path=file, overwrite=overwrite)
        except (ValidationError, OSError, ValueError) as exc:
            raise CommandError(f"Could not load {file}: {exc}") from exc
        self.stdout.write(
            f"Escalation matrix: created {result.created or 'none'}, updated {result.updated or 'none'}, "
            f"unchanged {result.unchanged or 'none'}."
        )
