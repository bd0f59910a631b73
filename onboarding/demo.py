"""Demo partners for `manage.py seed_demo`."""

from .models import Partner
from .services import partner_create

DEMO_PARTNERS = [
    {
        "partner_id": "ACME01",
        "name": "Acme Telecom Ltd",
        "clone_group_id": "ACME01-CLONE",
        "live": True,
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
        "live": False,
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
        "live": False,
        "contacts": [
            {
                "name": "Hank Scorpio",
                "role": "Director",
                "email": "hank@globex.invalid",
                "phone": "0131 496 0003",
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
