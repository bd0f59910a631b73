"""Who may call the Akixi simulator: the `x-api-key` header, or a bearer token from `POST /login`.
Sessions live in memory, so a restart logs everyone out (the API key still works)."""

import logging
import secrets
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse

from integrations.simkit.checks import ApiError, json_object, same_secret

logger = logging.getLogger(__name__)


class Access:
    def __init__(
        self, *, api_key: str, username: str, password: str, session_ttl: float, clock: Callable[[], float]
    ) -> None:
        self._api_key = api_key
        self._username = username
        self._password = password
        self.session_ttl = session_ttl
        self.clock = clock
        self._sessions: dict[str, float] = {}  # token -> expiry

    def authenticate(self, request: Request) -> None:
        if same_secret(request.headers.get("x-api-key"), self._api_key):
            return
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token:
            expiry = self._sessions.get(token)
            if expiry is not None and expiry > self.clock():
                return
            self._sessions.pop(token, None)
        raise ApiError(401, "unauthorized", "Send a valid x-api-key header or a Bearer token from /login")

    async def login(self, request: Request) -> JSONResponse:
        body = await json_object(request)
        given_user, given_password = body.get("username"), body.get("password")
        if not isinstance(given_user, str) or not isinstance(given_password, str):
            raise ApiError(400, "bad_request", "username and password are required")
        user_ok = same_secret(given_user, self._username)
        password_ok = same_secret(given_password, self._password)  # both compared: no hint which was wrong
        if not (user_ok and password_ok):
            logger.info("Login refused")
            raise ApiError(401, "unauthorized", "Invalid username or password")
        token = secrets.token_urlsafe(32)
        self._sessions[token] = self.clock() + self.session_ttl
        return JSONResponse({"token": token, "tokenType": "Bearer", "expiresIn": int(self.session_ttl)})
