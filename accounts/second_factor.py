"""What the API's token endpoint asks of a user's second factor (#17).

The token endpoint (expoe_portal/api.py) calls `token_refusal` before it issues a token; the two
factors themselves (TOTP, passkeys, recovery codes) live beside this module.
"""

from typing import Any


def token_refusal(user: Any, otp: str | None) -> dict[str, list[str]] | None:
    """Field errors (answered as 400) when `user` may not have a token with this `otp`, else None.

    Until the two factors land nobody has one, so nobody is refused here."""
    return None
