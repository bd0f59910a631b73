"""Every request read against the OCI-P schema before anything acts on it.

The schema is the one mercury-ocip-fast ships as dataclasses (one per request and complex type,
generated from Cisco's XSD): a field's `alias` is the element's name, the fields' order is the
XSD sequence, a field without a default is required, `list[...]` may repeat, `Literal[...]` is an
enumeration, `Nillable[...]` may be sent as xsi:nil, and a nested dataclass is a complex type
(or, with xsi:type, one derived from it). Lengths are not in the dataclasses: `LENGTHS` holds the
few the XSD gives for the elements our requests carry (OCISchemaDataTypes.xsd, R25, in
nigelm/broadworks_ocip: ocip_schema/).

A request that breaks any of it is refused with one ErrorResponse naming the element, as a
schema-validating server does, and nothing runs: never a success for a misspelt field. A request
the schema documents as replaced ("Replaced by: ...", in AS data mode) is refused naming its
replacement, so the gateway keeps to current requests.
"""

import dataclasses
import functools
import re
import types
import typing
import xml.etree.ElementTree as ET
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from .errors import OCIError, refusal
from .protocol import XSI_NIL, XSI_TYPE

# (minimum, maximum) length of an element's text, by element name, where the XSD's simple type
# says and the name means one type in every request we serve (OCISchemaDataTypes.xsd).
LENGTHS: dict[str, tuple[int, int]] = {
    "serviceProviderId": (1, 30),  # ServiceProviderId ("30 bytes, not 30 characters")
    "groupId": (1, 30),  # GroupId
    "userId": (1, 161),  # UserId
    "defaultDomain": (1, 80),  # NetAddress
    "domain": (1, 80),  # NetAddress
    "groupName": (1, 80),  # GroupName
    "serviceProviderName": (1, 80),  # ServiceProviderName
    "firstName": (1, 30),  # FirstName
    "lastName": (1, 30),  # LastName
    "password": (1, 60),  # Password
    "minPhoneNumber": (1, 23),  # DN
    "maxPhoneNumber": (1, 23),  # DN
    "servicePackName": (1, 80),  # ServicePackName
    "language": (1, 40),  # Language
    "timeZone": (1, 127),  # TimeZone
}
# xs:int ranges the XSD gives (GroupUserLimit).
INT_RANGES: dict[str, tuple[int, int]] = {"userLimit": (1, 999_999)}
XSD_BOOLEANS = frozenset({"true", "false", "1", "0"})
# The schema's documentation of a request that a newer one replaces: "Replaced by: GroupGetRequest22V2
# in AS data mode." (a replacement only in XS data mode does not apply: we are in AS data mode).
_REPLACED_BY = re.compile(r"Replaced by:?\s+(\w+)(?:\s+in\s+(AS|XS)\s+data\s+mode)?", re.IGNORECASE)


@functools.cache
def _commands() -> types.ModuleType:
    from mercury_ocip_fast.commands import commands

    return commands


def load() -> None:
    """Import the schema now (7,000+ classes: seconds), not on the first request."""
    _commands()


@dataclasses.dataclass(frozen=True)
class Element:
    """One element of a complex type, as the schema declares it."""

    name: str
    required: bool
    repeats: bool
    nillable: bool
    kind: type | tuple[str, ...] | None  # str/int/bool/float, a complex type, enumeration values, or any text


def _is_nillable(hint: Any) -> bool:
    origin = get_origin(hint)
    return isinstance(origin, typing.TypeAliasType) and origin.__name__ == "Nillable"


def _element(field: dataclasses.Field, hint: Any) -> Element:
    required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
    repeats = nillable = False
    kind: type | tuple[str, ...] | None = None
    while True:
        origin, args = get_origin(hint), get_args(hint)
        if origin is Union or isinstance(hint, types.UnionType):
            others = [a for a in args if a is not type(None)]
            if len(others) != 1:
                break  # a union of types: any text (none of the requests we serve has one)
            hint = others[0]
        elif _is_nillable(hint):
            nillable, hint = True, args[0]
        elif origin is list:
            repeats, hint = True, args[0]
        elif origin is Literal:
            kind = tuple(str(a) for a in args)
            break
        else:
            kind = hint if isinstance(hint, type) else None
            break
    return Element(field.metadata.get("alias", field.name), required, repeats, nillable, kind)


