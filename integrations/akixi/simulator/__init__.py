"""Akixi CCS REST v1 simulator (K1-K4): reseller accounts, partitions, their synchronisation, and
reporting users, under `/CCS/API/v1`; a small Starlette app on the shared kit (integrations/simkit).

Akixi documents its users endpoint (field names here follow the guide's labels; check them against
the vendor's documentation); the partition fields and the sync status are our assumption (see
README.md beside this package).

- `contract.py`: the fixed values the onboarding guide prescribes, refused otherwise with 422;
- `access.py`: API key, or session login and bearer tokens;
- `state.py`: what the simulator keeps, and how a partition's sync moves on (K3);
- `routes.py`: what each endpoint does (K2-K4; K1 is the kit's `Resellers`);
- `server.py`: `create_app` and the command line (`python -m integrations.akixi.simulator`).
"""

from .contract import API_PREFIX
from .server import create_app, main

__all__ = ["API_PREFIX", "create_app", "main"]
