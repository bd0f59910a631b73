"""What the two HTTP simulators (Akixi here, Call Cabinet beside it) share: a JSON state file written
atomically, fault injection driven by a file beside it and by `/_sim/` endpoints, JSON errors, field
checks and the uvicorn runner.

Simulator-only code: no client imports it, and nothing here exists on the real platforms. It lives in
the Akixi package only because `integrations/` itself belonged to someone else when it was written;
move it to `integrations/simkit.py` when convenient.

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
write when it retries. `delay_ms` at the top delays every request.
"""

import argparse
import asyncio
import json
import logging
import os
import re
import tempfile
import time
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

logger = logging.getLogger(__name__)

ADMIN_PREFIX = "/_sim/"
FAULT_KINDS = ("unavailable", "reject", "drop", "slow")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def utc_iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat()


def write_json_atomic(path: Path, data) -> None:
    """Write to a temporary file in the same directory, flush it to disk, then rename over `path`:
    a reader (or a crash) sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the state holds no secrets and tools read it
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


class JsonState:
    """The simulator's whole state: one JSON document, loaded at start and saved after every change."""

    def __init__(self, path: Path, empty: Callable[[], dict]):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)  # so a faults file can be put beside it at once
        self._empty = empty
        self.data = self._load()

    def _load(self) -> dict:
        if not self.path.exists():
            return self._empty()
        with self.path.open(encoding="utf-8") as handle:
            return {**self._empty(), **json.load(handle)}

    def save(self) -> None:
        write_json_atomic(self.path, self.data)

    def reset(self) -> None:
        self.data = self._empty()
        self.save()


def faults_path_for(state_path: Path) -> Path:
    state_path = Path(state_path)
    return state_path.with_name(f"{state_path.stem}.faults.json")


class InvalidFaults(ValueError):
    pass


def _non_negative_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidFaults(f"{name} must be a whole number >= 0")
    return value


def _normalise_rule(rule, index: int) -> dict:
    where = f"rules[{index}]"
    if not isinstance(rule, dict):
        raise InvalidFaults(f"{where} must be an object")
    kind = rule.get("kind")
    if kind not in FAULT_KINDS:
        raise InvalidFaults(f"{where}.kind must be one of {', '.join(FAULT_KINDS)}")
    count = rule.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise InvalidFaults(f"{where}.count must be a whole number >= 1")
    normalised = {"kind": kind, "count": count}
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


class FaultInjector:
    """Reads the faults file on every request, so an operator can edit it while the simulator runs.

    `extra_keys` names further top-level switches a simulator understands (name → type), such as
    Akixi's `sync_stall`; they are checked for type and otherwise passed through.
    """

    def __init__(self, path: Path, *, extra_keys: dict[str, type] | None = None):
        self.path = Path(path)
        self.extra_keys = extra_keys or {}

    def normalise(self, doc) -> dict:
        if not isinstance(doc, dict):
            raise InvalidFaults("faults must be a JSON object")
        unknown = set(doc) - {"delay_ms", "rules", *self.extra_keys}
        if unknown:
            raise InvalidFaults(f"unknown keys: {', '.join(sorted(unknown))}")
        rules = doc.get("rules", [])
        if not isinstance(rules, list):
            raise InvalidFaults("rules must be a list")
        normalised = {
            "delay_ms": _non_negative_int(doc.get("delay_ms", 0), "delay_ms"),
            "rules": [_normalise_rule(rule, index) for index, rule in enumerate(rules)],
        }
        for key, kind in self.extra_keys.items():
            if key in doc:
                if not isinstance(doc[key], kind):
                    raise InvalidFaults(f"{key} must be of type {kind.__name__}")
                normalised[key] = doc[key]
        return normalised

    def read(self) -> dict:
        """The current faults; none when the file is missing, and none (with a warning) when it is not
        valid, so a half-edited file never takes the simulator down."""
        try:
            with self.path.open(encoding="utf-8") as handle:
                return self.normalise(json.load(handle))
        except FileNotFoundError:
            return self.normalise({})
        except (ValueError, InvalidFaults) as exc:
            logger.warning("Ignoring faults file %s: %s", self.path, exc)
            return self.normalise({})

    def write(self, doc) -> dict:
        normalised = self.normalise(doc)
        write_json_atomic(self.path, normalised)
        return normalised

    def clear(self) -> None:
        with suppress(FileNotFoundError):
            self.path.unlink()

    def flag(self, key: str):
        return self.read().get(key)

    def take(self, method: str, path: str) -> tuple[int, dict | None]:
        """The delay for every request and the first matching rule, spending one of its count.

        No await happens between reading and writing the file, so on the simulator's single event loop
        two requests cannot spend the same count.
        """
        faults = self.read()
        for index, rule in enumerate(faults["rules"]):
            if rule.get("method", method.upper()) != method.upper():
                continue
            prefix = rule.get("path")
            if prefix and prefix != "/" and path.rstrip("/") != prefix and not path.startswith(prefix + "/"):
                continue
            rule = dict(rule)
            if rule["count"] > 1:
                faults["rules"][index] = {**rule, "count": rule["count"] - 1}
            else:
                del faults["rules"][index]
            write_json_atomic(self.path, faults)
            return faults["delay_ms"], rule
        return faults["delay_ms"], None


