from dataclasses import dataclass

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from accounts.choices import Role
from escalations.services import escalation_matrix_load

from .factories import PartnerContactFactory, PartnerFactory, UserFactory

STAFF_ROLES = [Role.PROVISIONING_ADMIN, Role.COORDINATOR, Role.TRAINER, Role.MANAGER]


@dataclass
class World:
    """Two partners, one user per role; `partner_user` belongs to partner A, `partner_b_user` to B."""

    partner_a: object
    partner_b: object
    users: dict

    def user(self, role):
        return self.users[role]


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Each test starts with no log-in failures or reset requests counted (the "throttles" cache is
    the process's memory in tests, never the Redis a test may share)."""
    throttles = caches["throttles"]
    if "locmem" in type(throttles).__module__:
        throttles.clear()


@pytest.fixture
def partner_a(db):
    partner = PartnerFactory(partner_id="ACME01", name="Acme Telecom", live=True)
    PartnerContactFactory(partner=partner, email="ops@acme.invalid")
    return partner


@pytest.fixture
def partner_b(db):
    partner = PartnerFactory(partner_id="BETA02", name="Betacom")
    PartnerContactFactory(partner=partner, email="ops@betacom.invalid")
    return partner


@pytest.fixture
def world(partner_a, partner_b):
    users = {role: UserFactory(username=str(role), role=role) for role in STAFF_ROLES}
    users[Role.PARTNER_USER] = UserFactory(username="acme_user", role=Role.PARTNER_USER, partner=partner_a)
    users["partner_b_user"] = UserFactory(username="beta_user", role=Role.PARTNER_USER, partner=partner_b)
    escalation_matrix_load()
    return World(partner_a=partner_a, partner_b=partner_b, users=users)


def _user_of(role):
    @pytest.fixture
    def user(world):
        return world.user(role)

    return user


admin_user = _user_of(Role.PROVISIONING_ADMIN)
coordinator = _user_of(Role.COORDINATOR)
manager = _user_of(Role.MANAGER)
trainer = _user_of(Role.TRAINER)
partner_user = _user_of(Role.PARTNER_USER)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as(api_client):
    def login(user):
        api_client.force_authenticate(user=user)
        return api_client

    return login


@pytest.fixture
def use_broker():
    """Point the Celery app at another broker for one test, and put it back afterwards."""
    from expoe_portal.celery import app

    keys = (
        "broker_url",
        "broker_transport_options",
        "task_always_eager",
        "result_backend",
        "task_ignore_result",
        "task_routes",
    )
    saved = {key: app.conf.get(key) for key in keys}

    def fresh_connections():
        # The app keeps the connection and producer pools of the broker it first sent to; a task
        # sent after a switch would go to the old broker. Celery forgets them the same way after
        # a fork (Celery._after_fork).
        app._pool = None
        app.amqp._producer_pool = None

    def switch(url, *, eager=True, results=False):
        app.conf.update(
            broker_url=url,
            broker_transport_options={"visibility_timeout": 3600} if url.startswith("redis") else {},
            task_always_eager=eager,
            result_backend=url if results else None,
            task_ignore_result=not results,
        )
        fresh_connections()
        return app

    yield switch
    app.conf.update(saved)
    fresh_connections()
