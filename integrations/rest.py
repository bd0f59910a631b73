"""The one REST transport under the Akixi and Call Cabinet gateways: JSON over HTTPS behind an API key
header, every call through `RestGateway._request` (timeouts, the ExternalCall row, error mapping),
and the reseller account both platforms have (K1, C1), written once.
"""

import logging
import os
import threading
from contextlib import AbstractContextManager, nullcontext
from functools import cache
from http.cookiejar import Cookie, CookieJar, CookiePolicy
from ssl import SSLContext
from typing import Any
from urllib.parse import quote

import httpx
from django.conf import settings

from integrations.base import IntegrationError, PermanentError, TransientError, recorded_call

logger = logging.getLogger(__name__)

Json = dict[str, Any]


class RestGateway:
    """A JSON-over-HTTPS platform behind an API key header. Subclasses name the platform and the
    settings; every call goes through `_request`."""

    platform = ""  # integrations.choices.Platform value
    label = ""  # how people name the platform in messages
    setting_prefix = ""  # AKIXI -> AKIXI_BASE_URL, AKIXI_API_KEY, AKIXI_TIMEOUT
    default_base_url = ""
    default_api_key = ""
    default_timeout = 30.0
    api_key_header = "x-api-key"
    resellers_path = "/resellers"  # K1 / C1: our assumed contract on both platforms

    def __init__(
        self, *, base_url: str | None = None, api_key: str | None = None, timeout: float | None = None
    ) -> None:
        prefix = self.setting_prefix
        self.base_url: str = (
            base_url if base_url is not None else getattr(settings, f"{prefix}_BASE_URL", self.default_base_url)
        ).rstrip("/")
        self._api_key: str = (
            api_key if api_key is not None else getattr(settings, f"{prefix}_API_KEY", self.default_api_key)
        )
        self.timeout = float(
            timeout if timeout is not None else getattr(settings, f"{prefix}_TIMEOUT", self.default_timeout)
        )

    def __repr__(self) -> str:  # never shows the key
        return f"<{type(self).__name__} {self.base_url}>"

    # K1 / C1: the partner's reseller account --------------------------------------------------------

    def reseller_exists(self, partner_id: str) -> bool:
        status, _ = self._request(
            "reseller_exists", "GET", f"{self.resellers_path}/{segment(partner_id)}", target=partner_id, accept=(404,)
        )
        return status != 404

    def add_reseller(self, partner_id: str, name: str, email: str) -> str:
        """The partner's reseller account (the platform sends the welcome email). Already there: done."""
        body = {"PartnerId": partner_id, "Name": name, "Email": email}
        status, payload = self._request(
            "add_reseller", "POST", self.resellers_path, target=partner_id, body=body, accept=(409,)
        )
        if status == 409 and not self.reseller_exists(partner_id):
            raise PermanentError(f"{self.label}: {payload.get('message') or 'duplicate reseller'}", code="duplicate")
        return partner_id

    # The one way out --------------------------------------------------------------------------------

    def _find_for_group(self, operation: str, path: str, *, listed: str, group_field: str, group_id: str) -> list[Json]:
        """The records of `GET path?groupId=` (under the body's `listed` key) that really are the group's."""
        _, payload = self._request(operation, "GET", path, target=group_id, params={"groupId": group_id})
        return [record for record in payload.get(listed) or [] if record.get(group_field) == group_id]

    def _request(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        target: str = "",
        params: dict[str, str] | None = None,
        body: Json | None = None,
        accept: tuple[int, ...] = (),
    ) -> tuple[int, Json]:
        """One call, recorded as an ExternalCall row. Returns (status, JSON body) for a 2xx or for a
        status in `accept` (which the caller handles, e.g. 404 = "not there", 409 = "already there");
        raises TransientError for what may work later and PermanentError for a refusal."""
        if not self.base_url:
            raise PermanentError(f"{self.label} is not configured: set {self.setting_prefix}_BASE_URL.")
        missing = self._missing_credentials()
        if missing:
            raise PermanentError(f"{self.label} is not configured: set {missing}.")
        record: Json = {"method": method, "path": path}
        if params:
            record["query"] = params
        if body is not None:
            record["body"] = body
        with (
            self._signed_in(),
            recorded_call(
                platform=self.platform, operation=operation, target=target, request=record, read=method == "GET"
            ) as call,
        ):
            response = self._send(operation, method, path, params=params, body=body)
            status = response.status_code
            payload = _json_body(response)
            call.response = {"status": status, "body": payload}
            logger.info("%s %s %s %s -> %s", self.label, operation, method, path, status)
            if status == 204:  # No Content: a delete's answer has no body to read
                return status, {}
            if 200 <= status < 300:
                if not isinstance(payload, dict):
                    raise PermanentError(
                        f"{self.label} answered {operation} with something other than JSON; "
                        f"check {self.setting_prefix}_BASE_URL.",
                        code="bad_response",
                    )
                return status, payload
            if status in accept:
                return status, payload if isinstance(payload, dict) else {}
            raise self._error(status, payload, response.reason_phrase)

    def _signed_in(self) -> AbstractContextManager[None]:
        """Around every call: an API key needs nothing (a platform with a session login opens one)."""
        return nullcontext()

    def _missing_credentials(self) -> str:
        """The setting to fill in before any call, or "" (a subclass with another login overrides it)."""
        return "" if self._api_key else f"{self.setting_prefix}_API_KEY"

    def _auth_headers(self) -> dict[str, str]:
        """What proves who we are on every call (never recorded or logged)."""
        return {self.api_key_header: self._api_key}

    def _send(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None,
        body: Json | None,
        auth: tuple[str, str] | None = None,
    ) -> httpx.Response:
        """The HTTP exchange itself; a timeout or a lost connection is transient. `auth` is HTTP
        Basic credentials, for a platform whose login asks for them (Akixi's session login)."""
        try:
            return _http_client(self.timeout).request(
                method,
                f"{self.base_url}{path}",
                params=params,
                json=body,
                headers={**self._auth_headers(), "Accept": "application/json"},
                auth=auth,
            )
        except httpx.TimeoutException as exc:
            raise TransientError(
                f"{self.label} did not answer within {self.timeout:g} s ({operation}).", code="timeout"
            ) from exc
        except httpx.TransportError as exc:
            raise TransientError(
                f"{self.label} could not be reached or dropped the connection ({operation}): {type(exc).__name__}.",
                code="connection",
            ) from exc

    def _error_message(self, body: Json, reason: str, status: int) -> str:
        """What the platform said went wrong: `message`, with each field error it lists."""
        message = str(body.get("message") or reason or f"HTTP {status}")
        for error in body.get("errors") or []:
            if not isinstance(error, dict):
                continue
            text = str(error.get("message") or "")
            if text and text not in message:
                field = error.get("field")
                message = f"{message}; {field}: {text}" if field else f"{message}; {text}"
        return message

    def _credential_settings(self) -> str:
        """The settings to check when the platform refuses our credentials."""
        return f"{self.setting_prefix}_API_KEY"

    def _error(self, status: int, payload: object, reason: str) -> IntegrationError:
        body = payload if isinstance(payload, dict) else {}
        message = self._error_message(body, reason, status)
        code = str(body.get("code") or status)
        if status >= 500 or status in (408, 429) or body.get("transient") is True:
            return TransientError(f"{self.label} is unavailable ({status}): {message}", code=code)
        if status == 401:
            return PermanentError(
                f"{self.label} refused our credentials ({status}): {message.rstrip('.')}. "
                f"Check {self._credential_settings()}.",
                code=code,
            )
        return PermanentError(f"{self.label}: {message}", code=code)


