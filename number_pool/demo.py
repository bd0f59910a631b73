"""The demo's number pool for `manage.py seed_demo`, added through the real service."""

from partners.models import Partner

from .models import Number
from .parsing import parse_range
from .services import numbers_add

# Ofcom keeps 020 7946 0xxx for drama and testing: safe numbers for a demo.
DEMO_POOL = {"ACME01": ("+442079460000", "+442079460099")}


def seed_pools(*, partners: dict[str, Partner], staff: dict) -> None:
    """The live partner's pool: 100 numbers (N1). Safe to run again."""
    coordinator = staff["coordinator"]
    for partner_id, (first, last) in DEMO_POOL.items():
        partner = partners[partner_id]
        if not Number.objects.filter(partner=partner).exists():
            numbers_add(by=coordinator, partner=partner, numbers=parse_range(first, last))
