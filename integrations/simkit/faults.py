"""Fault injection, the same for the three simulators (tests and demo only; off by default).

A simulator's faults are one JSON document: a list of rules ("fail the next `count` matching calls
this way") and a delay for every reply. It lives in a file beside the state file, so another process
can set faults while the simulator runs, or in memory when the simulator has no state file. The file
is re-read before every call, and rewritten when a rule is spent, so whoever set it sees what is left.

Each simulator says what its documents look like (`normalise`) and what a call matches (`take`'s
`matches`): the REST simulators match a path and a method (`http_faults.py`), the OCI-P simulator a
request type (`integrations/broadworks/simulator/faults.py`). Spending, storing and reading are here.
"""

import copy
import json
import logging
import threading
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

from .state import Document, write_json_atomic

logger = logging.getLogger(__name__)

Rule = dict[str, Any]


class InvalidFaults(ValueError):
    """A faults document the simulator cannot use; the message says what is wrong."""


class FaultInjector:
    """One simulator's faults. `normalise` checks a document and fills in its defaults (raising
    InvalidFaults); `rules_key` names the document's list of rules."""

    def __init__(
        self, path: Path | str | None, *, normalise: Callable[[object], Document], rules_key: str = "rules"
    ) -> None:
        self.path = Path(path) if path else None
        self._normalise = normalise
        self._rules_key = rules_key
        self._lock = threading.Lock()  # the OCI-P simulator answers each connection on its own thread
        self._in_memory = normalise({})

    def read(self) -> Document:
        """The current faults; none when the file is missing, and none (with a warning) when it is not
        valid, so a half-edited file never takes the simulator down."""
        if self.path is None:
            return copy.deepcopy(self._in_memory)  # a copy the caller may change
        try:
            with self.path.open(encoding="utf-8") as handle:
                return self._normalise(json.load(handle))
        except FileNotFoundError:
            return self._normalise({})
        except (OSError, ValueError) as exc:  # InvalidFaults and unreadable JSON are ValueErrors
            logger.warning("Ignoring faults file %s: %s", self.path, exc)
            return self._normalise({})

    def write(self, doc: object) -> Document:
        """Replace the faults with `doc`, checked first (InvalidFaults)."""
        faults = self._normalise(doc)
        self._store(faults)
        return faults

    def update(self, change: Callable[[Document], None]) -> Document:
        """Read, change and write back the faults, with no other call in between."""
        with self._lock:
            faults = self.read()
            change(faults)
            return self.write(faults)

    def clear(self) -> None:
        self._in_memory = self._normalise({})
        if self.path is not None:
            with suppress(FileNotFoundError):
                self.path.unlink()

    def pending(self) -> list[Rule]:
        """The rules not spent yet."""
        rules: list[Rule] = self.read()[self._rules_key]
        return rules

    def take(self, matches: Callable[[Rule], bool]) -> tuple[Rule | None, Document]:
        """The first rule that `matches` this call, with one of its `count` spent (a spent rule
        disappears), and the faults document (for its delay).

        The lock (and, on the REST simulators' single event loop, the absence of any await) keeps two
        calls from spending the same count."""
        with self._lock:
            faults = self.read()
            rules: list[Rule] = faults[self._rules_key]
            for index, rule in enumerate(rules):
                if matches(rule):
                    if rule["count"] > 1:
                        rules[index] = {**rule, "count": rule["count"] - 1}
                    else:
                        del rules[index]
                    self._store(faults)
                    return rule, faults
            return None, faults

    def _store(self, faults: Document) -> None:
        if self.path is None:
            self._in_memory = faults
        else:
            write_json_atomic(self.path, faults)
