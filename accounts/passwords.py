"""A password validator on zxcvbn's estimate of how many guesses a password takes (#17).

Django's own validators compare a password with each of the user's attributes in turn; zxcvbn
also sees the user's name written twice, reversed, with digits or l33t, joined to a common word.
Told the username, the names and the email (and its local part), it scores those as easy."""

from typing import Any

from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

# zxcvbn scores 0-4; 3 is "safely unguessable: moderate protection from offline slow-hash attacks".
DEFAULT_MIN_SCORE = 3
# zxcvbn checks the first 72 characters (its own limit): a longer password is strong for its length.
CHECKED_LENGTH = 72  # zxcvbn refuses longer (ValueError)


def user_inputs(user: Any) -> list[str]:
    """What a guesser knows of this user: username, names, email and its local part."""
    if user is None:
        return []
    email = getattr(user, "email", "") or ""
    values = [
        getattr(user, "username", ""),
        getattr(user, "first_name", ""),
        getattr(user, "last_name", ""),
        email,
        email.partition("@")[0],
    ]
    return [str(value).lower() for value in values if value]


class ZxcvbnValidator:
    def __init__(self, min_score: int = DEFAULT_MIN_SCORE):
        self.min_score = min_score

    def validate(self, password: str, user: Any = None) -> None:
        result = zxcvbn(password[:CHECKED_LENGTH], user_inputs=user_inputs(user))
        if result["score"] >= self.min_score:
            return
        feedback = result.get("feedback") or {}
        hints = [feedback.get("warning") or "", *(feedback.get("suggestions") or [])]
        messages = [
            "This password is too easy to guess: it is made from your name, username or email address, "
            "or from common words or patterns."
        ]
        messages += [hint for hint in hints if hint]
        raise ValidationError([ValidationError(message, code="password_too_guessable") for message in messages])

    def get_help_text(self) -> str:
        return "Your password must be hard to guess: not built from your name, username or email address."
