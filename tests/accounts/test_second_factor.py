"""The second factor (#17): the login's second step, forced enrolment, a user's own factors."""

import base64
import re
import time

import pyotp
import pytest
import time_machine
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import factors
from accounts.choices import Role
from accounts.models import AuditEvent
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def totp_of(device) -> pyotp.TOTP:
    return pyotp.TOTP(base64.b32encode(device.bin_key).decode())


def enrol_app(user) -> tuple[TOTPDevice, list[str]]:
    device = factors.totp_pending(user=user)
    codes = factors.totp_confirm(user=user, device=device, code=totp_of(device).now())
    device.refresh_from_db()
    return device, codes


def log_in(client, username, password=TEST_PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def later(seconds=31):
    """A code is good once (django-otp refuses a replay): the next one is a step of 30 s away."""
    return time_machine.travel(time.time() + seconds, tick=True)


# --- the login's second step ---------------------------------------------------------------------


def test_a_user_with_an_app_must_give_its_code_before_reaching_any_page(client, world):
    user = world.user(Role.COORDINATOR)
    device, _ = enrol_app(user)
    log_in(client, user.username)
    for url in [reverse("home"), reverse("partners:partner_list"), reverse("accounts:password_change")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:second_factor"))
    assert 'data-testid="nav-menu"' not in client.get(reverse("accounts:second_factor")).content.decode()
    with later():
        response = client.post(reverse("accounts:second_factor"), {"code": totp_of(device).now(), "next": "/partners/"})
    assert response.status_code == 302 and response.url == "/partners/"
    home = client.get(reverse("home"))
    assert home.status_code == 200 and 'data-testid="nav-menu"' in home.content.decode()


def test_the_api_through_a_session_that_passed_only_the_password_is_403_json(client, world):
    user = world.user(Role.COORDINATOR)
    enrol_app(user)
    log_in(client, user.username)
    response = client.get("/api/v1/partners/")
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"


def test_a_wrong_code_is_refused_beside_the_field_audited_and_throttled(client, world):
    user = world.user(Role.COORDINATOR)
    device, _ = enrol_app(user)
    log_in(client, user.username)
    wrong = f"{(int(totp_of(device).now()) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:second_factor"), {"code": wrong})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302  # still not through
    failed = AuditEvent.objects.get(action="second_factor.failed")
    assert wrong not in str(failed.changes)
    # django-otp's throttle on the device: even the right code is refused straight after a wrong one.
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    response = client.post(reverse("accounts:second_factor"), {"code": totp_of(device).now()})
    assert "Too many wrong codes" in response.content.decode()


def test_a_recovery_code_works_once_and_its_use_is_audited_without_the_code(client, world):
    user = world.user(Role.MANAGER)
    _, codes = enrol_app(user)
    assert len(codes) == factors.RECOVERY_CODE_COUNT
    log_in(client, user.username)
    response = client.post(reverse("accounts:second_factor"), {"code": codes[0].upper()})
    assert response.status_code == 302
    used = AuditEvent.objects.get(action="second_factor.recovery_code_used")
    assert used.changes["codes_left"] == factors.RECOVERY_CODE_COUNT - 1
    assert codes[0].replace("-", "") not in str(used.changes)
    client.post(reverse("accounts:logout"))
    log_in(client, user.username)
    again = client.post(reverse("accounts:second_factor"), {"code": codes[0]})
    assert again.status_code == 200 and "That code is not right" in again.content.decode()


def test_a_user_without_a_factor_logs_in_with_the_password_alone(client, world):
    response = log_in(client, "coordinator")
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_enrolment_is_offered_on_the_home_page_when_not_required(client, world):
    log_in(client, "coordinator")
    assert 'data-testid="offer-two-factor"' in client.get(reverse("home")).content.decode()


# --- forced enrolment ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PROVISIONING_ADMIN, Role.COORDINATOR, Role.TRAINER, Role.MANAGER])
def test_with_staff_mfa_required_every_staff_role_must_enrol_at_login(client, world, settings, role):
    settings.STAFF_MFA_REQUIRED = True
    log_in(client, world.user(role).username)
    response = client.get(reverse("partners:partner_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:two_factor"))
    page = client.get(reverse("accounts:two_factor"))
    assert 'data-testid="must-enrol"' in page.content.decode()
    assert client.get("/api/v1/partners/").status_code == 403


def test_a_superuser_must_enrol_too(client, world, settings):
    from accounts.models import User

    User.objects.create_superuser("root", "root@example.invalid", TEST_PASSWORD)
    settings.STAFF_MFA_REQUIRED = True
    log_in(client, "root")
    assert client.get(reverse("home")).url.startswith(reverse("accounts:two_factor"))


