"""The BroadWorks gateway's tests: a simulator on an ephemeral port with the demo preloaded (its
own login, unlike the simulator's tests), and a gateway pointed at it."""

import pytest

from .support import _start, gateway_for


@pytest.fixture
def sim(tmp_path):
    server = _start(tmp_path / "broadworks.json")
    yield server
    server.stop()


@pytest.fixture
def gw(sim):
    return gateway_for(sim)


@pytest.fixture
def admin_lookup():
    """GroupAdminGetRequest22V3 (the system-wide A1 lookup) is part of the simulator now."""
