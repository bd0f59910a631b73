"""What the three simulators share (simulator-only code: no client imports it, and nothing here
exists on the real platforms):

- `state.py`: the one JSON state file, written atomically (temporary file, fsync, rename);
- `faults.py`: the one fault injector: rules that fail the next N calls, spent one by one, kept in a
  file beside the state (or in memory) and re-read on every call;
- `http_faults.py`: what a fault does on the REST simulators (Akixi, Call Cabinet), and the ASGI
  middleware that applies it;
- `app.py`, `checks.py`: a REST simulator's app (API behind its authentication, `/_sim/` controls,
  one error format) and its field checks;
- `resellers.py`: the reseller account both REST platforms have (K1, C1), and its demo preload;
- `cli.py`: the REST simulators' command line and uvicorn runner.

The BroadWorks simulator (OCI-P over TCP) uses the state file and the fault injector.
"""

from .state import JsonState, faults_path_for, write_json_atomic

__all__ = ["JsonState", "faults_path_for", "write_json_atomic"]
