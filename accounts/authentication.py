"""`Authorization: Token <secret>` for the API (API.md, "Auth"), against the hashed, expiring,
revocable tokens of accounts.models.ApiToken (issue #17)."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .models import ApiToken
from .tokens import hash_secret


class ApiTokenAuthentication(TokenAuthentication):
    """DRF's header parsing (keyword `Token`), our own token lookup. Each refusal is a 401 that says
    why, so an integrator knows whether to ask for a new token or fix their configuration: knowing
    that a token expired or was revoked helps only whoever already holds it."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_secret(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                f"This token was revoked ({token.revoked_reason or 'revoked'}); ask for a new one."
            )
        now = timezone.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(
                f"This token expired on {token.expires_at:%Y-%m-%d %H:%M} UTC; ask for a new one."
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("This token's user is inactive.")
        self.record_use(token, now)
        return (token.user, token)

    @staticmethod
    def record_use(token: ApiToken, now) -> None:
        """last_used_at, written at most once per API_TOKEN_LAST_USED_SECONDS per token: a busy
        integration makes one write a minute, not one per request. The condition sits in the UPDATE,
        so workers answering the same token at once do not all write."""
        every = timedelta(seconds=settings.API_TOKEN_LAST_USED_SECONDS)
        if token.last_used_at is not None and now - token.last_used_at < every:
            return
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - every)
        ).update(last_used_at=now)
        token.last_used_at = now
