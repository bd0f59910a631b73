"""API tokens (issue #17): named, hashed, expiring, revocable by their owner and by administrators,
and ended by a password change, deactivation or a change of role or partner, however it is made."""

import json
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import token_api
from accounts.choices import Role
from accounts.models import ApiToken, AuditEvent
from accounts.tokens import token_issue
from expoe_portal.api import TokenThrottle
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
TOKENS = "/api/v1/auth/tokens/"
PARTNERS = "/api/v1/partners/"
NEW_PASSWORD = "Tangerine-Orbit-47-Lattice"


@pytest.fixture(autouse=True)
def fresh_token_throttle():
    """These tests ask for many tokens from one address; the endpoint's limit has its own tests."""
    TokenThrottle.cache.delete("throttle_token_127.0.0.1")
    yield
    TokenThrottle.cache.delete("throttle_token_127.0.0.1")


def token_for(username, name=None, **extra):
    body = {"username": username, "password": TEST_PASSWORD, **extra}
    if name:
        body["name"] = name
    response = APIClient().post(TOKEN, body)
    assert response.status_code == 200, response.content
    return response.json()


def with_token(secret) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def refused(secret) -> dict:
    response = with_token(secret).get(PARTNERS)
    assert response.status_code == 401, response.content
    return response.json()


# --- the token endpoint -------------------------------------------------------------------------


def test_the_token_endpoint_gives_a_named_expiring_token_that_is_stored_only_hashed(world):
    body = token_for("acme_user", name="billing sync")
    secret = body["token"]
    assert secret.startswith("expoe_") and len(secret) > 40
    assert body["name"] == "billing sync" and body["user"] == "acme_user" and secret.startswith(body["prefix"])
    stored = ApiToken.objects.get(pk=body["id"])
    assert secret not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert stored.expires_at - timezone.now() > timedelta(days=89, hours=23)
    assert with_token(secret).get(PARTNERS).status_code == 200
    # Audited, without the secret.
    event = AuditEvent.objects.get(action="token.created")
    assert event.partner == world.partner_a and secret not in json.dumps(event.changes)


def test_the_token_lasts_api_token_days(world, settings):
    settings.API_TOKEN_DAYS = 7
    body = token_for("acme_user")
    assert ApiToken.objects.get(pk=body["id"]).expires_at - timezone.now() < timedelta(days=7, minutes=1)


def test_the_second_factor_hook_refusing_is_a_400_with_its_field_errors(world, monkeypatch):
    asked = []

    def refuse(user, otp):
        asked.append((user.username, otp))
        return {"otp": ["Enter the current code from your authenticator app."]}

    monkeypatch.setattr(token_api, "token_refusal", refuse)
    response = APIClient().post(TOKEN, {"username": "manager", "password": TEST_PASSWORD, "otp": "123456"})
    assert response.status_code == 400
    assert response.json() == {"otp": ["Enter the current code from your authenticator app."]}
    assert asked == [("manager", "123456")] and not ApiToken.objects.exists()


def test_wrong_passwords_at_the_token_endpoint_count_towards_the_lockout(world):
    client = APIClient()
    answers = [client.post(TOKEN, {"username": "manager", "password": "wrong-guess"}) for _ in range(5)]
    assert [a.status_code for a in answers] == [400, 400, 400, 400, 403]  # the fifth failure locks
    locked = client.post(TOKEN, {"username": "manager", "password": TEST_PASSWORD})
    assert locked.status_code == 403 and locked.json()["code"] == "locked_out"
    assert not ApiToken.objects.exists()


# --- refused with 401 ---------------------------------------------------------------------------


def test_an_unknown_token_is_refused(world):
    assert refused("expoe_not-a-token")["detail"] == "Invalid token."


def test_a_token_is_refused_once_it_expires(world):
    secret = token_for("acme_user")["token"]
    with time_machine.travel(timezone.now() + timedelta(days=90, minutes=1)):
        body = refused(secret)
    assert "expired" in body["detail"] and body["code"] == "authentication_failed"


def test_a_token_is_refused_after_its_owner_changes_their_password_on_the_page(client, world):
    secret = token_for("acme_user")["token"]
    client.force_login(world.user(Role.PARTNER_USER))
    changed = client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert "password changed" in refused(secret)["detail"]
    event = AuditEvent.objects.get(action="tokens.revoked_all")
    assert event.changes == {"reason": "password changed", "tokens": 1}


def test_a_token_is_refused_after_a_password_set_anywhere_else(world):
    """A management command or a shell: set_password and save, no service involved."""
    secret = token_for("acme_user")["token"]
    user = world.user(Role.PARTNER_USER)
    user.set_password(NEW_PASSWORD)
    user.save()
    refused(secret)


