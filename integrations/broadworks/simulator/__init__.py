"""A BroadWorks OCI-P simulator: the wire format of the real platform, so the real client library
(mercury-ocip-fast) can be pointed at it. Standard library only (and the state file and fault
injector of integrations/simkit, which are too).

    python -m integrations.broadworks.simulator --host 127.0.0.1 --port 2208 --state var/sim/broadworks.json

What it speaks, and what is ours rather than BroadWorks', is in README.md beside this package. Where
each part lives:
- `protocol.py`: OCI-P documents in and out; `errors.py`: the ErrorResponses it answers with;
- `session.py`: the login handshake, per connection;
- `state.py`: what the platform knows (service providers, pools, groups, admins), kept in a JSON
  file; `catalogue.py`: what it is set up with; `dns.py`: numbers and ranges;
- `handlers/`: what each request does (`HANDLERS` lists them);
- `faults.py`: injected faults (off by default), on the shared fault injector;
- `server.py`: the threaded TCP server, TLS, one document at a time; `cli.py`: the command line;
- `demo.py`: the demo's partner and any partner preloaded with its clone template group.
Passwords are never logged and never stored.
"""

from .catalogue import CLONE_SERVICE_PROVIDER_ID, SYSTEM_DOMAINS, VOICE_MESSAGING_GROUP
from .cli import main
from .demo import (
    DEMO_CLONE_GROUP_SERVICES,
    DEMO_CLONE_SERVICE_PACKS,
    DEMO_CLONE_USER_SERVICES,
    MASTER_CLONE_GROUP_ID,
    preload_demo,
    preload_partner,
)
from .errors import ERRORS, OCIError
from .faults import FAULT_KINDS, faults_path_for, make_fault, write_faults
from .protocol import parse_document
from .server import OCIPSimulator
from .state import BroadWorksState

__all__ = [
    "CLONE_SERVICE_PROVIDER_ID",
    "DEMO_CLONE_GROUP_SERVICES",
    "DEMO_CLONE_SERVICE_PACKS",
    "DEMO_CLONE_USER_SERVICES",
    "ERRORS",
    "FAULT_KINDS",
    "MASTER_CLONE_GROUP_ID",
    "SYSTEM_DOMAINS",
    "VOICE_MESSAGING_GROUP",
    "BroadWorksState",
    "OCIError",
    "OCIPSimulator",
    "faults_path_for",
    "main",
    "make_fault",
    "parse_document",
    "preload_demo",
    "preload_partner",
    "write_faults",
]
