"""Akixi CCS REST v1 simulator (K1-K4) under `/CCS/API/v1`; a small Starlette app on the shared kit
(integrations/simkit).

What Akixi documents it serves exactly as documented and nothing else: the session login
(`POST /session`, `GET /login` with HTTP Basic, the JSESSIONID cookie, `GET /logout`) or the
`x-api-key` header, and `POST /admin/user` with the documented field names. Where Akixi documents
nothing (the user read's path, statuses, reseller accounts, partitions, synchronisation) it serves
our assumed contract. Anything else is refused with `{"Message": ...}` and changes nothing. See
README.md beside this package for which is which.

- `contract.py`: every documented shape, every assumption and every portal rule, each named once;
- `shapes.py`: a body read against a documented shape (unknown, missing, wrong kind);
- `access.py`: the API key, and the session login;
- `state.py`: what the simulator keeps, and how a partition's sync moves on (K3);
- `routes.py`: what each endpoint does (K2-K4; K1 is the kit's `Resellers`);
- `errors.py`: Akixi's error body;
- `server.py`: `create_app` and the command line (`python -m integrations.akixi.simulator`).
"""

from .contract import API_PREFIX
from .server import create_app, main

__all__ = ["API_PREFIX", "create_app", "main"]