async def _buffered(receive):
    """The whole request body read now, and a `receive` that hands it over again later."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return receive
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    pending = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

    async def replay():
        return pending.pop() if pending else await receive()

    return replay


class FaultMiddleware:
    """ASGI middleware in front of everything but `/_sim/`, before authentication: an injected fault
    stands for the network or a load balancer, which know nothing of API keys."""

    def __init__(self, app, injector: FaultInjector):
        self.app = app
        self.injector = injector

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        delay_ms, rule = self.injector.take(scope["method"], scope["path"])
        if rule is not None:
            logger.info("Injecting fault %s on %s %s", rule["kind"], scope["method"], scope["path"])
            delay_ms += rule["delay_ms"]
        if delay_ms:
            # Read the body first: a client that gives up during the wait must not stop a slow write.
            receive = await _buffered(receive)
            await asyncio.sleep(delay_ms / 1000)
        if rule is None:
            await self.app(scope, receive, send)
            return
        if rule["kind"] == "slow":
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


class ApiError(Exception):
    """A refusal rendered as `{"code", "message", "errors"?}` with its status."""

    def __init__(self, status: int, code: str, message: str, *, errors: list[dict] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors


async def api_error_handler(request: Request, exc: ApiError) -> JSONResponse:
    body = {"code": exc.code, "message": exc.message}
    if exc.errors:
        body["errors"] = exc.errors
    return JSONResponse(body, status_code=exc.status)


async def http_error_handler(request: Request, exc: HTTPException) -> JSONResponse:
    codes = {404: "not_found", 405: "method_not_allowed"}
    body = {"code": codes.get(exc.status_code, "http_error"), "message": exc.detail}
    return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))


EXCEPTION_HANDLERS = {ApiError: api_error_handler, HTTPException: http_error_handler}


async def json_object(request: Request) -> dict:
    try:
        body = await request.json()
    except ValueError:
        raise ApiError(400, "bad_request", "The body must be JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "The body must be a JSON object")
    return body


class Checks:
    """Collects every field error of one request body, then raises them together as one 422."""

    def __init__(self, body: dict):
        self.body = body
        self.errors: list[dict] = []

    def fail(self, field: str, message: str) -> None:
        self.errors.append({"field": field, "message": message})

    def text(self, field: str) -> str | None:
        value = self.body.get(field)
        if not isinstance(value, str) or not value.strip():
            self.fail(field, f"{field} is required")
            return None
        return value.strip()

    def email(self, field: str) -> str | None:
        value = self.text(field)
        if value is not None and not EMAIL_RE.match(value):
            self.fail(field, f"{field} is not a valid email address")
            return None
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


def admin_routes(state: JsonState, injector: FaultInjector) -> list[Route]:
    """`/_sim/state`, `/_sim/faults` and `/_sim/reset`: the simulator's own controls, no auth."""

    async def get_state(request: Request) -> JSONResponse:
        return JSONResponse(state.data)

    async def get_faults(request: Request) -> JSONResponse:
        return JSONResponse(injector.read())

    async def post_faults(request: Request) -> JSONResponse:
        try:
            return JSONResponse(injector.write(await json_object(request)))
        except InvalidFaults as exc:
            raise ApiError(400, "invalid_faults", str(exc)) from None

    async def post_reset(request: Request) -> JSONResponse:
        state.reset()
        injector.clear()
        return JSONResponse({"reset": True})

    return [
        Route("/_sim/state", get_state, methods=["GET"]),
        Route("/_sim/faults", get_faults, methods=["GET"]),
        Route("/_sim/faults", post_faults, methods=["POST"]),
        Route("/_sim/reset", post_reset, methods=["POST"]),
    ]


