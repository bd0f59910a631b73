from django.core.management.base import BaseCommand

from porting.rules import load_porting_rules


class Command(BaseCommand):
    help = (
        "Load the countries' required fields and the lead-time rules from porting/data/porting_rules.json "
        "(P3, P4, P6). Adds what is missing and keeps staff's edits unless --overwrite."
    )

    def add_arguments(self, parser):
        parser.add_argument("--overwrite", action="store_true", help="reset edited rows to the data file")

    def handle(self, *args, **options):
        created = load_porting_rules(overwrite=options["overwrite"])
        self.stdout.write(f"Porting rules: {created['countries']} countries and {created['rules']} rules added.")
