"""The API tokens page (issue #17): one's own tokens, a new one shown once, revoke; administrators
see and revoke everyone's."""

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.models import ApiToken, AuditEvent
from accounts.tokens import token_issue

pytestmark = pytest.mark.django_db

PAGE = "/accounts/tokens/"


def issue(user, name="sync"):
    return token_issue(user=user, name=name, by=user)


def test_the_user_menu_links_to_the_page(client, world):
    client.force_login(world.user(Role.PARTNER_USER))
    assert f'href="{PAGE}"' in client.get(reverse("home")).content.decode()


def test_a_user_sees_only_their_own_tokens_and_never_a_secret(client, world):
    mine = issue(world.user(Role.PARTNER_USER), "billing sync")
    theirs = issue(world.user("partner_b_user"), "beta sync")
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.get(PAGE).content.decode()
    assert "billing sync" in page and mine.token.prefix in page and mine.secret not in page
    assert "beta sync" not in page and theirs.token.prefix not in page


def test_a_new_token_is_shown_once_and_not_cached(client, world):
    user = world.user(Role.COORDINATOR)
    client.force_login(user)
    response = client.post(PAGE, {"name": "nightly export", "days": "30"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=user)
    page = response.content.decode()
    secret = page.split('id="new-token-secret" type="text" readonly value="')[1].split('"')[0]
    assert secret.startswith(token.prefix) and len(secret) > 40
    assert "no-store" in response["Cache-Control"]
    assert 'data-copy-target="#new-token-secret"' in page and "portal/copy" in page
    assert secret not in client.get(PAGE).content.decode()


def test_bad_input_is_said_beside_the_field(client, world, settings):
    client.force_login(world.user(Role.COORDINATOR))
    response = client.post(PAGE, {"name": "", "days": str(settings.API_TOKEN_MAX_DAYS + 1)})
    page = response.content.decode()
    assert "This field is required." in page and f"less than or equal to {settings.API_TOKEN_MAX_DAYS}" in page
    assert not ApiToken.objects.exists()


def test_a_user_revokes_their_own_token(client, world):
    user = world.user(Role.PARTNER_USER)
    issued = issue(user)
    client.force_login(user)
    response = client.post(reverse("accounts:api_token_revoke", args=[issued.token.pk]))
    assert response.status_code == 302
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None and issued.token.revoked_by == user
    assert AuditEvent.objects.filter(action="token.revoked", actor=user).exists()


def test_another_users_token_is_404_for_anyone_but_an_administrator(client, world):
    issued = issue(world.user("partner_b_user"))
    url = reverse("accounts:api_token_revoke", args=[issued.token.pk])
    for role in (Role.PARTNER_USER, Role.MANAGER, Role.COORDINATOR):
        client.force_login(world.user(role))
        assert client.post(url).status_code == 404
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None
    admin = world.user(Role.PROVISIONING_ADMIN)
    client.force_login(admin)
    assert client.post(url).status_code == 302
    issued.token.refresh_from_db()
    assert issued.token.revoked_by == admin


def test_an_administrator_sees_everyones_tokens_and_filters_by_user(client, world):
    issue(world.user(Role.PARTNER_USER), "acme sync")
    issue(world.user("partner_b_user"), "beta sync")
    client.force_login(world.user(Role.PROVISIONING_ADMIN))
    page = client.get(PAGE).content.decode()
    assert "acme sync" in page and "beta sync" in page
    filtered = client.get(PAGE, {"user": "beta_user"}).content.decode()
    assert "beta sync" in filtered and "acme sync" not in filtered


def test_a_non_administrator_cannot_filter_their_way_to_others(client, world):
    issue(world.user("partner_b_user"), "beta sync")
    client.force_login(world.user(Role.PARTNER_USER))
    assert "beta sync" not in client.get(PAGE, {"user": "beta_user"}).content.decode()
