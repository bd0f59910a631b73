import pytest

from accounts.choices import Role
from customers import build_steps, builds
from customers.services import customer_group_create
from reconciliation import services as reconciliation_services
from tests.customers.build_request_data import stock_pool, valid_request
from tests.integrations.conftest import stack  # noqa: F401  (the fixture: a real worker, beat, the simulators)

from .fake_platforms import readable_platforms


@pytest.fixture
def platforms(monkeypatch):
    fake = readable_platforms()
    monkeypatch.setattr(build_steps, "get_platforms", lambda: fake)
    monkeypatch.setattr(reconciliation_services, "get_platforms", lambda: fake)
    return fake


def build_customer(world, django_capture_on_commit_callbacks, *, partner=None, **overrides):
    """A customer whose first build succeeded on the fake platforms."""
    group, _ = customer_group_create(
        by=world.user(Role.COORDINATOR), partner=partner or world.partner_a, data=valid_request(**overrides)
    )
    with django_capture_on_commit_callbacks(execute=True):
        builds.build_start(by=world.user(Role.COORDINATOR), group=group)
    group.refresh_from_db()
    assert group.build.status == "succeeded", list(group.build.steps.values_list("name", "last_error"))
    return group


@pytest.fixture
def built(world, platforms, django_capture_on_commit_callbacks):
    """AlphaWidgets (ACME01): numbers ...0000-0002, CLID 0000, voice portal 0001 / 8000, one admin,
    Akixi user alpha.reports, a Call Cabinet customer."""
    stock_pool(world)
    return build_customer(world, django_capture_on_commit_callbacks)