def test_a_password_rehash_on_login_keeps_the_tokens(world, settings):
    """Django re-hashes a right password when the hasher's work factor grows: not a new password."""
    secret = token_for("acme_user")["token"]
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    token_for("acme_user")  # logs in with the MD5 hash, which is then upgraded
    user = world.user(Role.PARTNER_USER)
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_")
    assert with_token(secret).get(PARTNERS).status_code == 200


def test_a_token_is_refused_after_its_owner_is_deactivated(world):
    secret = token_for("manager")["token"]
    user = world.user(Role.MANAGER)
    user.is_active = False
    user.save()
    assert "user deactivated" in refused(secret)["detail"]


def test_a_token_of_a_user_deactivated_behind_the_signals_back_is_still_refused(world):
    secret = token_for("manager")["token"]
    type(world.user(Role.MANAGER)).objects.filter(username="manager").update(is_active=False)
    assert refused(secret)["detail"] == "This token's user is inactive."


def test_a_token_is_refused_after_a_change_of_role(world):
    secret = token_for("coordinator")["token"]
    user = world.user(Role.COORDINATOR)
    user.role = Role.MANAGER
    user.save()
    assert "role changed" in refused(secret)["detail"]


def test_a_token_is_refused_after_a_change_of_partner(world):
    secret = token_for("acme_user")["token"]
    user = world.user(Role.PARTNER_USER)
    user.partner = world.partner_b
    user.save(update_fields=["partner"])
    assert "partner changed" in refused(secret)["detail"]


def test_saving_a_user_without_a_credential_change_keeps_the_tokens(world):
    secret = token_for("acme_user")["token"]
    user = world.user(Role.PARTNER_USER)
    user.first_name = "Ada"
    user.save()
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    assert with_token(secret).get(PARTNERS).status_code == 200
    assert not AuditEvent.objects.filter(action="tokens.revoked_all").exists()


def test_a_token_is_refused_after_it_is_revoked(world):
    body = token_for("acme_user")
    client = with_token(body["token"])
    assert client.delete(f"{TOKENS}{body['id']}/").status_code == 204
    assert "revoked" in refused(body["token"])["detail"]
    event = AuditEvent.objects.get(action="token.revoked")
    assert event.actor == world.user(Role.PARTNER_USER) and event.changes["owner"] == "acme_user"


# --- last use -----------------------------------------------------------------------------------


def test_last_use_is_recorded_at_most_once_a_minute(world):
    body = token_for("acme_user")
    assert body["last_used_at"] is None
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        with_token(body["token"]).get(PARTNERS)
    token = ApiToken.objects.get(pk=body["id"])
    assert token.last_used_at == start
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        with_token(body["token"]).get(PARTNERS)
    assert ApiToken.objects.get(pk=body["id"]).last_used_at == start
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        with_token(body["token"]).get(PARTNERS)
    assert ApiToken.objects.get(pk=body["id"]).last_used_at == start + timedelta(seconds=61)


# --- /api/v1/auth/tokens/ -----------------------------------------------------------------------


def test_a_user_lists_their_own_tokens_without_secrets(world):
    mine = token_for("acme_user", name="billing sync")
    token_for("beta_user")
    body = with_token(mine["token"]).get(TOKENS).json()
    assert set(body) == {"count", "next", "previous", "results"} and body["count"] == 1
    listed = body["results"][0]
    assert listed["name"] == "billing sync" and listed["prefix"] == mine["prefix"] and "token" not in listed
    assert set(listed) == {"id", "name", "prefix", "user", "created_at", "expires_at", "last_used_at"}


def test_a_partner_user_cannot_see_or_revoke_another_users_token(world):
    theirs = token_for("beta_user")
    same_partner = token_for("acme_user")
    other = UserFactory(username="acme_second", role=Role.PARTNER_USER, partner=world.partner_a)
    client = APIClient()
    client.force_authenticate(other)
    assert client.get(TOKENS, {"user": "beta_user"}).json()["count"] == 0
    assert client.delete(f"{TOKENS}{theirs['id']}/").status_code == 404
    assert client.delete(f"{TOKENS}{same_partner['id']}/").status_code == 404
    assert with_token(theirs["token"]).get(PARTNERS).status_code == 200


def test_other_staff_see_only_their_own(api_as, world):
    theirs = token_for("acme_user")
    client = api_as(world.user(Role.MANAGER))
    assert client.get(TOKENS).json()["count"] == 0
    assert client.delete(f"{TOKENS}{theirs['id']}/").status_code == 404