def argument_parser(name: str, default_state: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m integrations.{name}.simulator",
        description=f"{name} simulator (secrets come from the environment, never the command line)",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state", type=Path, default=Path(default_state), help="JSON state file")
    parser.add_argument("--log-level", default="info")
    parser.add_argument(
        "--preload-reseller",
        action="append",
        default=[],
        metavar="PARTNER_ID",
        help="make sure this partner's reseller account exists (the demo's live partner, K1/C1)",
    )
    return parser


def preload_resellers(state: JsonState, partner_ids: list[str], clock=time.time) -> None:
    """Add any missing reseller accounts, as EXPO.e's onboarding (O2) would have."""
    for partner_id in partner_ids:
        state.data["resellers"].setdefault(
            partner_id,
            {
                "PartnerId": partner_id,
                "Name": partner_id,
                "Email": f"ops@{partner_id.lower()}.invalid",
                "WelcomeEmailSent": True,
                "CreatedAt": utc_iso(clock()),
            },
        )
    state.save()


def serve(app, *, host: str, port: int, log_level: str, label: str) -> None:
    import uvicorn

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logger.info("%s on http://%s:%s", label, host, port)
    uvicorn.run(app, host=host, port=port, log_level=log_level)


def reseller_routes(state: JsonState, api, clock) -> list[Route]:
    """K1 / C1: a partner's reseller account, the same small resource on both REST simulators.
    `api` wraps each handler with the platform's own authentication."""

    async def reseller_create(request):
        checks = Checks(await json_object(request))
        partner_id = checks.text("PartnerId")
        name = checks.text("Name")
        email = checks.email("Email")
        checks.raise_if_any()
        if partner_id in state.data["resellers"]:
            raise ApiError(409, "duplicate", f"A reseller account for PartnerId {partner_id} already exists")
        reseller = {
            "PartnerId": partner_id,
            "Name": name,
            "Email": email,
            "WelcomeEmailSent": True,
            "CreatedAt": utc_iso(clock()),
        }
        state.data["resellers"][partner_id] = reseller
        state.save()
        return JSONResponse(reseller, status_code=201)

    async def reseller_get(request):
        partner_id = request.path_params["partner_id"]
        reseller = state.data["resellers"].get(partner_id)
        if reseller is None:
            raise ApiError(404, "not_found", f"No reseller account for PartnerId {partner_id}")
        return JSONResponse(reseller)

    return [
        Route("/resellers", api(reseller_create), methods=["POST"]),
        Route("/resellers/{partner_id}", api(reseller_get), methods=["GET"]),
    ]


def simulator_app(prefix: str, api_routes: list[Route], state: JsonState, injector: FaultInjector) -> Starlette:
    """A REST simulator: its API under `prefix`, the `/_sim/` controls, fault injection, one error
    format; the app carries its state and faults for tests."""
    app = Starlette(
        routes=[Mount(prefix, routes=api_routes), *admin_routes(state, injector)],
        middleware=[Middleware(FaultMiddleware, injector=injector)],
        exception_handlers=EXCEPTION_HANDLERS,
    )
    app.state.sim = state
    app.state.faults = injector
    return app
