"""What the BroadWorks gateway's tests share: the simulator's start, a gateway pointed at it, and
readers of what was sent (ExternalCall rows) and what the platform holds. Fixtures: conftest.py."""

import json
from pathlib import Path

from integrations.broadworks.gateway import BroadWorksGateway
from integrations.broadworks.ocip import dn
from integrations.broadworks.simulator import OCIPSimulator, preload_demo
from integrations.models import ExternalCall

ADMIN, PASSWORD = "portal-admin", "L0gin-Canary-7f3a"
PARTNER, CLONE = "ACME01", "ACME01-CLONE"
REPO_ROOT = Path(__file__).resolve().parents[4]
POOL = ["+441134960001", "+441134960002", "+441134960003"]  # E.164, as the portal keeps them
ON_BROADWORKS = {n: dn(n) for n in POOL}  # as BroadWorks writes them: "+44-1134960001"


def _start(state_path, **options):
    server = OCIPSimulator(("127.0.0.1", 0), state_path=state_path, admins={ADMIN: PASSWORD}, **options)
    preload_demo(server.state)
    return server.start_in_thread()


def gateway_for(server, **options):
    settings = {"host": "127.0.0.1", "port": server.port, "username": ADMIN, "password": PASSWORD, "tls": False}
    return BroadWorksGateway(**{**settings, "timeout": 5, **options})


def new_group(gw, group_id="ACME-BAKERY", name="Acme Bakery Ltd", *, partner=PARTNER, clone=CLONE, **options):
    arguments = {"domain": "hostedcomm.com", "extension_length": 4, **options}
    gw.add_group_from_template(
        service_provider_id=partner, template_group_id=clone, group_id=group_id, name=name, **arguments
    )
    return group_id


def calls():
    """(operation, first request type, outcome) of every ExternalCall row, oldest first."""
    return [(r.operation, r.request["requests"][0]["type"], r.outcome) for r in ExternalCall.objects.order_by("id")]


def request_types():
    return [t for r in ExternalCall.objects.order_by("id") for t in (q["type"] for q in r.request["requests"])]


def sim_group(sim, group_id, sp=PARTNER):
    return sim.state.snapshot()["service_providers"][sp]["groups"][group_id]


def stored_calls_text():
    return json.dumps(list(ExternalCall.objects.values("operation", "target", "request", "response", "error")))
