"""Who may call the Akixi simulator, as Akixi documents it (contract.AUTH_DOC, USERS_DOC): the
`x-api-key` header, or a session: `POST /session` gives a SessionID, `GET /login?locale=` with HTTP
Basic credentials and that SessionID as the JSESSIONID cookie logs it in, the cookie then goes with
every call, and `GET /logout` ends it. Sessions live in memory: a restart logs everyone out (the API
key still works). A user already logged in on another session cannot log in again until that one
ends or expires (Akixi's "other browser sessions active", seen by a third-party client)."""

import base64
import binascii
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from integrations.simkit.checks import ApiError, same_secret

from .contract import (
    API_KEY_HEADER,
    LOGIN_LOCALES,
    OTHER_SESSIONS_ACTIVE,
    REFUSED_STATUS,
    SESSION_COOKIE,
    UNAUTHORISED_STATUS,
)

logger = logging.getLogger(__name__)


@dataclass
class Session:
    expires: float
    username: str | None = None  # set by a successful login


def _refuse(message: str) -> ApiError:
    return ApiError(REFUSED_STATUS, "bad_request", message)


def _unauthorised(message: str) -> ApiError:
    return ApiError(UNAUTHORISED_STATUS, "unauthorized", message)


class Access:
    def __init__(
        self, *, api_key: str, username: str, password: str, session_ttl: float, clock: Callable[[], float]
    ) -> None:
        self._api_key = api_key
        self._username = username
        self._password = password
        self.session_ttl = session_ttl
        self.clock = clock
        self._sessions: dict[str, Session] = {}

    def _session(self, request: Request) -> Session | None:
        """The live session the request's JSESSIONID cookie names, if any (an expired one is dropped)."""
        session_id = request.cookies.get(SESSION_COOKIE)
        session = self._sessions.get(session_id) if session_id else None
        if session is not None and session.expires <= self.clock():
            del self._sessions[str(session_id)]
            return None
        return session

    def authenticate(self, request: Request) -> None:
        if self._api_key and same_secret(request.headers.get(API_KEY_HEADER), self._api_key):
            return
        session = self._session(request)
        if session is not None and session.username is not None:
            return
        raise _unauthorised(
            f"Authentication required: the {API_KEY_HEADER} header, or the {SESSION_COOKIE} cookie of a "
            "logged-in session"
        )

    async def create_session(self, request: Request) -> JSONResponse:
        """`POST /session`: no parameters, no body; `{"Nonce", "SessionID"}` (the Nonce is not used
        in v1's Basic flow)."""
        if request.query_params:
            raise _refuse("POST /session takes no parameters")
        if await request.body():
            raise _refuse("POST /session takes no body")
        session_id = secrets.token_hex(16).upper()
        self._sessions[session_id] = Session(expires=self.clock() + self.session_ttl)
        return JSONResponse({"Nonce": secrets.token_urlsafe(16), "SessionID": session_id})

    async def login(self, request: Request) -> Response:
        """`GET /login?locale=en_GB|en_US` with HTTP Basic credentials and the session's cookie."""
        session = self._session(request)
        if session is None:
            raise _unauthorised(f"No session: POST /session, then send its SessionID as the {SESSION_COOKIE} cookie")
        unknown = sorted(set(request.query_params) - {"locale"})
        if unknown:
            raise _refuse(f"Unknown parameter {', '.join(unknown)}")
        if request.query_params.get("locale") not in LOGIN_LOCALES:
            raise _refuse(f"locale must be {' or '.join(LOGIN_LOCALES)}")
        if await request.body():
            raise _refuse("GET /login takes no body")
        username, password = _basic_credentials(request)
        user_ok = same_secret(username, self._username)
        password_ok = same_secret(password, self._password)  # both compared: no hint which was wrong
        if not (user_ok and password_ok):
            logger.info("Login refused")
            raise _unauthorised("Invalid username or password")
        now = self.clock()
        if any(s is not session and s.username == username and s.expires > now for s in self._sessions.values()):
            raise _refuse(OTHER_SESSIONS_ACTIVE.format(username=username))
        session.username = username
        return Response(status_code=200)

    async def logout(self, request: Request) -> Response:
        """`GET /logout` with the session's cookie: the session ends."""
        session = self._session(request)
        if session is None:
            raise _unauthorised(f"No session: send the {SESSION_COOKIE} cookie of the session to end")
        self._sessions = {key: s for key, s in self._sessions.items() if s is not session}
        return Response(status_code=200)


def _basic_credentials(request: Request) -> tuple[str, str]:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise _unauthorised("HTTP Basic credentials are required")
    try:
        username, colon, password = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise _unauthorised("HTTP Basic credentials are required") from None
    if not colon:
        raise _unauthorised("HTTP Basic credentials are required")
    return username, password
