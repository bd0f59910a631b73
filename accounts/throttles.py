"""Counts that limit log-in failures and password-reset requests (#17).

They live in the "throttles" cache, which every web process and host shares (Redis, or the
database without it; settings CACHES), so a limit holds whichever process answers. A fixed window:
the count starts with the first hit and the key expires with the window."""

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address, found as axes finds it (so both limits agree on who is asking)."""
    return get_client_ip_address(request) or "unknown"


def _cache():
    return caches["throttles"]


def hit(key: str, *, window_seconds: int) -> int:
    """Count one more in `key`'s window; returns the count so far."""
    cache = _cache()
    if cache.add(key, 1, timeout=window_seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: this is the first of a new window
        cache.add(key, 1, timeout=window_seconds)
        return 1


def count(key: str) -> int:
    return int(_cache().get(key, 0))


def login_failures_key(address: str) -> str:
    return f"login-failures:{address}"


def login_failure_hit(request: HttpRequest) -> None:
    hit(login_failures_key(client_address(request)), window_seconds=settings.LOGIN_FAILURES_WINDOW_MINUTES * 60)


def login_blocked(request: HttpRequest) -> bool:
    """Too many failed log-ins from this address, whatever the usernames (axes counts per username)."""
    return count(login_failures_key(client_address(request))) >= settings.LOGIN_FAILURES_PER_ADDRESS


def password_reset_allowed(request: HttpRequest, email: str) -> tuple[bool, bool]:
    """Count one reset request; returns (address within its limit, email address within its limit)."""
    window = settings.PASSWORD_RESETS_WINDOW_MINUTES * 60
    by_address = hit(f"password-reset-address:{client_address(request)}", window_seconds=window)
    by_email = hit(f"password-reset-email:{email.strip().lower()}", window_seconds=window)
    return (
        by_address <= settings.PASSWORD_RESETS_PER_ADDRESS,
        by_email <= settings.PASSWORD_RESETS_PER_EMAIL,
    )
