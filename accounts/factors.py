"""Use cases for a user's second factors (#17): add and remove them, recovery codes, an
administrator's reset. Each one audited in its own transaction; no secret or code is ever in the
audit's changes (a count at most)."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from .models import User
from .second_factor import CodeRefused, factor_required, has_factor, normalise_code, passkeys, totp_device
from .services import audit_record, require_perm

RECOVERY_CODE_COUNT = 10
APP = "authenticator app"
PASSKEY = "passkey"


def totp_pending(*, user: User) -> TOTPDevice:
    """The authenticator app being set up: its secret stays the same until it is confirmed, so
    reloading the page does not invalidate a QR code already scanned."""
    if totp_device(user) is not None:
        raise ValidationError("You already have an authenticator app. Remove it first to set up another.")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def totp_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the app with its current code. Returns the new recovery codes when the user had none
    (shown once), else []."""
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied("This authenticator app is not yours to confirm.")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not device.verify_token(normalise_code(code)):
            raise CodeRefused("That code is not right. Enter the code your app shows now (it changes every 30 s).")
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = [] if _codes_left(user) else _new_recovery_codes(user)
        audit_record(actor=user, action="second_factor.added", target=user, changes={"factor": APP})
    return codes


def passkey_added(*, user: User, credential: Any) -> None:
    """Audit a passkey that django-otp-webauthn's registration ceremony has just saved."""
    audit_record(
        actor=user, action="second_factor.added", target=user, changes={"factor": PASSKEY, "name": credential.name}
    )


def factor_remove(*, user: User, kind: str, device_id: int) -> None:
    """Remove one of the user's own factors. The last one cannot go while a factor is required;
    with no factor left, the recovery codes go too."""
    model: Any = TOTPDevice if kind == APP else WebAuthnCredential
    with transaction.atomic():
        device = model.objects.filter(user=user, pk=device_id, confirmed=True).first()
        if device is None:
            raise ValidationError("That factor no longer exists.")
        if kind == APP:
            others = passkeys(user).exists()
        else:
            others = totp_device(user) is not None or passkeys(user).exclude(pk=device.pk).exists()
        if not others and factor_required(user):
            raise ValidationError("Your account must keep a second factor: add another before removing this one.")
        name = device.name
        device.delete()
        if not others:
            StaticDevice.objects.filter(user=user).delete()
        audit_record(actor=user, action="second_factor.removed", target=user, changes={"factor": kind, "name": name})


def recovery_codes_regenerate(*, user: User) -> list[str]:
    """New recovery codes (shown once); the old ones stop working."""
    if not has_factor(user):
        raise ValidationError("Set up an authenticator app or a passkey first.")
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit_record(
            actor=user,
            action="second_factor.recovery_codes_regenerated",
            target=user,
            changes={"codes": len(codes)},
        )
    return codes


def factors_reset(*, by: User, user: User) -> None:
    """An administrator removes every factor of `user` (a lost phone); they enrol again at their next
    login if a factor is required of them."""
    require_perm(by, "accounts.change_user", action="reset a user’s two-factor authentication")
    if by.pk == user.pk:
        raise PermissionDenied("Reset your own factors on your Two-factor authentication page.")
    with transaction.atomic():
        removed = {
            "authenticator_apps": TOTPDevice.objects.filter(user=user).delete()[1].get("otp_totp.TOTPDevice", 0),
            "passkeys": WebAuthnCredential.objects.filter(user=user).delete()[1].get(WebAuthnCredential._meta.label, 0),
        }
        StaticDevice.objects.filter(user=user).delete()
        audit_record(actor=by, action="second_factor.reset", target=user, changes=removed)


def _codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _new_recovery_codes(user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": "Recovery codes", "confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return [f"{code[:4]}-{code[4:]}" for code in codes]
