"""The demo's customer groups for `manage.py seed_demo`: build requests made through the real
service, as drafts (log in and build one to watch it run on the simulators). Idempotent."""

from django.conf import settings

from number_pool.models import Number
from partners.models import Partner

from .models import CustomerGroup
from .services import customer_group_create

DEMO_GROUPS = [
    # partner, group ID, customer name, its numbers (indexes into the partner's pool)
    ("ACME01", "NorthwindTraders", "Northwind Traders", range(0, 10)),
    ("ACME01", "ContosoDental", "Contoso Dental Practice", range(10, 14)),
    ("ACME01", "FabrikamLaw", "Fabrikam Law LLP", range(14, 20)),
]


def seed_groups(*, partners: dict[str, Partner], staff: dict) -> list[tuple[str, int, int]]:
    """Three customer groups of the live partner, using 20 numbers of its pool; returns (partner ID,
    numbers, groups) rows for the banner. Safe to run again."""
    coordinator = staff["coordinator"]
    for partner_id, group_id, name, indexes in DEMO_GROUPS:
        partner = partners[partner_id]
        if CustomerGroup.objects.filter(group_id=group_id).exists():
            continue
        pool = list(Number.objects.filter(partner=partner).order_by("e164").values_list("e164", flat=True))
        numbers = [pool[i] for i in indexes]
        first_word = name.split()[0].lower()
        customer_group_create(
            by=coordinator,
            partner=partner,
            data={
                "group_id": group_id,
                "name": name,
                "domain": "hostedcomm.com",
                "extension_length": 4,
                "numbers": numbers,
                "business_profile_number": numbers[0],
                "voice_portal": {"number": numbers[1], "extension": "8000", "external_dial_in": True},
                "admins": [{"first_name": "Office", "last_name": first_word.title(), "password": ""}],
                "akixi": {
                    "licence": settings.AKIXI_LICENCES[0],
                    "users": [
                        {
                            "username": f"{first_word}.reports",
                            "full_name": f"{name} reports",
                            "email": f"reports@{first_word}.invalid",
                        }
                    ],
                },
                "callcabinet": {"admin_name": f"{name} admin", "admin_email": f"admin@{first_word}.invalid"},
            },
        )
    return [
        (
            partner_id,
            Number.objects.filter(partner=partners[partner_id]).count(),
            CustomerGroup.objects.filter(partner=partners[partner_id]).count(),
        )
        for partner_id in sorted({partner_id for partner_id, *_ in DEMO_GROUPS})
    ]