def test_an_administrator_lists_everyones_filters_by_user_and_revokes_anyones(api_as, world):
    acme = token_for("acme_user")
    token_for("beta_user")
    admin = world.user(Role.PROVISIONING_ADMIN)
    client = api_as(admin)
    assert client.get(TOKENS).json()["count"] == 2
    only = client.get(TOKENS, {"user": "acme_user"}).json()["results"]
    assert [t["id"] for t in only] == [acme["id"]]
    assert client.delete(f"{TOKENS}{acme['id']}/").status_code == 204
    refused(acme["token"])
    assert AuditEvent.objects.get(action="token.revoked").actor == admin


def test_a_signed_in_user_creates_a_token_shown_once(api_as, world, settings):
    client = api_as(world.user(Role.COORDINATOR))
    response = client.post(TOKENS, {"name": "nightly export", "days": 30})
    assert response.status_code == 201
    body = response.json()
    assert body["token"].startswith(body["prefix"]) and body["name"] == "nightly export"
    assert ApiToken.objects.get(pk=body["id"]).expires_at - timezone.now() < timedelta(days=30, minutes=1)
    assert "token" not in client.get(TOKENS).json()["results"][0]
    assert with_token(body["token"]).get(PARTNERS).status_code == 200


def test_days_and_name_are_bounded_with_messages(api_as, world, settings):
    client = api_as(world.user(Role.COORDINATOR))
    too_long = client.post(TOKENS, {"name": "x", "days": settings.API_TOKEN_MAX_DAYS + 1})
    assert too_long.status_code == 400 and "days" in too_long.json()
    nameless = client.post(TOKENS, {"days": 5})
    assert nameless.status_code == 400 and "name" in nameless.json()
    assert not ApiToken.objects.exists()


def test_a_token_cannot_make_another_token(world):
    secret = token_for("acme_user")["token"]
    response = with_token(secret).post(TOKENS, {"name": "forever"})
    assert response.status_code == 403 and "password" in response.json()["detail"]
    assert ApiToken.objects.count() == 1


def test_anonymous_is_401(api_client, world):
    assert api_client.get(TOKENS).status_code == 401
    assert api_client.post(TOKENS, {"name": "x"}).status_code == 401


# --- issue_token --------------------------------------------------------------------------------


def test_issue_token_prints_a_working_audited_token(world):
    out, err = StringIO(), StringIO()
    call_command("issue_token", "acme_user", "--name", "nightly", "--days", "10", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert with_token(secret).get(PARTNERS).status_code == 200
    token = ApiToken.objects.get()
    assert token.name == "nightly" and token.expires_at - timezone.now() < timedelta(days=10, minutes=1)
    assert "nightly" in err.getvalue() and secret not in err.getvalue()
    event = AuditEvent.objects.get(action="token.created")
    assert event.actor is None and secret not in json.dumps(event.changes)


def test_issue_token_refuses_an_unknown_or_inactive_user(world):
    with pytest.raises(CommandError, match="No user named “nobody”"):
        call_command("issue_token", "nobody")
    user = world.user(Role.TRAINER)
    user.is_active = False
    user.save()
    with pytest.raises(CommandError, match="inactive"):
        call_command("issue_token", "trainer")
    assert not ApiToken.objects.exists()


def test_issue_token_refuses_days_beyond_the_maximum(world, settings):
    with pytest.raises(CommandError, match="days: A token lasts from 1 to"):
        call_command("issue_token", "trainer", "--days", str(settings.API_TOKEN_MAX_DAYS + 1))


def test_a_token_made_for_someone_else_needs_an_administrator(world):
    with pytest.raises(PermissionDenied):
        token_issue(user=world.user(Role.TRAINER), name="x", by=world.user(Role.MANAGER))
    assert token_issue(user=world.user(Role.TRAINER), name="x", by=world.user(Role.PROVISIONING_ADMIN)).secret


def test_the_list_costs_the_same_queries_for_one_token_or_many(api_as, world):
    admin = world.user(Role.PROVISIONING_ADMIN)
    client = api_as(admin)
    token_issue(user=world.user(Role.TRAINER), name="one", by=None)
    client.get(TOKENS)  # the administrator's permissions, read once and kept on the user
    with CaptureQueriesContext(connection) as one:
        assert client.get(TOKENS).json()["count"] == 1
    for role in (Role.MANAGER, Role.COORDINATOR, Role.PARTNER_USER, "partner_b_user"):
        token_issue(user=world.user(role), name="more", by=None)
    with CaptureQueriesContext(connection) as many:
        assert client.get(TOKENS).json()["count"] == 5
    assert len(many) == len(one)
