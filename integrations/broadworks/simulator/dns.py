"""Directory numbers (DNs) as the simulator takes them: opaque strings of up to 23 characters
(digits, `-` after the first digit, an optional leading `+`), and ranges of them."""

import re
import xml.etree.ElementTree as ET

from .errors import refusal
from .protocol import required, texts

MAX_RANGE_SIZE = 100_000

_DN = re.compile(r"\A\+?[0-9][0-9-]{0,22}\Z")
_DN_TAIL = re.compile(r"\A(.*?)([0-9]+)\Z")


def check_dn(number: str) -> str:
    if not _DN.match(number or ""):
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


def dns_of(el: ET.Element) -> list[str]:
    """The phoneNumber elements and dnRange elements of a request, expanded, in order, once each."""
    numbers = [check_dn(n) for n in texts(el, "phoneNumber")]
    for rng in el.findall("dnRange"):
        numbers.extend(expand_range(required(rng, "minPhoneNumber"), required(rng, "maxPhoneNumber")))
    return list(dict.fromkeys(numbers))
