"""The customers tests' shared fixtures: platforms in memory, and a customer whose build succeeded."""

import pytest

from accounts.choices import Role
from customers import build_steps, builds
from customers.services import customer_group_create

from .build_request_data import stock_pool, valid_request
from .fake_platforms import fake_platforms


@pytest.fixture
def platforms(monkeypatch):
    fake = fake_platforms()
    monkeypatch.setattr(build_steps, "get_platforms", lambda: fake)
    return fake


@pytest.fixture
def built(world, platforms, django_capture_on_commit_callbacks):
    """A customer whose first build succeeded: numbers ...0000-0002, CLID 0000, voice portal 0001."""
    stock_pool(world)
    group, _ = customer_group_create(by=world.user(Role.COORDINATOR), partner=world.partner_a, data=valid_request())
    with django_capture_on_commit_callbacks(execute=True):
        builds.build_start(by=world.user(Role.COORDINATOR), group=group)
    group.refresh_from_db()
    assert group.build.status == "succeeded"
    return group


def run(django_capture_on_commit_callbacks, change, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        build = change(**kwargs)
    build.refresh_from_db()
    return build
