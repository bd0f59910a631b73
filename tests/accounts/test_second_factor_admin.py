"""An administrator's view of the second factor (#17), and what the API's token endpoint asks."""

import base64
import time

import pyotp
import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts import factors
from accounts.choices import Role
from accounts.models import AuditEvent
from accounts.second_factor import ENROL_FIRST, PASSKEY_ONLY_TOKEN, token_refusal

pytestmark = pytest.mark.django_db


def enrol_app(user):
    device = factors.totp_pending(user=user)
    totp = pyotp.TOTP(base64.b32encode(device.bin_key).decode())
    codes = factors.totp_confirm(user=user, device=device, code=totp.now())
    return totp, codes


def add_passkey(user):
    return WebAuthnCredential.objects.create(
        user=user,
        name="Laptop",
        confirmed=True,
        credential_id=b"cred-" + str(user.pk).encode(),
        public_key=b"key",
        sign_count=0,
    )


# --- the users page ------------------------------------------------------------------------------


def test_the_users_page_lists_role_partner_and_factors_with_search(client, world):
    enrol_app(world.user(Role.MANAGER))
    client.force_login(world.user(Role.PROVISIONING_ADMIN))
    html = client.get(reverse("accounts:user_list")).content.decode()
    assert "acme_user" in html and "ACME01" in html and "Authenticator app" in html
    found = client.get(reverse("accounts:user_list"), {"q": "beta"}).content.decode()
    assert "beta_user" in found and "acme_user" not in found


def test_the_users_page_comes_in_pages(client, world, monkeypatch):
    from accounts import user_views

    monkeypatch.setattr(user_views, "USERS_PAGE_SIZE", 4)  # the world has 6 users
    client.force_login(world.user(Role.PROVISIONING_ADMIN))
    first = client.get(reverse("accounts:user_list")).content.decode()
    second = client.get(reverse("accounts:user_list"), {"page": 2}).content.decode()
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert "acme_user" in first and "acme_user" not in second  # in username order


def test_the_users_page_is_for_provisioning_administrators_only(client, world):
    for role in [Role.COORDINATOR, Role.MANAGER, Role.TRAINER, Role.PARTNER_USER]:
        client.force_login(world.user(role))
        assert client.get(reverse("accounts:user_list")).status_code == 403


def test_an_administrator_resets_a_users_factors_audited(client, world, settings):
    manager = world.user(Role.MANAGER)
    enrol_app(manager)
    add_passkey(manager)
    admin = world.user(Role.PROVISIONING_ADMIN)
    client.force_login(admin)
    page = client.get(reverse("accounts:user_detail", kwargs={"pk": manager.pk})).content.decode()
    assert 'data-testid="reset-factors"' in page and "data-confirm=" in page
    response = client.post(reverse("accounts:user_reset_factors", kwargs={"pk": manager.pk}))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=manager).exists()
    assert not WebAuthnCredential.objects.filter(user=manager).exists()
    assert not StaticDevice.objects.filter(user=manager).exists()
    event = AuditEvent.objects.get(action="second_factor.reset")
    assert event.actor == admin and event.target_id == str(manager.pk)
    assert event.changes == {"authenticator_apps": 1, "passkeys": 1}
    # Their next login asks them to enrol again.
    settings.STAFF_MFA_REQUIRED = True
    client.post(reverse("accounts:logout"))
    client.post(reverse("accounts:login"), {"username": manager.username, "password": "correct-horse-battery-9"})
    assert client.get(reverse("home")).url.startswith(reverse("accounts:two_factor"))


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.MANAGER, Role.TRAINER, Role.PARTNER_USER])
def test_only_an_administrator_may_reset_factors_checked_in_the_service(client, world, role):
    victim = world.user("partner_b_user")
    enrol_app(victim)
    with pytest.raises(PermissionDenied):
        factors.factors_reset(by=world.user(role), user=victim)
    client.force_login(world.user(role))
    assert client.post(reverse("accounts:user_reset_factors", kwargs={"pk": victim.pk})).status_code == 403
    assert TOTPDevice.objects.filter(user=victim, confirmed=True).exists()


