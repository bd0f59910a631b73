"""The OCI-P login, which belongs to the connection:
- plain TCP: `AuthenticationRequest` -> nonce, then `LoginRequest14sp4` with
  signedPassword = md5(nonce ":" sha1(password));
- TLS: a single `LoginRequest22V5` with the password;
- any other request before login gets "Not logged in"; `LogoutRequest` ends the login.
Passwords are never logged."""

import hashlib
import hmac
import logging
import secrets
import xml.etree.ElementTree as ET
from collections.abc import Callable

from .errors import OCIError, refusal
from .protocol import SUCCESS, data_command, error_command, optional, required, tag

logger = logging.getLogger(__name__)


class Session:
    """What one TCP connection knows: its login (OCI-P over TCP logs in per connection)."""

    def __init__(
        self, peer: object, *, admins: dict[str, str], system_domain: str, on_login: Callable[[], None] = lambda: None
    ) -> None:
        self.peer = peer
        self._on_login = on_login
        self._admins = admins
        self.system_domain = system_domain
        self.nonce: str | None = None
        self.nonce_user: str | None = None
        self.user: str | None = None
        self.session_id: str | None = None

    def answer(self, session_id: str, request_type: str, el: ET.Element) -> str | None:
        """The reply to a handshake request, or a refusal of a request made without the login; None
        when the request is one for the platform itself."""
        try:
            if request_type == "AuthenticationRequest":
                return self._authenticate(el)
            if request_type.startswith("LoginRequest"):
                return self._login(session_id, request_type, el)
            if self.user is None:
                raise refusal("not_logged_in")
            if session_id != self.session_id:
                raise refusal("invalid_session")
            if request_type == "LogoutRequest":
                logger.info("BroadWorks simulator: %s logged out", self.user)
                self.user = self.session_id = None
                return SUCCESS
        except OCIError as exc:
            return error_command(exc)
        logger.debug("BroadWorks simulator: %s from %s", request_type, self.user)
        return None

    def _authenticate(self, el: ET.Element) -> str:
        user_id = required(el, "userId")
        self.nonce, self.nonce_user = str(secrets.randbelow(10**15)), user_id
        body = tag("userId", user_id) + tag("nonce", self.nonce) + tag("passwordAlgorithm", "MD5")
        return data_command("AuthenticationResponse", body)

    def _login(self, session_id: str, request_type: str, el: ET.Element) -> str:
        user_id = required(el, "userId")
        password = self._admins.get(user_id)
        plain = optional(el, "password") if request_type != "LoginRequest14sp4" else optional(el, "plainTextPassword")
        signed = optional(el, "signedPassword")
        accepted = False
        if password is not None:
            if isinstance(plain, str) and plain:
                accepted = hmac.compare_digest(plain.encode(), password.encode())
            elif isinstance(signed, str) and signed and self.nonce and self.nonce_user == user_id:
                accepted = hmac.compare_digest(signed.lower(), signed_password(self.nonce, password))
        self.nonce = self.nonce_user = None  # a nonce is good for one login attempt
        if not accepted:
            logger.info("BroadWorks simulator: login refused for %s from %s", user_id, self.peer)
            raise refusal("login_failed")
        self.user, self.session_id = user_id, session_id
        self._on_login()
        logger.info("BroadWorks simulator: %s logged in from %s (%s)", user_id, self.peer, request_type)
        response_type = "LoginResponse14sp4" if request_type == "LoginRequest14sp4" else "LoginResponse22V5"
        body = (
            tag("loginType", "System")
            + tag("locale", "en_US")
            + tag("encoding", "ISO-8859-1")
            + tag("isEnterprise", False)
            + tag("userDomain", self.system_domain)
        )
        return data_command(response_type, body)


def signed_password(nonce: str, password: str) -> str:
    """What the client sends in signedPassword: md5(nonce ":" sha1(password)), lowercase hex."""
    sha1 = hashlib.sha1(password.encode()).hexdigest().lower()  # noqa: S324 - the OCI-P algorithm
    return hashlib.md5(f"{nonce}:{sha1}".encode()).hexdigest().lower()  # noqa: S324
