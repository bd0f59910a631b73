"""What every platform client shares: the two kinds of error, redaction, and the ExternalCall row
each call leaves behind.

A client raises TransientError for what may work if tried again (timeouts, dropped connections,
5xx, a platform that says "busy") and PermanentError for what will not (a refusal with a reason the
user must act on). Tasks retry the first with backoff and stop on the second, showing its reason.
"""

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models import Model

from expoe_portal.metrics import observe_platform_call

from .choices import CallOutcome
from .models import ExternalCall


class IntegrationError(Exception):
    permanent = False

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


class TransientError(IntegrationError):
    permanent = False


class PermanentError(IntegrationError):
    permanent = True


# Field names whose values never leave the process in a log, a task or an ExternalCall row.
SECRET_KEYS = frozenset(
    {
        "password",
        "newpassword",
        "userpassword",
        "signedpassword",
        "apikey",
        "x-api-key",
        "token",
        "authorization",
        "secret",
        "sessiontoken",
    }
)
REDACTED = "********"
_XML_SECRET = re.compile(
    r"<(?P<tag>(?:\w+:)?(?:password|newPassword|userPassword|signedPassword|apiKey|token))>.*?</(?P=tag)>",
    re.IGNORECASE | re.DOTALL,
)


def _is_secret_key(key: object) -> bool:
    return str(key).replace("_", "").lower() in SECRET_KEYS


def redact(value: Any) -> Any:
    """A copy of `value` with every secret replaced: dict keys named like secrets, and the same
    elements inside XML text (OCI-P requests are XML)."""
    if isinstance(value, dict):
        return {k: (REDACTED if _is_secret_key(k) else redact(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str) and "<" in value:
        return _XML_SECRET.sub(lambda m: f"<{m.group('tag')}>{REDACTED}</{m.group('tag')}>", value)
    return value


# Who is calling (e.g. "build:12/step:admins") and for which partner: set once around a unit of
# work with `calling_for`, read by every recorded_call inside it, so clients need not pass it on.
# The partner is whatever model instance the portal keys its partners by: integrations only pass it on.
_calling_for: ContextVar[tuple[str, Model | None]] = ContextVar("calling_for", default=("", None))
# Inside `calling_for`: the rows of reads made since the last write, not yet saved.
_unsaved_reads: ContextVar[list[ExternalCall] | None] = ContextVar("unsaved_reads", default=None)


@contextmanager
def calling_for(context: str, *, partner: Model | None = None) -> Iterator[None]:
    """Every call inside is recorded for `context` and `partner`. A read's row is saved with the
    next write's row, in one insert, or when the block ends, however it ends: a read changes
    nothing on the platform, so a process killed before then leaves nothing there to account for,
    and a build step pays one round trip for its reads instead of two per read."""
    token = _calling_for.set((context, partner))
    reads: list[ExternalCall] = []
    reads_token = _unsaved_reads.set(reads)
    try:
        yield
    finally:
        _unsaved_reads.reset(reads_token)
        _calling_for.reset(token)
        if reads:
            ExternalCall.objects.bulk_create(reads)


_ERROR_KINDS: dict[str, str] = {CallOutcome.TRANSIENT_ERROR: "transient", CallOutcome.PERMANENT_ERROR: "permanent"}


class _Call:
    """Handed to the block inside `recorded_call`; the client sets `response` when it has one."""

    def __init__(self, row: ExternalCall) -> None:
        self.row = row
        self.response: Any = None


@contextmanager
def recorded_call(
    *,
    platform: str,
    operation: str,
    target: str = "",
    request: Any = None,
    partner: Model | None = None,
    context: str = "",
    read: bool = False,
) -> Iterator[_Call]:
    """Record one platform call. A call that may change the platform is saved before it is sent (so
    a process killed mid-call leaves a "started" row behind: the change may have been made), and
    completed with its outcome, duration and the redacted response after it. A `read` is saved
    once, complete, after it returns (inside `calling_for`, later still: see there). Errors are
    re-raised unchanged."""
    default_context, default_partner = _calling_for.get()
    partner = partner or default_partner
    row = ExternalCall(
        platform=platform,
        operation=operation,
        target=target[:200],
        context=(context or default_context)[:100],
        partner_id=partner.pk if partner is not None else None,
        request=redact(request) if request is not None else {},
    )
    unsaved_reads = _unsaved_reads.get()
    if not read:
        # The reads before it go in the same insert.
        ExternalCall.objects.bulk_create([*(unsaved_reads or ()), row])
        if unsaved_reads:
            unsaved_reads.clear()
    call = _Call(row)
    started = time.monotonic()
    try:
        yield call
    except IntegrationError as exc:
        row.outcome = CallOutcome.PERMANENT_ERROR if exc.permanent else CallOutcome.TRANSIENT_ERROR
        row.error = str(exc)[:2000]
        raise
    except Exception as exc:
        # Not classified by the client: record it as permanent so nobody retries blindly.
        row.outcome = CallOutcome.PERMANENT_ERROR
        row.error = f"{type(exc).__name__}: {exc}"[:2000]
        raise
    else:
        row.outcome = CallOutcome.OK
    finally:
        elapsed = time.monotonic() - started
        row.duration_ms = int(elapsed * 1000)
        row.response = redact(call.response) if call.response is not None else {}
        if not read:
            row.save(update_fields=["outcome", "error", "duration_ms", "response"])
        elif unsaved_reads is not None:
            unsaved_reads.append(row)
        else:
            row.save()
        # Prometheus sees the same call (operation names only, never the target or the request).
        observe_platform_call(platform, operation, elapsed, error=_ERROR_KINDS.get(row.outcome, ""))
