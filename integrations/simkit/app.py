"""A REST simulator as one Starlette app: its API under a prefix, behind the platform's own
authentication; the `/_sim/` controls beside it; fault injection in front of both; one error format.
The app carries its state and faults (`app.state.sim`, `app.state.faults`) for tests.

`PATCH /_sim/state` changes the state directly, as someone working in the platform's own screens
would (drift for reconciliation to find): the body is a JSON merge patch (RFC 7396) on the state
document, so `{"users": {"ada": {"Scope": {"PartIDInTelSys": [-1]}}}}` changes one field and
`{"users": {"ada": null}}` deletes a record. Nothing is checked: drift is whatever a person did."""

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from .checks import ApiError, json_object
from .faults import FaultInjector, InvalidFaults
from .http_faults import FaultMiddleware
from .state import JsonState

Handler = Callable[[Request], Awaitable[Response]]
# One API endpoint: (HTTP method, path below the API prefix, handler).
Endpoint = tuple[str, str, Handler]


def simulator_app(
    prefix: str,
    *,
    state: JsonState,
    injector: FaultInjector,
    authenticate: Callable[[Request], None],
    endpoints: Iterable[Endpoint],
    open_endpoints: Iterable[Endpoint] = (),
) -> Starlette:
    """`endpoints` answer only after `authenticate` (which raises ApiError 401) lets the request in;
    `open_endpoints` (a login) answer anyone."""

    def guarded(handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            authenticate(request)
            return await handler(request)

        return endpoint

    api = [Route(path, handler, methods=[method]) for method, path, handler in open_endpoints]
    api += [Route(path, guarded(handler), methods=[method]) for method, path, handler in endpoints]
    app = Starlette(
        routes=[Mount(prefix, routes=api), *_admin_routes(state, injector)],
        middleware=[Middleware(FaultMiddleware, injector=injector)],
        exception_handlers=_EXCEPTION_HANDLERS,
    )
    app.state.sim = state
    app.state.faults = injector
    return app


def _admin_routes(state: JsonState, injector: FaultInjector) -> list[Route]:
    """`/_sim/state` (GET, and PATCH: drift), `/_sim/faults` and `/_sim/reset`: the simulator's own
    controls, no auth."""

    async def get_state(request: Request) -> JSONResponse:
        return JSONResponse(state.data)

    async def get_faults(request: Request) -> JSONResponse:
        return JSONResponse(injector.read())

    async def post_faults(request: Request) -> JSONResponse:
        try:
            return JSONResponse(injector.write(await json_object(request)))
        except InvalidFaults as exc:
            raise ApiError(400, "invalid_faults", str(exc)) from None

    async def patch_state(request: Request) -> JSONResponse:
        state.data = merge_patch(state.data, await json_object(request))  # an object patch: an object
        state.save()
        return JSONResponse(state.data)

    async def post_reset(request: Request) -> JSONResponse:
        state.reset()
        injector.clear()
        return JSONResponse({"reset": True})

    return [
        Route("/_sim/state", get_state, methods=["GET"]),
        Route("/_sim/state", patch_state, methods=["PATCH"]),
        Route("/_sim/faults", get_faults, methods=["GET"]),
        Route("/_sim/faults", post_faults, methods=["POST"]),
        Route("/_sim/reset", post_reset, methods=["POST"]),
    ]


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: an object in the patch merges into the target's, member by member; null removes a
    member; anything else (a list, a number, a text) replaces the target's value."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    body: dict[str, Any] = {"code": exc.code, "message": exc.message}
    if exc.errors:
        body["errors"] = exc.errors
    return JSONResponse(body, status_code=exc.status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    codes = {404: "not_found", 405: "method_not_allowed"}
    body = {"code": codes.get(exc.status_code, "http_error"), "message": exc.detail}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


_EXCEPTION_HANDLERS: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
    ApiError: _api_error,
    HTTPException: _http_error,
}