@functools.cache
def declared(cls: type) -> tuple[Element, ...]:
    """The elements of a request or complex type, in the schema's order."""
    hints = get_type_hints(cls, vars(_commands()))
    return tuple(_element(f, hints[f.name]) for f in dataclasses.fields(cls) if not f.name.startswith("_"))


def request_class(request_type: str) -> type | None:
    """The schema's class for a request type; None for anything that is not a request."""
    from mercury_ocip_fast.commands.base_command import OCIRequest

    cls = getattr(_commands(), request_type, None) if request_type else None
    if isinstance(cls, type) and issubclass(cls, OCIRequest) and dataclasses.is_dataclass(cls):
        return cls
    return None


def replacement(cls: type) -> str | None:
    """The request that replaces this one, as the schema documents it; None for a current request."""
    found = _REPLACED_BY.search(cls.__doc__ or "")
    if found is None or (found.group(2) or "AS").upper() != "AS":
        return None
    return found.group(1)


def _invalid(path: str, reason: str) -> OCIError:
    error = refusal("invalid_request", reason=f"{path}: {reason}")
    error.detail = "The request does not match the OCI-P schema; nothing was changed."
    return error


def check_request(request_type: str, el: ET.Element) -> None:
    """Refuse (OCIError) a request that is not exactly what the schema declares."""
    cls = request_class(request_type)
    if cls is None:
        raise refusal("unsupported_request", request=request_type or "(no xsi:type)")
    newer = replacement(cls)
    if newer is not None:
        raise refusal("request_replaced", request=request_type, replacement=newer)
    _check_complex(el, cls, request_type)


def _check_complex(el: ET.Element, cls: type, path: str) -> None:
    elements = declared(cls)
    position = {e.name: i for i, e in enumerate(elements)}
    seen: set[str] = set()
    last = -1
    for child in el:
        name = child.tag
        here = f"{path}/{name}"
        if name not in position:
            raise _invalid(here, f"{name} is not an element of {cls.__name__}")
        index = position[name]
        element = elements[index]
        if index < last:
            raise _invalid(here, f"{name} must come before {elements[last].name}")
        if index == last and not element.repeats:
            raise _invalid(here, f"{name} may appear only once")
        last = index
        seen.add(name)
        _check_value(child, element, here)
    missing = [e.name for e in elements if e.required and e.name not in seen]
    if missing:
        raise _invalid(path, f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} required")


def _check_value(el: ET.Element, element: Element, path: str) -> None:
    if el.get(XSI_NIL) == "true":
        if not element.nillable:
            raise _invalid(path, f"{element.name} cannot be nil")
        return
    kind = element.kind
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        _check_complex(el, _derived(el, kind, path), path)
        return
    if len(el):
        raise _invalid(path, f"{element.name} holds text, not elements")
    value = (el.text or "").strip()
    if isinstance(kind, tuple):
        if value not in kind:
            raise _invalid(path, f"“{value}” is not one of the values {element.name} allows")
    elif kind is bool:
        if value not in XSD_BOOLEANS:
            raise _invalid(path, f"{element.name} must be true or false, not “{value}”")
    elif kind is int:
        try:
            number = int(value)
        except ValueError:
            raise _invalid(path, f"{element.name} must be a whole number, not “{value}”") from None
        low, high = INT_RANGES.get(element.name, (-(2**31), 2**31 - 1))
        if not low <= number <= high:
            raise _invalid(path, f"{element.name} must be from {low} to {high}")
    elif element.name in LENGTHS:
        low, high = LENGTHS[element.name]
        size = len(value.encode("utf-8"))
        if not low <= size <= high:
            raise _invalid(path, f"{element.name} must be {low} to {high} characters long")


def _derived(el: ET.Element, declared_type: type, path: str) -> type:
    """The complex type an element is: its declared type, or one derived from it named by
    xsi:type (abstract types such as DepartmentKey are only ever sent that way)."""
    named = (el.get(XSI_TYPE) or "").split(":", 1)[-1]
    if not named or named == declared_type.__name__:
        return declared_type
    cls = getattr(_commands(), named, None)
    if not (isinstance(cls, type) and issubclass(cls, declared_type)):
        raise _invalid(path, f"{named} is not a kind of {declared_type.__name__}")
    return cls
