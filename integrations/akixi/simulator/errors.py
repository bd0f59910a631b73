"""How the Akixi simulator refuses: Akixi's error body, `{"Message": "..."}` (seen in third-party
client code; Akixi documents no error body), with the refusal's status. The shared kit's 422 (its
reseller resource) is answered as 400, the status we assume Akixi gives a request it refuses."""

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from integrations.simkit.checks import ApiError

from .contract import REFUSED_STATUS


def message_body(message: str) -> dict[str, str]:
    return {"Message": message}


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    status = REFUSED_STATUS if exc.status == 422 else exc.status
    return JSONResponse(message_body(exc.message), status_code=status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {
        404: f"No such resource: {request.url.path}",
        405: f"{request.method} is not allowed on {request.url.path}",
    }
    message = messages.get(exc.status_code, str(exc.detail))
    return JSONResponse(message_body(message), status_code=exc.status_code, headers=exc.headers)


HANDLERS: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
    ApiError: _api_error,
    HTTPException: _http_error,
}


def answer_as_akixi(app: Starlette) -> None:
    """Replace the kit's error format with Akixi's (before the app serves its first request)."""
    for exc_class, handler in HANDLERS.items():
        app.add_exception_handler(exc_class, handler)
