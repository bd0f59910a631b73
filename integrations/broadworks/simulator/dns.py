r"""Directory numbers (DNs) as the simulator takes them, and ranges of them.

OCI-P's DN is "Directory Number in E164 Format", 1 to 23 characters (OCISchemaDataTypes.xsd), with
no pattern in the schema. What BroadWorks writes sets the country code off with a dash: a
UserGetListInGroupResponse captured from a live server has `<col>+1-2212221101</col>`
(github.com/hyperioxx/broadsoft, broadsoft/tests/requestobjects/test_UserGetListInGroupRequest.py);
a provisioning tool reads ranges as `\+1-(\d{10})\s-\s\+1-(\d{10})` (github.com/cdkfabianp/bwtoolkit,
src/bwcontrol/bwgroup.rb); and Odin's documentation for numbers sent to BroadWorks says "Numbers
need to be strings and follow this format: +{country code}-{number}" (github.com/Jordan-Prescott/
odins_spear, docs/docs/features/scripter/move-numbers.md). The simulator takes that form only, so a
client that sends `+442079460000` or national digits finds out here rather than on the platform."""

import re
import xml.etree.ElementTree as ET

from .errors import refusal
from .protocol import required, texts

MAX_RANGE_SIZE = 100_000

_DN = re.compile(r"\A\+[1-9][0-9]{0,2}-[0-9]{4,17}\Z")  # +<country code>-<national number>
MAX_DN_LENGTH = 23
_DN_TAIL = re.compile(r"\A(.*?)([0-9]+)\Z")


def check_dn(number: str) -> str:
    if not _DN.match(number or "") or len(number) > MAX_DN_LENGTH:
        raise refusal("invalid_phone_number", phone_number=number)
    return number


def expand_range(low: str, high: str) -> list[str]:
    """Every DN from low to high inclusive: same prefix, numeric tails of the same length."""
    check_dn(low)
    check_dn(high)
    a, b = _DN_TAIL.match(low), _DN_TAIL.match(high)
    if not (a and b) or a.group(1) != b.group(1) or len(a.group(2)) != len(b.group(2)):
        raise refusal("invalid_dn_range", min_phone_number=low, max_phone_number=high)
    first, last, width = int(a.group(2)), int(b.group(2)), len(a.group(2))
    if last < first or last - first + 1 > MAX_RANGE_SIZE:
        raise refusal("invalid_dn_range", min_phone_number=low, max_phone_number=high)
    return [f"{a.group(1)}{n:0{width}d}" for n in range(first, last + 1)]


def as_ranges(numbers: list[str]) -> list[tuple[str, str]]:
    """Sorted DNs as (first, last) runs of consecutive numbers (same prefix, same tail length)."""
    runs: list[tuple[str, str]] = []
    previous = None
    for number in numbers:
        tail = _DN_TAIL.match(number)
        key = (tail.group(1), len(tail.group(2)), int(tail.group(2))) if tail else None
        if runs and previous and key and previous[:2] == key[:2] and previous[2] + 1 == key[2]:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
        previous = key
    return runs


def shown(first: str, last: str) -> str:
    """A run as BroadWorks lists it in a table: one number, or "first - last"."""
    return first if first == last else f"{first} - {last}"


def dns_of(el: ET.Element) -> list[str]:
    """The phoneNumber elements and dnRange elements of a request, expanded, in order, once each."""
    numbers = [check_dn(n) for n in texts(el, "phoneNumber")]
    for rng in el.findall("dnRange"):
        numbers.extend(expand_range(required(rng, "minPhoneNumber"), required(rng, "maxPhoneNumber")))
    return list(dict.fromkeys(numbers))


# ITU-T E.164 country codes of one and two digits; every other code has three.
_ONE_DIGIT_CODES = frozenset({"1", "7"})
_TWO_DIGIT_CODES = frozenset(
    {
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47",
        "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65",
        "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
    }
)  # fmt: skip


def dash_form(number: str) -> str:
    """A number in the form the simulator takes, from plain E.164 (`+442079460000` becomes
    `+44-2079460000`); a number already in that form, or not E.164 at all, is returned as it is."""
    if _DN.match(number) or not re.fullmatch(r"\+[0-9]{5,20}", number):
        return number
    digits = number[1:]
    size = 1 if digits[:1] in _ONE_DIGIT_CODES else 2 if digits[:2] in _TWO_DIGIT_CODES else 3
    return f"+{digits[:size]}-{digits[size:]}"
