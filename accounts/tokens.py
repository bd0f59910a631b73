"""API tokens (issue #17): issue, list, revoke. The services here are the only code that changes a
token; each runs in one transaction with its audit row. A token's secret is returned once, by
`token_issue`, and never stored, logged or audited: only its SHA-256 and its first characters are.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import ApiToken, User
from .services import audit_record

# Every token starts with this, so secret scanners (and people) recognise one in a file or a log.
TOKEN_MARK = "expoe_"
PREFIX_LENGTH = len(TOKEN_MARK) + 6
MANAGE_ALL = "accounts.manage_all_apitokens"

# Why all of a user's tokens ended (tokens.revoked_all), as the audit log says it.
REASON_PASSWORD = "password changed"
REASON_DEACTIVATED = "user deactivated"
REASON_ROLE = "role changed"
REASON_PARTNER = "partner changed"


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown to its owner once, then gone


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def may_manage_all(user) -> bool:
    """Administrators (provisioning_admin, and superusers) list and revoke anyone's tokens."""
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(MANAGE_ALL))


def tokens_visible_to(viewer) -> QuerySet[ApiToken]:
    """The tokens `viewer` may list and revoke: their own, or everyone's for an administrator.
    Only tokens that still work: revoked and expired ones are kept for the record but not listed."""
    live = ApiToken.objects.filter(revoked_at__isnull=True, expires_at__gt=timezone.now()).select_related("user")
    if may_manage_all(viewer):
        return live
    if viewer is None or not viewer.is_authenticated:
        return live.none()
    return live.filter(user=viewer)


def token_issue(*, user: User, name: str, days: int | None = None, by: User | None) -> IssuedToken:
    """A new token for `user`, valid `days` (API_TOKEN_DAYS unless said, at most API_TOKEN_MAX_DAYS).

    `by` is the person asking: the user themselves, or an administrator; None is an operator on the
    command line (`issue_token`), who already holds the server."""
    if by is not None and by.pk != user.pk and not may_manage_all(by):
        raise PermissionDenied("You may only create API tokens for yourself.")
    name = (name or "").strip()
    days = settings.API_TOKEN_DAYS if days is None else days
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Name the token after what will use it, e.g. “billing sync”."]
    elif len(name) > ApiToken._meta.get_field("name").max_length:
        errors["name"] = [f"At most {ApiToken._meta.get_field('name').max_length} characters."]
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        errors["days"] = [f"A token lasts from 1 to {settings.API_TOKEN_MAX_DAYS} days."]
    if not user.is_active:
        errors["user"] = [f"{user.username} is inactive: an inactive user gets no token."]
    if errors:
        raise ValidationError(errors)

    secret = TOKEN_MARK + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            key_hash=hash_secret(secret),
            prefix=secret[:PREFIX_LENGTH],
            created_by=by,
            expires_at=timezone.now() + timedelta(days=days),
        )
        audit_record(
            actor=by,
            action="token.created",
            target=token,
            changes={"name": name, "prefix": token.prefix, "expires_at": token.expires_at.isoformat()},
        )
    return IssuedToken(token=token, secret=secret)


def token_revoke(*, token: ApiToken, by: User | None) -> None:
    """End one token now: its owner or an administrator (None: an operator on the command line)."""
    if by is not None and by.pk != token.user_id and not may_manage_all(by):
        raise PermissionDenied("You may only revoke your own API tokens.")
    with transaction.atomic():
        ended = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=by, revoked_reason="revoked"
        )
        if ended:
            audit_record(
                actor=by,
                action="token.revoked",
                target=token,
                changes={"name": token.name, "prefix": token.prefix, "owner": token.user.username},
            )


def tokens_revoke_all(*, user: User, reason: str, by: User | None = None) -> int:
    """End every token of `user` (a password change, deactivation, a new role or partner); audited
    once, with the reason, when any was still in use. Returns how many ended."""
    with transaction.atomic():
        ended = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()).update(
            revoked_at=timezone.now(), revoked_by=by, revoked_reason=reason[:100]
        )
        if ended:
            audit_record(
                actor=by, action="tokens.revoked_all", target=user, changes={"reason": reason, "tokens": ended}
            )
    return ended
