"""The list of what every gateway operation rests on (integrations/sources.py) is complete: every
public method of every gateway is in it, and docs/integrations.md names each one."""

import inspect
from pathlib import Path

import pytest

from integrations.akixi.client import AkixiGateway
from integrations.broadworks.gateway import BroadWorksGateway
from integrations.callcabinet.client import CallCabinetGateway
from integrations.sources import ASSUMED, BY_NAME, DOCUMENTED, OPERATIONS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "integrations.md"


@pytest.mark.parametrize(
    ("platform", "gateway"),
    [("broadworks", BroadWorksGateway), ("akixi", AkixiGateway), ("callcabinet", CallCabinetGateway)],
)
def test_every_gateway_operation_says_what_it_rests_on(platform, gateway):
    public = {name for name, _ in inspect.getmembers(gateway, inspect.isfunction) if not name.startswith("_")}
    operations = {name for (p, name) in BY_NAME if p == platform}
    ignored = {"uses_session", "reporting_user_body"}  # helpers, not platform operations
    assert public - ignored <= operations, f"say what these rest on: {sorted(public - ignored - operations)}"


def test_docs_name_every_operation_and_each_says_documented_or_assumed_with_a_source():
    text = DOCS.read_text()
    for operation in OPERATIONS:
        assert f"`{operation.name}`" in text, operation.name
        assert operation.rests_on in (DOCUMENTED, ASSUMED) and operation.source
