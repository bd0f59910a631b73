"""How the REST simulators refuse a request: `ApiError` (rendered as `{"code", "message",
"errors"?}` with its status), and `Checks`, which collects every field error of a body into one 422,
as a strict platform would."""

import hmac
import re
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ApiError(Exception):
    """A refusal rendered as `{"code", "message", "errors"?}` with its status."""

    def __init__(self, status: int, code: str, message: str, *, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors


async def json_object(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise ApiError(400, "bad_request", "The body must be JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "The body must be a JSON object")
    return body


def same_secret(presented: str | None, expected: str) -> bool:
    """Whether a presented key or password is the expected one, compared in constant time."""
    return presented is not None and hmac.compare_digest(presented.encode(), expected.encode())


def utc_iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat()


class Checks:
    """Collects every field error of one request body, then raises them together as one 422."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.errors: list[dict[str, str]] = []

    def fail(self, field: str, message: str) -> None:
        self.errors.append({"field": field, "message": message})

    # A field that fails reads as "": the request is refused (raise_if_any) before the value is used.
    def text(self, field: str) -> str:
        value = self.body.get(field)
        if not isinstance(value, str) or not value.strip():
            self.fail(field, f"{field} is required")
            return ""
        return value.strip()

    def email(self, field: str) -> str:
        value = self.text(field)
        if value and not EMAIL_RE.match(value):
            self.fail(field, f"{field} is not a valid email address")
            return ""
        return value

    def exact(self, field: str, expected: str) -> None:
        value = self.body.get(field)
        if value != expected:
            got = f', not "{value}"' if value is not None else ""
            self.fail(field, f'{field} must be "{expected}"{got}')

    def true(self, field: str) -> None:
        if self.body.get(field) is not True:
            self.fail(field, f"{field} must be true")

    def absent(self, field: str, why: str) -> None:
        if field in self.body:
            self.fail(field, f"{field} must not be sent: {why}")

    def raise_if_any(self) -> None:
        if self.errors:
            raise ApiError(422, "validation_failed", "; ".join(e["message"] for e in self.errors), errors=self.errors)