# --- the token endpoint's question (accounts.second_factor.token_refusal) -----------------------------


def test_no_factor_no_requirement_no_refusal(world):
    assert token_refusal(world.user(Role.COORDINATOR), None) is None


def test_a_user_with_an_app_must_send_its_current_code(world):
    user = world.user(Role.PARTNER_USER)
    totp, codes = enrol_app(user)
    assert "otp" in token_refusal(user, None)
    assert "otp" in token_refusal(user, "123456" if totp.now() != "123456" else "654321")
    assert AuditEvent.objects.filter(action="second_factor.failed", changes__via="API token").exists()


def test_a_recovery_code_serves_as_the_otp(world):
    user = world.user(Role.PARTNER_USER)
    _, codes = enrol_app(user)
    assert token_refusal(user, codes[1]) is None
    assert token_refusal(user, codes[1]) is not None  # used up


def test_the_current_code_gets_the_token(world, settings):
    import time

    import time_machine

    user = world.user(Role.COORDINATOR)
    totp, _ = enrol_app(user)
    with time_machine.travel(time.time() + 31, tick=True):
        assert token_refusal(user, totp.now()) is None


def test_staff_who_must_enrol_are_told_to_enrol_in_the_portal(world, settings):
    settings.STAFF_MFA_REQUIRED = True
    assert token_refusal(world.user(Role.MANAGER), None) == {"otp": [ENROL_FIRST]}
    assert token_refusal(world.user(Role.PARTNER_USER), None) is None  # partner users are not staff


def test_a_passkey_only_user_is_told_how_to_get_a_token(world):
    user = world.user(Role.TRAINER)
    add_passkey(user)
    assert token_refusal(user, "123456") == {"otp": [PASSKEY_ONLY_TOKEN]}


def test_a_passkey_that_fails_at_the_second_step_is_audited(client, world):
    user = world.user(Role.TRAINER)
    add_passkey(user)
    client.force_login(user)
    response = client.post(
        reverse("otp_webauthn:credential-authentication-complete"), "{}", content_type="application/json"
    )
    assert response.status_code >= 400
    assert AuditEvent.objects.filter(action="second_factor.failed", changes__factor="passkey").exists()


def test_the_token_endpoint_asks_a_user_with_an_app_for_its_code(world):
    from rest_framework.test import APIClient

    user = world.user(Role.PARTNER_USER)
    totp, _ = enrol_app(user)
    api = APIClient()
    credentials = {"username": user.username, "password": "correct-horse-battery-9"}
    response = api.post("/api/v1/auth/token/", credentials)
    assert response.status_code == 400 and "otp" in response.json()
    assert api.post("/api/v1/auth/token/", {**credentials, "otp": "000000"}).status_code == 400
    with time_machine.travel(time.time() + 31, tick=True):  # a code is good once; the next step's
        issued = api.post("/api/v1/auth/token/", {**credentials, "otp": totp.now()})
        assert issued.status_code == 200, issued.content
        listed = api.get("/api/v1/partners/", headers={"Authorization": f"Token {issued.json()['token']}"})
        assert listed.status_code == 200


def test_the_token_endpoint_refuses_staff_who_must_enrol_and_have_not(world, settings):
    from rest_framework.test import APIClient

    settings.STAFF_MFA_REQUIRED = True
    user = world.user(Role.COORDINATOR)
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": user.username, "password": "correct-horse-battery-9"}
    )
    assert response.status_code == 400 and response.json()["otp"] == [ENROL_FIRST]


def test_a_reset_while_the_user_waits_at_the_second_step_does_not_loop(client, world):
    user = world.user(Role.MANAGER)
    enrol_app(user)
    client.post(reverse("accounts:login"), {"username": user.username, "password": "correct-horse-battery-9"})
    assert client.get(reverse("home")).url.startswith(reverse("accounts:second_factor"))
    factors.factors_reset(by=world.user(Role.PROVISIONING_ADMIN), user=user)
    assert client.get(reverse("accounts:second_factor")).status_code == 302
    assert client.get(reverse("home")).status_code == 200
