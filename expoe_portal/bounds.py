"""The limits every input shares (#17): how long a text may be, which dates are sane, how many
numbers one request may name and how big a request may be.

Models, forms, serializers and filters take their limits from here, so a kind of text has one
limit everywhere (a reason typed on a page and sent through the API are refused alike), and the
tests in tests/portal/test_bounds.py walk every input field to prove none has been forgotten.
"""

from contextlib import suppress
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible

# --- Text, by what it holds: generous for the real thing, short of a pasted megabyte -------------

LINE = 200  # one line typed by a person: a name, an ID typed again, a search, a status seen
NOTE = 4_000  # a note, comment, reason, description or source written by a person
ADDRESS = 500  # a postal address with its postcode
EMAIL = 254  # an email address (RFC 5321's path limit, as Django's EmailField)
PASSWORD = 256  # a password or passphrase (hashing a huge one costs the server CPU)
# Written by the system, never typed: a platform's error, a secret kept encrypted.
SYSTEM_TEXT = 20_000
EMAIL_BODY = 1_000_000  # an email the portal sends, which may list a port's 10,000 numbers
# One number or range as typed ("+44 (0)113 496 0000 to +44 (0)113 496 0199" is 43 characters).
NUMBER_ENTRY = 100
# A list of numbers and ranges pasted one per line: room for the numbers cap, 40 characters each
# ("0113 496 0000 - 0113 496 0199" and its line break).
CHARACTERS_PER_NUMBER = 40
NUMBERS_TEXT = 10_000 * CHARACTERS_PER_NUMBER  # a model's copy of a request's numbers (the default cap)


def numbers_per_request() -> int:
    """How many numbers one request may name, ranges expanded (NUMBERS_PER_REQUEST_MAX)."""
    return settings.NUMBERS_PER_REQUEST_MAX


def numbers_text_length() -> int:
    """The longest pasted list of numbers a form or serializer reads."""
    return numbers_per_request() * CHARACTERS_PER_NUMBER


def too_many_numbers(count: int | None, *, what: str = "numbers") -> ValidationError:
    """The refusal of a request naming more numbers than the cap (`count` of them, or None when
    counting stopped past the cap), naming the cap."""
    cap = numbers_per_request()
    that = f"That is {count:,} {what}" if count is not None else f"That is more than {cap:,} numbers"
    return ValidationError(
        f"{that}; one request may name at most {cap:,} numbers. Split it into several requests.",
        code="too_many_numbers",
    )


def numbers_list_errors() -> dict[str, str]:
    """A serializer ListField's messages when it holds numbers: the cap named as numbers."""
    cap = numbers_per_request()
    return {"max_length": f"One request may name at most {cap:,} numbers. Split it into several requests."}


def cut(text: str, limit: int = SYSTEM_TEXT) -> str:
    """System-written text cut to its field's limit (the end of a long error is the least useful)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- Dates: what a person types is between 2000 and five years ahead --------------------------------

EARLIEST_DATE = date(2000, 1, 1)
YEARS_AHEAD = 5


def latest_date(today: date | None = None) -> date:
    """Five calendar years from today (29 February becomes 28 February)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


@deconstructible
class SaneDateValidator:
    """Refuses a date (or date and time) before 2000 or more than five years ahead: a typo (1900,
    2206) that would otherwise move deadlines, port dates and lead-time figures."""

    code = "date_out_of_range"

    def __call__(self, value: date | datetime | None) -> None:
        if value is None:
            return
        day = value
        if isinstance(value, datetime):
            with suppress(OverflowError):  # year 1 or 9999 in another zone: out of range either way
                day = timezone.localtime(value) if timezone.is_aware(value) else value
            day = day.date()
        latest = latest_date()
        if day < EARLIEST_DATE:
            raise ValidationError(
                f"Enter a date from {EARLIEST_DATE:%-d %B %Y} on.", code=self.code, params={"value": value}
            )
        if day > latest:
            raise ValidationError(
                f"Enter a date no later than {latest:%-d %B %Y} (five years from today).",
                code=self.code,
                params={"value": value},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SaneDateValidator)

    def __hash__(self) -> int:
        return hash(type(self))


sane_date = SaneDateValidator()


def require_sane_date(value: date | datetime | None, *, field: str) -> None:
    """For services that read a date themselves: the same refusal, under the field's name."""
    try:
        sane_date(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


# --- Request bodies ---------------------------------------------------------------------------------


def request_body_max_bytes(content_type: str) -> int:
    """The largest body a request may send: an upload's limit plus room for its form fields when it
    carries a file (multipart), DATA_UPLOAD_MAX_MEMORY_SIZE otherwise."""
    if content_type.startswith("multipart/form-data"):
        return settings.UPLOAD_REQUEST_MAX_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE
