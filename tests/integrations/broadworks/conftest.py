"""The BroadWorks simulator's tests: a simulator on an ephemeral port, preloaded with the demo."""

import pytest

from .ocip_client import start


@pytest.fixture
def state_path(tmp_path):
    return tmp_path / "sim" / "broadworks.json"


@pytest.fixture
def sim(state_path):
    server = start(state_path)
    yield server
    server.stop()