def test_enrolling_an_app_shows_the_qr_code_and_the_recovery_codes_once_then_lets_the_user_in(client, world, settings):
    settings.STAFF_MFA_REQUIRED = True
    log_in(client, "coordinator")
    page = client.get(reverse("accounts:totp_add"))
    html = page.content.decode()
    assert "<svg" in html
    secret = re.search(r'data-secret="([A-Z2-7]+)"', html).group(1)
    assert client.get(reverse("accounts:totp_add")).content.decode().count(secret)  # same secret on reload
    response = client.post(reverse("accounts:totp_add"), {"code": pyotp.TOTP(secret).now()})
    shown = response.content.decode()
    assert response.status_code == 200 and 'data-testid="recovery-codes"' in shown
    codes = re.findall(r"<li>([a-z2-7]{4}-[a-z2-7]{4})</li>", shown)
    assert len(codes) == factors.RECOVERY_CODE_COUNT
    assert client.get(reverse("partners:partner_list")).status_code == 200
    assert AuditEvent.objects.filter(action="second_factor.added", changes__factor="authenticator app").exists()
    assert secret not in str(list(AuditEvent.objects.values_list("changes", flat=True)))


def test_a_wrong_code_at_enrolment_leaves_the_app_unconfirmed(client, world, settings):
    settings.STAFF_MFA_REQUIRED = True
    log_in(client, "coordinator")
    client.get(reverse("accounts:totp_add"))
    response = client.post(reverse("accounts:totp_add"), {"code": "000000"})
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    assert client.get(reverse("home")).status_code == 302


def test_a_partner_user_is_not_forced_unless_their_partner_requires_it(client, world, settings):
    settings.STAFF_MFA_REQUIRED = True
    log_in(client, "acme_user")
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("accounts:logout"))
    world.partner_a.mfa_required = True
    world.partner_a.save()
    log_in(client, "acme_user")
    assert client.get(reverse("home")).url.startswith(reverse("accounts:two_factor"))


def test_staff_edit_whether_a_partner_requires_two_factor(client, world):
    from partners.services import partner_update

    partner_update(by=world.user(Role.COORDINATOR), partner=world.partner_b, mfa_required=True)
    world.partner_b.refresh_from_db()
    assert world.partner_b.mfa_required
    assert AuditEvent.objects.filter(action="partner.updated", changes__mfa_required=[False, True]).exists()


# --- a user's own factors ------------------------------------------------------------------------------


def test_removing_the_app_takes_the_recovery_codes_with_it_and_is_audited(client, world):
    user = world.user(Role.TRAINER)
    device, _ = enrol_app(user)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    response = client.post(reverse("accounts:factor_remove", kwargs={"kind": "app", "pk": device.pk}))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticToken.objects.filter(device__user=user).exists()
    assert AuditEvent.objects.filter(action="second_factor.removed").exists()


def test_the_last_factor_cannot_be_removed_while_one_is_required(world, settings):
    settings.STAFF_MFA_REQUIRED = True
    user = world.user(Role.TRAINER)
    device, _ = enrol_app(user)
    with pytest.raises(factors.ValidationError):
        factors.factor_remove(user=user, kind=factors.APP, device_id=device.pk)
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_new_recovery_codes_replace_the_old_ones(world):
    user = world.user(Role.TRAINER)
    _, old = enrol_app(user)
    new = factors.recovery_codes_regenerate(user=user)
    assert set(new).isdisjoint(old) and len(new) == factors.RECOVERY_CODE_COUNT
    assert StaticToken.objects.filter(device__user=user).count() == factors.RECOVERY_CODE_COUNT
    assert not StaticToken.objects.filter(token=old[0].replace("-", "")).exists()
    event = AuditEvent.objects.get(action="second_factor.recovery_codes_regenerated")
    assert event.changes == {"codes": factors.RECOVERY_CODE_COUNT}


def test_a_session_that_owes_its_factor_cannot_add_another(client, world):
    user = world.user(Role.COORDINATOR)
    enrol_app(user)
    log_in(client, user.username)
    assert client.get(reverse("accounts:two_factor")).url.startswith(reverse("accounts:second_factor"))
    begin = client.post(reverse("otp_webauthn:credential-registration-begin"))
    assert begin.status_code in (302, 403)


def test_the_partner_form_has_the_two_factor_requirement():
    from partners.forms import PartnerForm

    assert "mfa_required" in PartnerForm().fields


def test_factor_events_read_as_sentences_without_secrets(world):
    from accounts.audit_words import audit_sentence

    user = world.user(Role.MANAGER)
    enrol_app(user)
    event = AuditEvent.objects.get(action="second_factor.added")
    sentence = audit_sentence(
        actor="Mia Manager",
        action=event.action,
        target_label=event.target_label,
        target_id=event.target_id,
        changes=event.changes,
    )
    assert sentence == "Mia Manager added a second factor to the account manager: factor authenticator app"


@pytest.mark.parametrize(
    ("settings_module", "required"),
    [("expoe_portal.settings.production", "True"), ("expoe_portal.settings.local", "False")],
)
def test_staff_mfa_is_required_in_production_and_offered_in_the_demo(settings_module, required):
    from tests.portal.test_security import PRODUCTION_ENV, _manage

    env = {**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": settings_module}
    result = _manage("shell", "-c", "from django.conf import settings; print(settings.STAFF_MFA_REQUIRED)", env=env)
    assert result.stdout.strip().splitlines()[-1] == required, result.stderr
