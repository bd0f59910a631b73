from django.core.management.base import BaseCommand, CommandError

from customers.models import CustomerGroup
from partners.models import Partner
from reconciliation.choices import RunTrigger
from reconciliation.services import reconcile


class Command(BaseCommand):
    help = (
        "Reconcile every built customer (or one partner's, or one customer) with BroadWorks, Akixi and "
        "Call Cabinet, read-only, as beat does every night (#15); prints a summary."
    )

    def add_arguments(self, parser):
        parser.add_argument("--partner", metavar="ID", help="only this partner's customers (its partner ID)")
        parser.add_argument("--group", metavar="GROUP_ID", help="only this customer (its group ID)")

    def handle(self, *args, **options):
        partner = group = None
        if options["partner"]:
            partner = Partner.objects.filter(partner_id__iexact=options["partner"]).first()
            if partner is None:
                raise CommandError(f"No partner {options['partner']}.")
        if options["group"]:
            group = CustomerGroup.objects.filter(group_id__iexact=options["group"]).first()
            if group is None:
                raise CommandError(f"No customer group {options['group']}.")
        run = reconcile(partner=partner, group=group, trigger=RunTrigger.COMMAND)
        self.stdout.write(f"Reconciliation: {run.summary()}.")
        for error in run.errors[:20]:
            self.stdout.write(f"  {error['group']} ({error['platform']}): not checked: {error['error']}")
        if run.error_count > 20:
            self.stdout.write(f"  ... and {run.error_count - 20} more (the run's page lists them).")
