"""A valid build request for partner A (ACME01, live) and helpers to break one section at a time."""

import copy

from accounts.choices import Role
from number_pool.services import numbers_add

FIRST = "+442079460000"


def stock_pool(world, count=10, partner=None):
    numbers = [f"+44207946{n:04d}" for n in range(count)]
    numbers_add(by=world.user(Role.PROVISIONING_ADMIN), partner=partner or world.partner_a, numbers=numbers)
    return numbers


def valid_request(**overrides) -> dict:
    data = {
        "group_id": "AlphaWidgets",
        "name": "Alpha Widgets Ltd",
        "domain": "hostedcomm.com",
        "extension_length": 4,
        "numbers": ["+442079460000", "+442079460001", "+442079460002"],
        "business_profile_number": "+442079460000",
        "voice_portal": {"number": "+442079460001", "extension": "8000", "external_dial_in": True},
        "admins": [{"first_name": "Ada", "last_name": "Lovelace", "user_id": "", "password": ""}],
        "akixi": {
            "licence": "Reporting Standard",
            "users": [{"username": "alpha.reports", "full_name": "Ada Lovelace", "email": "ada@alpha.invalid"}],
        },
        "callcabinet": {"admin_name": "Ada Lovelace", "admin_email": "ada@alpha.invalid"},
    }
    for path, value in overrides.items():
        target, keys = data, path.split("__")
        for key in keys[:-1]:
            target = target[int(key)] if key.isdigit() else target[key]
        last = keys[-1]
        if last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value
    return copy.deepcopy(data)
