"""Demo users, one per role (README lists them). Part of `manage.py seed_demo`."""

import os

from .choices import Role
from .models import User
from .services import user_create

DEMO_PASSWORD = os.environ.get("PORTAL_DEMO_PASSWORD", "expoe-demo-2026")

# username, role, partner ID, first name, last name
DEMO_USERS = [
    ("admin", Role.PROVISIONING_ADMIN, None, "Ada", "Admin"),
    ("coordinator", Role.COORDINATOR, None, "Colin", "Coordinator"),
    ("trainer", Role.TRAINER, None, "Tara", "Trainer"),
    ("manager", Role.MANAGER, None, "Alan", "North"),
    ("acme", Role.PARTNER_USER, "ACME01", "Pat", "Acme"),
    ("betacom", Role.PARTNER_USER, "BETA02", "Bea", "Betacom"),
]


def seed_users(*, partners: dict) -> list[tuple[str, str, str]]:
    """Create any missing demo user whose partner is given (staff need none); return
    (username, role label, partner ID) rows for the banner."""
    rows = []
    for username, role, partner_id, first, last in DEMO_USERS:
        if partner_id and partner_id not in partners:
            continue
        if not User.objects.filter(username=username).exists():
            user_create(
                username=username,
                role=role,
                partner=partners.get(partner_id),
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                email=f"{username}@demo.invalid",
            )
        rows.append((username, Role(role).label, partner_id or ""))
    return rows


def demo_admin() -> User:
    return User.objects.get(username="admin")
