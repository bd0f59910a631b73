"""How every simulator keeps its state: one JSON document, loaded at start and written atomically
after every change, so a restart (or a kill) keeps everything that was answered."""

import json
import os
import tempfile
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

Document = dict[str, Any]


def write_json_atomic(path: Path, data: object) -> None:
    """Write to a temporary file in the same directory, flush it to disk, then rename over `path`:
    a reader (or a crash) sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            # Compact, in one piece: json's C encoder (an indented document goes through its Python
            # encoder, five times slower, and a simulator writes its whole state after every change).
            # `python -m json.tool` shows it indented.
            handle.write(json.dumps(data, sort_keys=True, separators=(",", ":")))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the state holds no secrets and tools read it
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


class JsonState:
    """A simulator's whole state: `data`, loaded from `path` at start and saved after every change.
    Without a path the state lives in memory only (tests)."""

    def __init__(self, path: Path | str | None, empty: Callable[[], Document]) -> None:
        self.path = Path(path) if path else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)  # so a faults file can be put beside it at once
        self._empty = empty
        self.data = self._load()

    def _load(self) -> Document:
        if self.path is None or not self.path.exists():
            return self._empty()
        with self.path.open(encoding="utf-8") as handle:
            return {**self._empty(), **json.load(handle)}

    def save(self) -> None:
        if self.path is not None:
            write_json_atomic(self.path, self.data)

    def reset(self) -> None:
        self.data = self._empty()
        self.save()

    def next_id(self, counter: str) -> int:
        """The next number of a counter kept in the state (`next_partition_id`), moved on by one."""
        value: int = self.data[counter]
        self.data[counter] = value + 1
        return value


def faults_path_for(state_path: Path | str) -> Path:
    """The faults file beside a state file: var/sim/akixi.json -> var/sim/akixi.faults.json."""
    state_path = Path(state_path)
    return state_path.with_name(f"{state_path.stem}.faults.json")
