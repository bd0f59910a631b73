"""OCI-P on the wire: one `BroadsoftDocument` per request, answered by one `BroadsoftDocument`
carrying the same `sessionId` and one `command` per request command, in order.

Reading a request command's fields (`optional`, `required`, ...), and writing reply commands
(`tag`, `table`, `data_command`, `SUCCESS`, `error_command`) and the reply document.
"""

import enum
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Literal
from xml.sax.saxutils import escape

from .errors import OCIError, refusal

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSI_TYPE = f"{{{XSI}}}type"
XSI_NIL = f"{{{XSI}}}nil"
END_OF_DOCUMENT = b"</BroadsoftDocument>"
MAX_DOCUMENT_BYTES = 4 * 1024 * 1024


class Nil(enum.Enum):
    """An element sent with xsi:nil="true": "clear this value", as opposed to absent ("leave it")."""

    NIL = "nil"

    def __repr__(self) -> str:
        return "NIL"


NIL = Nil.NIL
Field = str | Literal[Nil.NIL] | None


# -- reading a request command ----------------------------------------------------------------------
def request_type(el: ET.Element) -> str:
    """The command's request type, its xsi:type without a prefix ("" when it has none)."""
    return (el.get(XSI_TYPE) or "").split(":", 1)[-1]


def optional(el: ET.Element, name: str) -> Field:
    """Absent -> None; nil -> NIL; else the text ("" for an empty element)."""
    child = el.find(name)
    if child is None:
        return None
    if child.get(XSI_NIL) == "true":
        return NIL
    return (child.text or "").strip()


def text(el: ET.Element, name: str) -> str | None:
    """The text of an element that is there and not empty; None for absent, nil or empty."""
    value = optional(el, name)
    return None if value is None or value is NIL or value == "" else value


def required(el: ET.Element, name: str) -> str:
    value = text(el, name)
    if value is None:
        raise refusal("invalid_request", reason=f"{name} is required")
    return value


def texts(el: ET.Element, name: str) -> list[str]:
    return [(child.text or "").strip() for child in el.findall(name)]


def boolean(el: ET.Element, name: str) -> bool | None:
    value = text(el, name)
    if value is None:
        return None
    if value not in ("true", "false", "1", "0"):
        raise refusal("invalid_request", reason=f"{name} must be true or false")
    return value in ("true", "1")


def integer(el: ET.Element, name: str) -> int | None:
    value = text(el, name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise refusal("invalid_request", reason=f"{name} must be a number") from None


def flat(el: ET.Element | None) -> dict[str, str]:
    """A flat complex type (Contact, StreetAddress) as a dict of its children's text."""
    if el is None:
        return {}
    return {child.tag: (child.text or "").strip() for child in el if child.get(XSI_NIL) != "true"}


def quantity(el: ET.Element | None) -> int | None:
    """UnboundedPositiveInt: None for unlimited (or absent), else the quantity."""
    return None if el is None else integer(el, "quantity")


def parse_document(raw: bytes) -> tuple[str, list[tuple[str, ET.Element]]]:
    """The session ID and the (request type, element) of each command of one BroadsoftDocument.

    The bytes are decoded as the XML declaration says (ISO-8859-1 from mercury-ocip-fast), as a
    conforming server does."""
    # mercury-ocip-fast writes nil as C:nil="true" with no "C" prefix bound, which no XML parser
    # accepts; we read it as xsi:nil (xsi is bound on the document element). See README.md.
    raw = raw.replace(b' C:nil="', b' xsi:nil="')
    try:
        root = ET.fromstring(raw)  # noqa: S314 - our own test/demo peer; stdlib only by design
    except ET.ParseError as exc:
        raise refusal("invalid_document", reason=str(exc)) from None
    if root.tag.rsplit("}", 1)[-1] != "BroadsoftDocument":
        raise refusal("invalid_document", reason="the root element is not BroadsoftDocument")
    session = root.find("sessionId")
    session_id = (session.text or "").strip() if session is not None else ""
    commands = [(request_type(command), command) for command in root.findall("command")]
    if not commands:
        raise refusal("invalid_document", reason="no command")
    return session_id, commands


# -- writing the reply ------------------------------------------------------------------------------
def tag(name: str, value: object) -> str:
    """One element, or nothing for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{name}>{escape(str(value))}</{name}>"


def table(name: str, headings: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    head = "".join(tag("colHeading", h) for h in headings)
    body = "".join("<row>" + "".join(tag("col", "" if c is None else c) for c in row) + "</row>" for row in rows)
    return f"<{name}>{head}{body}</{name}>"


def data_command(response_type: str, body: str) -> str:
    return f'<command echo="" xsi:type="{response_type}" xmlns="">{body}</command>'


SUCCESS = '<command echo="" xsi:type="c:SuccessResponse" xmlns:c="C" xmlns=""/>'


def error_command(error: OCIError) -> str:
    return (
        '<command type="Error" echo="" xsi:type="c:ErrorResponse" xmlns:c="C" xmlns="">'
        f"{tag('errorCode', error.code)}{tag('summary', error.summary)}{tag('summaryEnglish', error.summary)}"
        f"{tag('detail', error.detail)}</command>"
    )


def document(session_id: str, commands: Iterable[str]) -> bytes:
    xml = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
        f'<BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="{XSI}">'
        f'<sessionId xmlns="">{escape(session_id)}</sessionId>' + "".join(commands) + "</BroadsoftDocument>"
    )
    # The declared encoding, with anything outside it as a character reference.
    return xml.encode("iso-8859-1", "xmlcharrefreplace")
