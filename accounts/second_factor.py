"""The second factor (#17): who must have one, and checking a code.

A factor is an authenticator app (django-otp's TOTP device) or a passkey (django-otp-webauthn's
credential). Recovery codes (django-otp's static device) stand in for either when it is lost, so
they do not count as a factor of their own. The use cases that add and remove factors are in
factors.py; the login step and enrolment pages in factor_views.py.

Wrong codes are throttled by django-otp on the device itself (a row in the database, so every web
process sees it): after n consecutive failures the next try is refused for 2**n seconds
(OTP_*_THROTTLE_FACTOR), whatever the code.
"""

import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from .services import audit_record

TOTP_DIGITS = re.compile(r"^\d{6}$")


def totp_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def passkeys(user: Any):
    return WebAuthnCredential.objects.devices_for_user(user, confirmed=True).order_by("created_at")


def recovery_device(user: Any) -> StaticDevice | None:
    return StaticDevice.objects.devices_for_user(user, confirmed=True).first()


def recovery_codes_left(user: Any) -> int:
    device = recovery_device(user)
    return device.token_set.count() if device else 0


def has_factor(user: Any) -> bool:
    """An authenticator app or a passkey, confirmed."""
    return totp_device(user) is not None or passkeys(user).exists()


def factor_required(user: Any) -> bool:
    """Must this user have a factor: every staff user while STAFF_MFA_REQUIRED is on; a partner user
    when their partner says so."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff_member:
        return bool(settings.STAFF_MFA_REQUIRED)
    partner = user.partner if user.partner_id else None
    return bool(partner and partner.mfa_required)


def must_enrol(user: Any) -> bool:
    return factor_required(user) and not has_factor(user)


def normalise_code(code: str) -> str:
    """What a person types: spaces and dashes dropped, recovery codes in lower case."""
    return re.sub(r"[\s-]", "", code or "").lower()


class CodeRefused(Exception):
    """A code that did not verify; the message says why in words for the person typing it."""


def check_code(*, user: Any, code: str, via: str) -> Any:
    """The device that accepts `code` (six digits: the authenticator app; otherwise a recovery code,
    used up), or CodeRefused. Failures and used recovery codes are audited; no code is recorded."""
    code = normalise_code(code)
    if not code:
        raise CodeRefused("Enter the six-digit code from your authenticator app, or a recovery code.")
    device: Any = totp_device(user) if TOTP_DIGITS.match(code) else recovery_device(user)
    if device is None:
        audit_failure(user=user, via=via, kind=f"{_kind(code)}, none set up")
        if TOTP_DIGITS.match(code):
            raise CodeRefused("You have no authenticator app set up: use a passkey or a recovery code.")
        raise CodeRefused("That code is not right. Enter the six-digit code from your authenticator app.")
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        audit_failure(user=user, via=via, kind=f"{_kind(code)}, refused unchecked after wrong codes")
        raise CodeRefused(
            "Too many wrong codes in a row: wait a little (longer after each wrong code), then try the current code."
        )
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        if device.verify_token(code):
            if isinstance(device, StaticDevice):
                audit_record(
                    actor=user,
                    action="second_factor.recovery_code_used",
                    target=user,
                    changes={"codes_left": device.token_set.count(), "via": via},
                )
            return device
    audit_failure(user=user, via=via, kind=_kind(code))
    raise CodeRefused("That code is not right. Check your authenticator app’s clock and enter the current code.")


def _kind(code: str) -> str:
    return "authenticator app" if TOTP_DIGITS.match(code) else "recovery code"


def audit_failure(*, user: Any, via: str, kind: str) -> None:
    with transaction.atomic():
        audit_record(actor=user, action="second_factor.failed", target=user, changes={"factor": kind, "via": via})


PASSKEY_ONLY_TOKEN = (
    "A passkey cannot be checked by the API. To get a token, add an authenticator app on the portal’s "
    "“Two-factor authentication” page and send its current code as “otp”, or ask an operator for "
    "`manage.py issue_token`."
)
ENROL_FIRST = (
    "Staff must set up two-factor authentication before getting an API token: log in to the portal, "
    "set up an authenticator app, then send its current code as “otp”."
)


def token_refusal(user: Any, otp: str | None) -> dict[str, list[str]] | None:
    """Field errors (answered as 400) when `user` may not have a token with this `otp`, else None.

    A user with an authenticator app sends its current code (or a recovery code) as `otp`; staff who
    must enrol and have not are refused; a passkey cannot be used over the API."""
    if totp_device(user) is not None:
        if not otp:
            return {"otp": ["Send the current code from your authenticator app (or a recovery code) as “otp”."]}
        try:
            check_code(user=user, code=otp, via="API token")
        except CodeRefused as refused:
            return {"otp": [str(refused)]}
        return None
    if passkeys(user).exists():
        return {"otp": [PASSKEY_ONLY_TOKEN]}
    if must_enrol(user):
        return {"otp": [ENROL_FIRST]}
    return None
