"""Security events and the password use cases (#17): log-ins, failures, lockouts, log-outs,
password changes and resets, each in the audit log (never a password, never a reset link).

The receivers below are infrastructure (connected in apps.py): Django and axes announce log-ins
by signal, from the login page, the API's token endpoint and the admin alike."""

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from expoe_portal.outbox import email_queue

from .models import AuditEvent, User
from .services import audit_record
from .throttles import client_address, login_failure_hit

# A username tried at the login page is kept to this length in the audit log.
TRIED_NAME_LENGTH = 150
# Set on a request whose session the idle rule ends (middleware.py), so its log-out reads as such.
IDLE_SIGN_OUT = "_portal_idle_sign_out"


def _address(request: HttpRequest | None) -> dict[str, str]:
    return {"address": client_address(request)} if request is not None else {}


def login_succeeded(*, user: User, request: HttpRequest | None) -> None:
    with transaction.atomic():
        audit_record(actor=user, action="login.succeeded", target=user, changes=_address(request))


def login_failed(*, username: str, request: HttpRequest | None) -> None:
    """A wrong password, an unknown username, or a try while locked out. The row names the user
    when there is one, else the name tried; the password is never seen here."""
    tried = (username or "")[:TRIED_NAME_LENGTH]
    user = User.objects.filter(username=tried).first() if tried else None
    with transaction.atomic():
        audit_record(
            actor=None,
            action="login.failed",
            target=user,
            target_label=tried or "(no username)",
            changes=_address(request),
        )


def login_locked_out(*, username: str, request: HttpRequest | None) -> None:
    """Axes locked this username out from this address. Axes says so again at every try while the
    lock lasts; the log keeps the first."""
    tried = (username or "")[:TRIED_NAME_LENGTH]
    changes = _address(request)
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    if AuditEvent.objects.filter(
        action="login.locked_out", target_label=tried, changes__address=changes.get("address"), at__gte=since
    ).exists():
        return
    user = User.objects.filter(username=tried).first() if tried else None
    with transaction.atomic():
        audit_record(actor=None, action="login.locked_out", target=user, target_label=tried, changes=changes)


def logged_out(*, user: User | None, request: HttpRequest | None) -> None:
    if user is None:
        return
    with transaction.atomic():
        if getattr(request, IDLE_SIGN_OUT, False):
            changes = {"idle_minutes": settings.STAFF_SESSION_IDLE_MINUTES}
            audit_record(actor=user, action="login.idle_signed_out", target=user, changes=changes)
        else:
            audit_record(actor=user, action="login.logged_out", target=user, changes=_address(request))


def password_set(*, user: User, password: str, by_reset: bool = False) -> None:
    """A user sets their own password: by changing it (old password given) or with an emailed
    reset link. The validators (with zxcvbn's) apply either way."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password2": exc.messages}) from exc
    with transaction.atomic():
        user.set_password(password)
        user.save()
        if by_reset:
            audit_record(actor=user, action="password.reset_completed", target=user)
        else:
            audit_record(actor=user, action="password.changed", target=user)


def password_reset_users(email: str) -> list[User]:
    """Who a reset for `email` goes to: active users with a usable password (Django's rule)."""
    users = User.objects.filter(email__iexact=email.strip(), is_active=True)
    return [user for user in users if user.has_usable_password() and user.email]


def password_reset_request(*, email: str, request: HttpRequest | None, send: bool = True) -> int:
    """Email a reset link to every account with this address; returns how many were queued.

    The answer the page gives never depends on it (an address with no account reads the same).
    The email goes through the outbox, so a mail server that is down delays it, and the link
    starts with PORTAL_BASE_URL, never the request's Host header (which a caller chooses). With
    `send` False (the per-email limit is spent) the request is recorded and nothing is sent."""
    users = password_reset_users(email) if send else []
    changes: dict[str, Any] = {**_address(request), "emails_sent": len(users)}
    if not send:
        changes["not_sent"] = "too many requests for this email address within the hour"
    with transaction.atomic():
        if not users:
            audit_record(
                actor=None, action="password.reset_requested", target=None, target_label=email, changes=changes
            )
        for user in users:
            audit_record(actor=None, action="password.reset_requested", target=user, changes=changes)
            email_queue(_reset_message(user), kind="account.password_reset")
    return len(users)


def _reset_message(user: User) -> EmailMessage:
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context: dict[str, Any] = {
        "user": user,
        "link": f"{settings.PORTAL_BASE_URL.rstrip('/')}{path}",
        "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
    }
    body = render_to_string("accounts/email/password_reset.txt", context)
    return EmailMessage(subject="Reset your EXPO.e portal password", body=body, to=[user.email])


# --- receivers (connected in apps.py) ----------------------------------------------------------


def on_logged_in(sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any) -> None:
    if isinstance(user, get_user_model()):
        login_succeeded(user=user, request=request)


def on_login_failed(
    sender: Any, credentials: dict | None = None, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str((credentials or {}).get("username") or "")
    if request is not None:
        login_failure_hit(request)
    login_failed(username=username, request=request)


def on_locked_out(sender: Any, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any) -> None:
    login_locked_out(username=username or "", request=request)


def on_logged_out(sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any) -> None:
    logged_out(user=user if isinstance(user, get_user_model()) else None, request=request)


def connect_receivers() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="accounts.security.logged_in")
    user_login_failed.connect(on_login_failed, dispatch_uid="accounts.security.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="accounts.security.locked_out")
    user_logged_out.connect(on_logged_out, dispatch_uid="accounts.security.logged_out")
