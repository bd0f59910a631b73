"""Short-lived secrets (A2: a group admin's password until the build has used it).

Encrypted with Fernet; the key is PORTAL_ENCRYPTION_KEY, or derived from SECRET_KEY. Nothing
here logs a secret, and `Secret` hides its value from repr(), tracebacks and task arguments.
"""

import base64
import hashlib
import secrets
import string

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class Secret(str):
    """A string whose repr never shows the value (so it cannot leak into logs or error pages)."""

    def __repr__(self):
        return "Secret('********')"


def _fernet() -> Fernet:
    material = settings.PORTAL_ENCRYPTION_KEY or settings.SECRET_KEY
    key = base64.urlsafe_b64encode(hashlib.sha256(f"expoe-vault:{material}".encode()).digest())
    return Fernet(key)


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> Secret:
    try:
        return Secret(_fernet().decrypt(token.encode()).decode())
    except InvalidToken as exc:
        raise ValueError("The stored secret cannot be decrypted with the current key.") from exc


_SYMBOLS = "!#$%*+-=?@"


def generate_password(length: int = 16) -> Secret:
    """A password BroadWorks accepts: letters of both cases, digits and a symbol, no look-alikes."""
    letters = "".join(c for c in string.ascii_letters if c not in "lIO")
    digits = "23456789"
    alphabet = letters + digits + _SYMBOLS
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if (
            any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c in digits for c in candidate)
            and any(c in _SYMBOLS for c in candidate)
        ):
            return Secret(candidate)
