"""Faults on the OCI-P simulator (tests and demo only; off by default), on the shared fault injector
(integrations/simkit/faults.py). A fault applies to the next document that carries its request type,
or, with no request type, to any document but the login handshake.

Faults file (JSON, beside the state file unless `--faults` says otherwise; each fault from
`make_fault`):

    {"faults": [{"kind": "drop", "count": 1, "request": "GroupConsolidatedAddRequest"}, ...],
     "reply_delay_seconds": 0.0}

`reply_delay_seconds` is the platform's time to answer: every reply leaves that long after its request
arrived, the simulator's own work included.
"""

from collections.abc import Callable, Iterable
from pathlib import Path

from integrations.simkit.faults import FaultInjector, InvalidFaults, Rule
from integrations.simkit.state import Document, faults_path_for, write_json_atomic

from .errors import ERRORS

__all__ = ["FAULT_KINDS", "faults_path_for", "make_fault", "matching", "ocip_faults", "write_faults"]

FAULT_KINDS = {
    # The request is carried out, half the reply is sent, then the connection is closed (FIN): the
    # change happened but the client cannot know. mercury-ocip-fast raises xml's ExpatError here.
    "drop": "carried out; half the reply, then the connection closes",
    # As drop, but the connection is reset (RST): the client raises MErrorSocketDropped.
    "reset": "carried out; half the reply, then the connection is reset",
    # The connection closes before the request is carried out: nothing changed.
    "disconnect": "not carried out; the connection closes without a reply",
    # The request is carried out and the reply waits delay_seconds (past the client's read timeout,
    # it is a timeout for the client; the change happened).
    "delay": "carried out; the reply waits delay_seconds",
    # An ErrorResponse instead of carrying out the request (error_code / summary, or the default).
    "error": "not carried out; an ErrorResponse",
}
# Requests a fault without an explicit "request" does not count: the login handshake.
HANDSHAKE_REQUESTS = frozenset({"AuthenticationRequest", "LoginRequest14sp4", "LoginRequest22V5", "LogoutRequest"})


def make_fault(
    kind: str,
    *,
    count: int = 1,
    request: str | None = None,
    delay_seconds: float = 0.0,
    error_code: int | None = None,
    summary: str | None = None,
) -> Rule:
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; one of {', '.join(FAULT_KINDS)}")
    if count < 1:
        raise ValueError("count must be at least 1")
    fault: Rule = {"kind": kind, "count": int(count), "request": request or None}
    if kind == "delay":
        fault["delay_seconds"] = float(delay_seconds)
    if kind == "error":
        code, text = ERRORS["injected"]
        fault["error_code"] = int(error_code if error_code is not None else code)
        fault["summary"] = summary or f"[Error {fault['error_code']}] {text}"
    return fault


def write_faults(path: Path | str, faults: Iterable[Rule] = (), *, reply_delay_seconds: float = 0.0) -> None:
    """Set a running simulator's faults from another process (read before its next request)."""
    write_json_atomic(Path(path), {"faults": list(faults), "reply_delay_seconds": float(reply_delay_seconds)})


def _normalise(doc: object) -> Document:
    if not isinstance(doc, dict):
        raise InvalidFaults("faults must be a JSON object")
    try:
        return {
            "faults": [make_fault(**fault) for fault in doc.get("faults", [])],
            "reply_delay_seconds": float(doc.get("reply_delay_seconds", 0.0)),
        }
    except (TypeError, ValueError) as exc:
        raise InvalidFaults(str(exc)) from None


def ocip_faults(path: Path | str | None) -> FaultInjector:
    """The simulator's faults: in `path`, or in memory without one."""
    return FaultInjector(path, normalise=_normalise, rules_key="faults")


def matching(request_types: list[str]) -> Callable[[Rule], bool]:
    """Whether a fault applies to a document that carries these request types."""

    def matches(fault: Rule) -> bool:
        wanted = fault["request"]
        if wanted:
            return wanted in request_types
        return any(t not in HANDSHAKE_REQUESTS for t in request_types)

    return matches
