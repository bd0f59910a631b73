from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Load the demo data (idempotent): partners at several onboarding stages, one user per role, "
        "the escalation matrix, port requests in several states."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow running under production settings.")

    def handle(self, *args, force, **options):
        if (settings.SETTINGS_MODULE or "").endswith(".production") and not force:
            raise CommandError("Refusing to load demo users into production (use --force if you mean it).")
        from accounts import demo as accounts_demo
        from accounts.models import User
        from customers import demo as customers_demo
        from escalations import demo as escalations_demo
        from escalations.services import escalation_matrix_load
        from number_pool import demo as number_pool_demo
        from onboarding import demo as onboarding_demo
        from partners import demo as partners_demo
        from porting import demo as porting_demo

        with transaction.atomic():
            escalation_matrix_load()
            # Staff first: the demo administrator creates the partners, then their users follow,
            # and then the staff move each partner's onboarding order on to its demo stage (so
            # that a go-live email reaches the partner's users).
            accounts_demo.seed_users(partners={})
            partners = partners_demo.seed_partners(by=accounts_demo.demo_admin())
            rows = accounts_demo.seed_users(partners=partners)
            staff_usernames = [
                username for username, _role, partner_id, *_ in accounts_demo.DEMO_USERS if not partner_id
            ]
            staff = {user.username: user for user in User.objects.filter(username__in=staff_usernames)}
            stages = onboarding_demo.seed_orders(partners=partners, staff=staff)
            number_pool_demo.seed_pools(partners=partners, staff=staff)
            pools = customers_demo.seed_groups(partners=partners, staff=staff)
            ports = porting_demo.seed_port_requests(
                partners=partners, staff=staff, partner_user=User.objects.get(username="acme")
            )
            # Last: the evaluator then sees every demo item with a deadline (orders, builds, ports).
            escalations = escalations_demo.seed_escalations(partners=partners, staff=staff)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"Demo logins (password for all: {accounts_demo.DEMO_PASSWORD}):")
        for username, role, partner_id in rows:
            suffix = f" of {partner_id}" if partner_id else ""
            self.stdout.write(f"  {username:<12} {role}{suffix}")
        self.stdout.write("Demo onboarding orders:")
        for partner_id, stage in stages:
            self.stdout.write(f"  {partner_id:<12} {stage}")
        for partner_id, numbers, groups in pools:
            self.stdout.write(f"  {partner_id:<12} {numbers} numbers in its pool, {groups} customer groups")
        self.stdout.write("Demo port requests (ACME01):")
        for pk, status in ports:
            self.stdout.write(f"  /ports/{pk}/  {status}")
        self.stdout.write("Open escalations (E2):")
        for label, state, level in escalations:
            self.stdout.write(f"  {label:<48} {state:<9} {level}")
