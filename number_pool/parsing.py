"""Parsing the numbers staff type or paste: single numbers, ranges and lists (N1).

Everything returned is canonical E.164; everything refused raises ValidationError naming the
text that could not be read. UK national formats are accepted (020 7946 0000).
"""

import re

import phonenumbers
from django.core.exceptions import ValidationError

from expoe_portal.bounds import NUMBER_ENTRY, numbers_per_request, too_many_numbers
from expoe_portal.phone import DEFAULT_REGION, normalise_e164

_RANGE_SEPARATOR = re.compile(r"–|—|\.\.|\bto\b|-")
_LIST_SEPARATOR = re.compile(r"[\n,;\t]+")


def parse_number(text: str) -> str:
    return normalise_e164(text)


def parse_range(first: str, last: str) -> list[str]:
    """Every number from `first` to `last` inclusive, which must share country and length."""
    start, end = parse_number(first), parse_number(last)
    start_parsed, end_parsed = phonenumbers.parse(start), phonenumbers.parse(end)
    if start_parsed.country_code != end_parsed.country_code or len(start) != len(end):
        raise ValidationError(
            f"{start} and {end} are not the same kind of number: a range must stay within one "
            f"country and number length.",
            code="range_mismatch",
        )
    low, high = int(start[1:]), int(end[1:])
    if high < low:
        raise ValidationError(f"The range ends ({end}) before it starts ({start}).", code="range_reversed")
    size = high - low + 1
    # A range over the cap is almost certainly a typo in one end (and would flood the pool).
    if size > numbers_per_request():
        raise ValidationError(
            f"{start}–{end} is {size:,} numbers; one request may name at most {numbers_per_request():,} numbers.",
            code="range_too_big",
        )
    width = len(start) - 1
    return [f"+{n:0{width}d}" for n in range(low, high + 1)]


def parse_entry(text: str) -> list[str]:
    """One line of a pasted list: a number, or a range written `first - last` (or `–`, `..`, `to`).

    A hyphen may also sit inside one number (020-7946-0000), so an entry is a range only where it
    splits into two whole numbers."""
    text = text.strip()
    if len(text) > NUMBER_ENTRY:  # each separator would be tried on all of it
        raise ValidationError(
            f"{len(text):,} characters is too long for a number or a range (at most {NUMBER_ENTRY}).",
            code="entry_too_long",
        )
    for separator in _RANGE_SEPARATOR.finditer(text):
        first, last = text[: separator.start()], text[separator.end() :]
        try:
            parse_number(first), parse_number(last)
        except ValidationError:
            continue
        return parse_range(first, last)
    return [parse_number(text)]


def expand_entries(entries, parse, describe, *, repeats: list[str] | None = None) -> list[str]:
    """Every entry parsed into its numbers (one number, or a whole range), in order, without repeats.

    Raises one ValidationError naming every entry `parse` could not read, as `describe(index, entry)`,
    or one naming the cap when they are more numbers than one request may name (before reading
    them all: a million entries are refused unread). A number named twice is kept once, and added
    to `repeats` when it is given (a port request refuses them, a pool does not mind)."""
    cap = numbers_per_request()
    if len(entries) > cap:
        raise too_many_numbers(len(entries), what="entries")
    numbers, seen, errors = [], set(), []
    for index, entry in enumerate(entries, start=1):
        try:
            parsed = parse(entry)
        except ValidationError as exc:
            shown = entry if len(str(entry)) <= NUMBER_ENTRY else f"{str(entry)[:40]}…"  # not a megabyte back
            errors.append(f"{describe(index, shown)}: {exc.messages[0]}")
            continue
        for number in parsed:
            if number not in seen:
                seen.add(number)
                numbers.append(number)
            elif repeats is not None:
                repeats.append(number)
        if len(numbers) > cap:
            raise too_many_numbers(None)
    if errors:
        raise ValidationError(errors, code="unreadable")
    return numbers


def parse_number_list(text: str, *, repeats: list[str] | None = None) -> list[str]:
    """A pasted list or CSV column of numbers and ranges, in order, without repeats.

    Raises one ValidationError listing every entry that could not be read."""
    entries = [raw.strip().strip('"').strip() for raw in _LIST_SEPARATOR.split(text or "")]
    # Blank lines and a CSV header are not entries.
    entries = [e for e in entries if e and e.lower() not in ("number", "numbers", "e164", "first", "last")]
    numbers = expand_entries(entries, parse_entry, lambda index, entry: f"“{entry}”", repeats=repeats)
    if not numbers:
        raise ValidationError("Enter at least one number.", code="required")
    return numbers


__all__ = [
    "expand_entries",
    "DEFAULT_REGION",
    "parse_entry",
    "parse_number",
    "parse_number_list",
    "parse_range",
]


def number_ranges(numbers: list[str]) -> list[tuple[str, str]]:
    """Sorted E.164 numbers as (first, last) runs of consecutive numbers."""
    runs: list[tuple[str, str]] = []
    for number in numbers:
        if runs:
            first, last = runs[-1]
            if len(number) == len(last) and int(number[1:]) == int(last[1:]) + 1:
                runs[-1] = (first, number)
                continue
        runs.append((number, number))
    return runs


def numbers_as_text(numbers: list[str], *, separator: str = "\n", dash: str = " - ") -> str:
    """Sorted numbers written as runs: one number or range per line (a textarea's contents), or
    `separator=", ", dash="–"` for a sentence. "none" for no numbers at all."""
    if not numbers:
        return "" if separator == "\n" else "none"
    return separator.join(first if first == last else f"{first}{dash}{last}" for first, last in number_ranges(numbers))
