import pytest
from django.core.management import CommandError, call_command

from accounts.choices import Role
from accounts.models import User

pytestmark = pytest.mark.django_db


def test_add_user_creates_a_partner_user_with_the_env_password(monkeypatch, partner_a):
    monkeypatch.setenv("PORTAL_USER_PASSWORD", "a-long-enough-pass")
    call_command("add_user", "jo", "--role", "partner_user", "--partner", "acme01", "--email", "jo@acme.invalid")
    user = User.objects.get(username="jo")
    assert user.role == Role.PARTNER_USER and user.partner == partner_a and user.email == "jo@acme.invalid"
    assert user.check_password("a-long-enough-pass")


def test_add_user_refuses_partner_user_without_partner(monkeypatch):
    monkeypatch.setenv("PORTAL_USER_PASSWORD", "a-long-enough-pass")
    with pytest.raises(CommandError, match="partner: A partner user must belong to a partner"):
        call_command("add_user", "jo", "--role", "partner_user")
    assert not User.objects.filter(username="jo").exists()


def test_add_user_refuses_partner_for_staff(monkeypatch, partner_a):
    monkeypatch.setenv("PORTAL_USER_PASSWORD", "a-long-enough-pass")
    with pytest.raises(CommandError, match="Only partner users belong to a partner"):
        call_command("add_user", "jo", "--role", "manager", "--partner", "ACME01")


def test_add_user_names_an_unknown_partner(monkeypatch):
    monkeypatch.setenv("PORTAL_USER_PASSWORD", "a-long-enough-pass")
    with pytest.raises(CommandError, match="No partner with ID “NOPE”"):
        call_command("add_user", "jo", "--role", "partner_user", "--partner", "NOPE")


def test_add_user_prompts_when_no_env_password(monkeypatch):
    monkeypatch.delenv("PORTAL_USER_PASSWORD", raising=False)
    answers = iter(["typed-long-password", "typed-long-password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command("add_user", "kim", "--role", "trainer")
    assert User.objects.get(username="kim").check_password("typed-long-password")


def test_seed_demo_is_idempotent_and_makes_one_user_per_role():
    call_command("seed_demo")
    call_command("seed_demo")
    from accounts.models import EscalationContact
    from partners.models import Partner

    assert {u.role for u in User.objects.all()} == set(Role.values)
    assert Partner.objects.filter(live=True).exists()
    from escalations.demo import DEMO_LATE_ORDERS
    from partners.demo import DEMO_PARTNERS

    # The onboarding demo's partners and the escalation demo's partners with late orders (E2).
    assert Partner.objects.count() == len(DEMO_PARTNERS) + len(DEMO_LATE_ORDERS)
    assert EscalationContact.objects.count() == 4


def test_seed_demo_logins_work(client):
    from accounts.demo import DEMO_PASSWORD, DEMO_USERS

    call_command("seed_demo")
    from django.urls import reverse

    for username, *_ in DEMO_USERS:
        response = client.post(reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        client.post(reverse("accounts:logout"))