def segment(value: object) -> str:
    """A value as one path segment: `/users/a%2Fb`, never `/users/a/b`."""
    return quote(str(value), safe="")


@cache
class _NoCookies(CookiePolicy):
    """The shared client keeps no cookies: a platform's session travels in the headers each call
    sets (Akixi's JSESSIONID), never from one platform's reply into another's request."""

    netscape, rfc2965, hide_cookie2 = True, False, False

    def set_ok(self, cookie: Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: Cookie, request: Any) -> bool:
        return False

    def domain_return_ok(self, domain: str, request: Any) -> bool:
        return False

    def path_return_ok(self, path: str, request: Any) -> bool:
        return False


_clients: dict[float, httpx.Client] = {}
_clients_pid: int | None = None
_clients_lock = threading.Lock()


def _http_client(timeout: float) -> httpx.Client:
    """One keep-alive client per process (and timeout), shared by every REST gateway and thread:
    connections to a platform are reused, not opened per call. A forked process makes its own."""
    global _clients_pid
    with _clients_lock:
        if _clients_pid != os.getpid():
            _clients.clear()  # the parent's connections are not this process's to use
            _clients_pid = os.getpid()
        client = _clients.get(timeout)
        if client is None:
            client = httpx.Client(timeout=timeout, verify=_tls_context(), cookies=CookieJar(_NoCookies()))
            _clients[timeout] = client
        return client


def _tls_context() -> SSLContext:
    """Built once: making one costs tens of milliseconds (it loads the CA bundle)."""
    return httpx.create_ssl_context()


def _json_body(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None
