"""Faults on the REST simulators (Akixi, Call Cabinet): the rules they understand and the ASGI
middleware that applies them, in front of everything but `/_sim/`.

Faults file (`<state stem>.faults.json`, re-read on every request; `POST /_sim/faults` writes it):

    {"delay_ms": 0,
     "rules": [{"kind": "unavailable", "count": 2, "path": "/api/v1/customers", "method": "POST"},
               {"kind": "reject", "status": 403, "reason": "Reseller suspended"},
               {"kind": "drop"},
               {"kind": "slow", "delay_ms": 5000}]}

Each request takes the first rule whose path (the path itself or anything below it) and method match,
and spends one of its `count` (default 1); a spent rule disappears from the file. Kinds: `unavailable`
is a transient 503 with Retry-After; `reject` a permanent 4xx with the reason as message; `drop` sends
half a reply and closes the connection (needs a real server; the request is not carried out); `slow`
waits `delay_ms` and then carries the request out, so a client that timed out meanwhile meets its own
write when it retries. `delay_ms` at the top delays every reply: it leaves that long after the request
arrived (the platform's time to answer, its own work included).
"""

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .faults import FaultInjector, InvalidFaults, Rule
from .state import Document

logger = logging.getLogger(__name__)

ADMIN_PREFIX = "/_sim/"
FAULT_KINDS = ("unavailable", "reject", "drop", "slow")


def http_faults(path: Path, *, extra_keys: dict[str, type] | None = None) -> FaultInjector:
    """The faults of a REST simulator. `extra_keys` names further top-level switches it understands
    (name → type), such as Akixi's `sync_stall`; they are checked for type and otherwise kept."""
    extra = extra_keys or {}
    return FaultInjector(path, normalise=lambda doc: _normalise(doc, extra))


def matching(method: str, path: str) -> Callable[[Rule], bool]:
    """Whether a rule applies to a request: its method, and its path or anything below it."""

    def matches(rule: Rule) -> bool:
        if rule.get("method", method.upper()) != method.upper():
            return False
        prefix = rule.get("path")
        return not prefix or prefix == "/" or path.rstrip("/") == prefix or path.startswith(prefix + "/")

    return matches


def _normalise(doc: object, extra_keys: dict[str, type]) -> Document:
    if not isinstance(doc, dict):
        raise InvalidFaults("faults must be a JSON object")
    unknown = set(doc) - {"delay_ms", "rules", *extra_keys}
    if unknown:
        raise InvalidFaults(f"unknown keys: {', '.join(sorted(unknown))}")
    rules = doc.get("rules", [])
    if not isinstance(rules, list):
        raise InvalidFaults("rules must be a list")
    normalised = {
        "delay_ms": _non_negative_int(doc.get("delay_ms", 0), "delay_ms"),
        "rules": [_normalise_rule(rule, index) for index, rule in enumerate(rules)],
    }
    for key, kind in extra_keys.items():
        if key in doc:
            if not isinstance(doc[key], kind):
                raise InvalidFaults(f"{key} must be of type {kind.__name__}")
            normalised[key] = doc[key]
    return normalised


def _non_negative_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidFaults(f"{name} must be a whole number >= 0")
    return value


def _normalise_rule(rule: object, index: int) -> Rule:
    where = f"rules[{index}]"
    if not isinstance(rule, dict):
        raise InvalidFaults(f"{where} must be an object")
    kind = rule.get("kind")
    if kind not in FAULT_KINDS:
        raise InvalidFaults(f"{where}.kind must be one of {', '.join(FAULT_KINDS)}")
    count = rule.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise InvalidFaults(f"{where}.count must be a whole number >= 1")
    normalised: Rule = {"kind": kind, "count": count}
    path = rule.get("path")
    if path is not None:
        if not isinstance(path, str) or not path.startswith("/"):
            raise InvalidFaults(f"{where}.path must start with /")
        normalised["path"] = path.rstrip("/") or "/"
    method = rule.get("method")
    if method is not None:
        if not isinstance(method, str) or not method.isalpha():
            raise InvalidFaults(f"{where}.method must be an HTTP method such as POST")
        normalised["method"] = method.upper()
    normalised["delay_ms"] = _non_negative_int(rule.get("delay_ms", 1000 if kind == "slow" else 0), f"{where}.delay_ms")
    if kind == "reject":
        status = rule.get("status", 400)
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 499:
            raise InvalidFaults(f"{where}.status must be a 4xx status code")
        reason = rule.get("reason", "Rejected by an injected fault")
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidFaults(f"{where}.reason must be a non-empty text")
        normalised.update(status=status, reason=reason)
    return normalised


async def _buffered(receive: Receive) -> Receive:
    """The whole request body read now, and a `receive` that hands it over again later."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return receive
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    pending: list[Message] = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay


def _not_before(due: float, send: Send) -> Send:
    """`send`, holding the reply's start until the loop's clock reaches `due`."""

    async def send_when_due(message: Message) -> None:
        if message["type"] == "http.response.start":
            wait = due - asyncio.get_running_loop().time()
            if wait > 0:
                await asyncio.sleep(wait)
        await send(message)

    return send_when_due


class FaultMiddleware:
    """ASGI middleware in front of everything but `/_sim/`, before authentication: an injected fault
    stands for the network or a load balancer, which know nothing of API keys."""

    def __init__(self, app: ASGIApp, injector: FaultInjector) -> None:
        self.app = app
        self.injector = injector

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        rule, faults = self.injector.take(matching(scope["method"], scope["path"]))
        if faults["delay_ms"]:
            # The platform's time to answer, counted from the request's arrival: the simulator's own
            # work is part of it, as a real platform's is (a rule's delay comes on top).
            send = _not_before(asyncio.get_running_loop().time() + faults["delay_ms"] / 1000, send)
        if rule is not None:
            logger.info("Injecting fault %s on %s %s", rule["kind"], scope["method"], scope["path"])
            if rule["delay_ms"]:
                # Read the body first: a client that gives up during the wait must not stop a slow write.
                receive = await _buffered(receive)
                await asyncio.sleep(rule["delay_ms"] / 1000)
        if rule is None or rule["kind"] == "slow":
            await self.app(scope, receive, send)
        elif rule["kind"] == "unavailable":
            body = {"code": "unavailable", "message": "Service temporarily unavailable", "transient": True}
            await JSONResponse(body, status_code=503, headers={"Retry-After": "1"})(scope, receive, send)
        elif rule["kind"] == "reject":
            body = {"code": "rejected", "message": rule["reason"], "transient": False}
            await JSONResponse(body, status_code=rule["status"])(scope, receive, send)
        else:  # drop: promise a body, send part of it and return; uvicorn then closes the connection.
            headers = [(b"content-type", b"application/json"), (b"content-length", b"512")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": b'{"partial": ', "more_body": True})
