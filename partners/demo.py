"""Demo partners for `manage.py seed_demo`: created through the real service, not live (the ones
shown live get there by walking their onboarding order to go-live, O6). Idempotent."""

from .models import Partner
from .services import partner_create

# Partners are created not live: the ones shown live get there by walking their order to go-live (O6).
DEMO_PARTNERS = [
    {
        "partner_id": "ACME01",
        "name": "Acme Telecom Ltd",
        "clone_group_id": "ACME01-CLONE",
        "contacts": [
            {
                "name": "Priya Shah",
                "role": "Primary",
                "email": "priya.shah@acme-telecom.invalid",
                "phone": "020 7946 0001",
            }
        ],
    },
    {
        "partner_id": "BETA02",
        "name": "Betacom Solutions",
        "clone_group_id": "BETA02-CLONE",
        "contacts": [
            {
                "name": "Tom Reed",
                "role": "Primary",
                "email": "tom.reed@betacom.invalid",
                "phone": "0161 496 0002",
            }
        ],
    },
    {
        "partner_id": "GLOBEX03",
        "name": "Globex Networks",
        "clone_group_id": "",
        "contacts": [
            {
                "name": "Hank Scorpio",
                "role": "Director",
                "email": "hank@globex.invalid",
                "phone": "0131 496 0003",
            }
        ],
    },
    {
        "partner_id": "DELTA04",
        "name": "Delta Voice Ltd",
        "clone_group_id": "DELTA04-CLONE",
        "contacts": [
            {
                "name": "Dana Okafor",
                "role": "Primary",
                "email": "dana.okafor@deltavoice.invalid",
                "phone": "0117 496 0004",
            }
        ],
    },
]


def seed_partners(*, by) -> dict[str, Partner]:
    partners = {}
    for data in DEMO_PARTNERS:
        partner = Partner.objects.filter(partner_id=data["partner_id"]).first()
        if partner is None:
            partner = partner_create(by=by, **data)
        partners[partner.partner_id] = partner
    return partners
