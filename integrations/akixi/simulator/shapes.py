"""A JSON object read against a shape (contract.py: field name -> kind): every unknown field, missing
field and value of the wrong kind is named, in one list, so one refusal says everything wrong."""

import re
from collections.abc import Callable, Mapping
from typing import Any

from .contract import LOGIN_LOCALES

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# kind -> (what a value of it is, in a message; the test)
KINDS: dict[str, tuple[str, Callable[[object], bool]]] = {
    "text": ("a non-empty text", _text),
    "email": ("an email address", lambda v: _text(v) and bool(EMAIL_RE.match(str(v)))),
    "locale": (" or ".join(LOGIN_LOCALES), lambda v: v in LOGIN_LOCALES),
    "bool": ("true or false", lambda v: isinstance(v, bool)),
    "text_or_null": ("a text or null", lambda v: v is None or _text(v)),
    "int_or_null": ("a whole number or null", lambda v: v is None or _whole(v)),
    "ids": ("a non-empty list of whole numbers", lambda v: isinstance(v, list) and bool(v) and all(map(_whole, v))),
    "object": ("a JSON object", lambda v: isinstance(v, dict)),
}


def shape_errors(body: Mapping[str, Any], shape: Mapping[str, str], *, within: str = "") -> list[str]:
    """What is wrong with `body` against `shape`, in the shape's order, unknown fields last."""
    prefix = f"{within}." if within else ""
    errors = []
    for name, kind in shape.items():
        if name not in body:
            errors.append(f"{prefix}{name} is required")
            continue
        described, test = KINDS[kind]
        if not test(body[name]):
            errors.append(f"{prefix}{name} must be {described}")
    errors += [f"{prefix}{name} is not a known field" for name in body if name not in shape]
    return errors
