"""Pages for the second factor (#17): the login's second step, and a user's own factors.

The step after the password is `second_factor`; SecondFactorMiddleware keeps a session that owes a
factor there (or on `two_factor` when it must enrol) until it is verified.
"""

import base64

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from expoe_portal.forms import BootstrapFormMixin

from . import factors
from .middleware import ENROL, remember_state, session_state
from .second_factor import (
    CodeRefused,
    check_code,
    factor_required,
    has_factor,
    passkeys,
    recovery_codes_left,
    totp_device,
)


class CodeForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The six-digit code your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )


def _next_url(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    return "home"


def _verified(request, device, *, message: str = ""):
    """The session passed its second factor: django-otp remembers the device in the session."""
    otp_login(request, device)
    remember_state(request, request.user)
    if message:
        messages.info(request, message)


@login_required
def second_factor(request):
    """The login's second step: a code (authenticator app or recovery code) or a passkey."""
    if request.user.is_verified() or not has_factor(request.user):
        remember_state(request, request.user)  # reset by an administrator meanwhile: no factor to ask for
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = check_code(user=request.user, code=form.cleaned_data["code"], via="portal login")
        except CodeRefused as refused:
            form.add_error("code", str(refused))
        else:
            left = recovery_codes_left(request.user)
            used_recovery = isinstance(device, StaticDevice)
            _verified(
                request,
                device,
                message=f"You used a recovery code: {left} left. Make new ones on your Two-factor authentication page."
                if used_recovery
                else "",
            )
            return redirect(_next_url(request))
    return render(
        request,
        "accounts/second_factor.html",
        {
            "form": form,
            "has_app": totp_device(request.user) is not None,
            "has_passkey": passkeys(request.user).exists(),
            "next": _next_url(request) if _next_url(request) != "home" else "",
        },
    )


@login_required
def two_factor(request):
    """A user's own factors: add or remove an authenticator app and passkeys, new recovery codes."""
    remember_state(request, request.user)  # a passkey just added (by django-otp-webauthn's view) counts
    return render(
        request,
        "accounts/two_factor.html",
        {
            "app": totp_device(request.user),
            "passkeys": list(passkeys(request.user)),
            "codes_left": recovery_codes_left(request.user),
            "has_factor": has_factor(request.user),
            "required": factor_required(request.user),
            "must_enrol": session_state(request) == ENROL and not request.user.is_verified(),
        },
    )


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    # Our own drawing: paths and numbers only, no text from the user.
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308


@login_required
def totp_add(request):
    """Set up an authenticator app: scan the QR code (or type the key), confirm with a code; the
    recovery codes are then shown once, on this response only."""
    try:
        device = factors.totp_pending(user=request.user)
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
        return redirect("accounts:two_factor")
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = "The six-digit code your app shows now for this account."
    if request.method == "POST" and form.is_valid():
        try:
            codes = factors.totp_confirm(user=request.user, device=device, code=form.cleaned_data["code"])
        except CodeRefused as refused:
            form.add_error("code", str(refused))
        else:
            device.refresh_from_db()
            _verified(request, device)
            messages.success(request, "Your authenticator app is set up. Logins now ask for its code.")
            if codes:
                return render(request, "accounts/recovery_codes.html", {"codes": codes, "first": True})
            return redirect("accounts:two_factor")
    secret = _base32(device.bin_key)
    return render(
        request,
        "accounts/totp_add.html",
        {"form": form, "qr": _qr_svg(device.config_url), "secret": secret, "secret_groups": _groups(secret)},
    )


def _base32(key: bytes) -> str:
    return base64.b32encode(key).decode().rstrip("=")


def _groups(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@require_POST
def factor_remove(request, kind, pk):
    if kind not in {"app", "passkey"}:
        raise PermissionDenied("No such factor.")
    try:
        factors.factor_remove(user=request.user, kind=factors.APP if kind == "app" else factors.PASSKEY, device_id=pk)
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
    else:
        remember_state(request, request.user)
        messages.success(request, "Removed." if has_factor(request.user) else "Removed: you have no second factor now.")
    return redirect("accounts:two_factor")


@login_required
@require_POST
def recovery_codes(request):
    try:
        codes = factors.recovery_codes_regenerate(user=request.user)
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
        return redirect("accounts:two_factor")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "first": False})
