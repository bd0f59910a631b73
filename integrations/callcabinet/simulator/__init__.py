"""Call Cabinet simulator (C1-C5) under `/api/v1`: reseller accounts and "Essential" customers; a
small Starlette app on the shared kit (integrations/simkit).

No public partner API is known, so this whole contract is our own assumption (see README.md beside
this package). It mirrors the onboarding guide's "Add New Essential Customer" form.

- `state.py`: what the simulator keeps;
- `routes.py`: what each endpoint does (C2-C5; C1 is the kit's `Resellers`);
- `server.py`: `create_app` and the command line (`python -m integrations.callcabinet.simulator`).
"""

from .routes import API_PREFIX
from .server import create_app, main

__all__ = ["API_PREFIX", "create_app", "main"]
