"""What the BroadWorks gateway takes from the client library, mercury-ocip-fast, and how it reads
what comes back:

- `load()`: the library, imported on first use, once per process (the import takes seconds: 7,000+
  request classes), so importing the gateway stays cheap;
- `describe()`: a request as JSON for the ExternalCall row, secret fields left out;
- numbers both ways: out in OCI-P's form (`dn`: "+44-2079460000"), back in E.164 (`e164`,
  `numbers_in`); authorisation table rows (`authorised`, `quantity`), "true"/"false" cells
  (`is_true`).
"""

import dataclasses
import functools
import re
from types import SimpleNamespace
from typing import Any

from integrations.base import SECRET_KEYS


@functools.cache
def load() -> SimpleNamespace:
    """mercury-ocip-fast: `Client` and its settings, `Atom` (the session atom to use), `c` (the
    request classes), `ErrorResponse`, `OCINil`, and the `MError` / `MErrorLogin` exceptions."""
    import mercury_ocip_fast as library
    from mercury_ocip_fast.commands import commands
    from mercury_ocip_fast.commands.base_command import ErrorResponse, OCINil

    class AsciiTCPSessionAtom(library.TCPSessionAtom):
        """The library declares ISO-8859-1 but writes UTF-8, so "Café" would arrive as "CafÃ©".
        Sending every non-ASCII character as a character reference is right under any encoding."""

        async def send(self, payload: str | list[str]) -> Any:
            def ascii_only(text: str) -> str:
                return text.encode("ascii", "xmlcharrefreplace").decode("ascii")

            fixed = [ascii_only(p) for p in payload] if isinstance(payload, list) else ascii_only(payload)
            return await super().send(fixed)

    return SimpleNamespace(
        Client=library.Client,
        SessionPoolSettings=library.SessionPoolSettings,
        TCPSessionSettings=library.TCPSessionSettings,
        Atom=AsciiTCPSessionAtom,
        c=commands,
        ErrorResponse=ErrorResponse,
        OCINil=OCINil,
        MError=library.exceptions.MError,
        MErrorLogin=library.exceptions.MErrorLogin,
    )


def _is_secret(name: str) -> bool:
    return name.replace("_", "").lower() in SECRET_KEYS


def describe(value: Any) -> Any:
    """A request as JSON for the ExternalCall row: its type and set fields, secrets left out."""
    if type(value).__name__ == "OCINil":  # "clear this value"
        return None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        described = {"type": type(value).__name__} if hasattr(value, "_response_cls") else {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name, None)
            if item is not None and not _is_secret(f.name):
                described[f.name] = describe(item)
        return described
    if isinstance(value, list | tuple):
        return [describe(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def dn(number: str) -> str:
    """A number as OCI-P takes it: E.164 with the country code set off by a dash ("+442079460000"
    becomes "+44-2079460000"; see simulator/dns.py for the sources)."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"{number} is not an E.164 number") from exc
    return f"+{parsed.country_code}-{phonenumbers.national_significant_number(parsed)}"


def e164(number: str | None) -> str | None:
    """A number as BroadWorks shows it ("+44-2079460000") in E.164 ("+442079460000")."""
    if not number:
        return None
    number = number.strip()
    return number.replace("-", "") if number.startswith("+") else number


_TAIL = re.compile(r"\A(.*?)(\d+)\Z")


def numbers_in(cell: str | None) -> list[str]:
    """The numbers in one table cell: one number, or a range "first - last" (as real BroadWorks
    shows a pool's ranges), in E.164."""
    if not cell:
        return []
    first_shown, _, last_shown = (part.strip() for part in cell.partition(" - "))
    first, last = e164(first_shown), e164(last_shown)
    if first is None:
        return []
    if not last or last == first:
        return [first]
    a, b = _TAIL.match(first), _TAIL.match(last)
    if not (a and b) or a.group(1) != b.group(1) or len(a.group(2)) != len(b.group(2)):
        return [first, last]
    width = len(a.group(2))
    return [f"{a.group(1)}{n:0{width}d}" for n in range(int(a.group(2)), int(b.group(2)) + 1)]


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def is_true(value: object) -> bool:
    return str(value).lower() == "true"


def authorised(table: Any) -> list[dict[str, Any]]:
    """The rows of an authorisation table (services or service packs) that are authorised."""
    return [row for row in table.to_dict() if is_true(row.get("authorized"))]


def quantity(row: dict[str, Any]) -> int | None:
    """An authorisation table row's quantity ("Quantity" for services, "Allocated" for service
    packs): None for unlimited."""
    if (row.get("limited") or "").lower() != "limited":
        return None
    try:
        amount = int(row.get("quantity") or row.get("allocated") or -1)
    except ValueError:
        return None
    return amount if amount > 0 else None
