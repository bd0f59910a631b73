"""The API answers as its published schema says (issue #17, API.md): schemathesis generates requests
for every operation the portal's own `/api/v1/schema/` lists, as a staff user and as a partner user,
each signed in with a token from `POST /api/v1/auth/token/`, on the demo data (`seed_demo`), so that
detail routes get real ids of the caller's scope as well as made-up ones.

It fails on any server error, any response body or header the schema does not describe, any status
code the operation does not document, any content type it does not declare, and any request the
schema calls valid that the API refuses. Operations added later are covered without an edit here.
Bounded: MAX_EXAMPLES requests per operation and caller, no shrinking (every distinct failure is
collected and reported at once instead)."""

import time
from io import StringIO

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.demo import DEMO_PASSWORD

SCHEMA_PATH = "/api/v1/schema/"
# Requests per operation and caller: about two minutes for both callers on PostgreSQL in CI.
MAX_EXAMPLES = 15
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    positive_data_acceptance,
]
CALLERS = {"staff": "admin", "partner": "acme"}  # seed_demo's provisioning_admin and ACME01's user


@pytest.fixture
def wsgi_app(db):
    """The portal as a WSGI application, served in this thread, inside the test's transaction.

    Django closes the database connection at each request's start and end; inside a test's
    transaction that would end the test's data. Its own test client disconnects the same signal
    handler for the same reason (django.test.client.ClientHandler)."""
    from django.core.handlers.wsgi import WSGIHandler

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def demo(db, settings):
    # The demo's staff log in with a password only, as `make run`'s do (a second factor is
    # the token endpoint's own tests' business).
    settings.STAFF_MFA_REQUIRED = False
    call_command("seed_demo", stdout=StringIO())


def token_for(username: str) -> str:
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code in (200, 201), response.content
    return response.json()["token"]


def collection_ids(client: APIClient, operation) -> list:
    """Real ids of the caller's scope for an operation's first path parameter: the ids its collection
    (the path up to that parameter) lists for this caller."""
    path = operation.path
    if "{" not in path:
        return []
    collection = path[: path.index("{")]
    response = client.get(collection, {"page_size": 500})
    if response.status_code != 200:
        return []
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return [row["id"] for row in rows if isinstance(row, dict) and "id" in row]


def first_path_parameter(operation) -> str | None:
    path = operation.path
    return path[path.index("{") + 1 : path.index("}")] if "{" in path else None


def exercise(operation, *, headers: dict, ids: list, failures: dict) -> int:
    """Send MAX_EXAMPLES generated requests to one operation; record each distinct failure."""
    strategy = operation.as_strategy()
    parameter = first_path_parameter(operation)
    if parameter and ids:
        # Mostly real objects of the caller's scope, sometimes made-up ids (those must be 404s).
        real = st.sampled_from(ids).flatmap(lambda pk: operation.as_strategy(path_parameters={parameter: pk}))
        strategy = st.one_of(real, real, real, strategy)
    sent = 0

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        # The health checks judge generation speed and fixture scope, not the API.
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        nonlocal sent
        sent += 1
        # Each request on the seeded world, undone afterwards: one request's change (a cancelled
        # port, a deleted object) never turns the next one's valid request into a refused one.
        with transaction.atomic():
            try:
                case.call_and_validate(headers=headers, checks=CHECKS)
            except FailureGroup as group:
                for failure in group.exceptions:
                    key = (operation.label, failure.title)
                    failures.setdefault(key, f"{failure}\n    {case.as_curl_command(headers=headers)}")
            finally:
                transaction.set_rollback(True)

    run()
    return sent


@pytest.mark.parametrize("caller", CALLERS)
def test_every_operation_answers_as_the_schema_says(caller, demo, wsgi_app):
    started = time.monotonic()
    schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, wsgi_app)
    token = token_for(CALLERS[caller])
    headers = {"Authorization": f"Token {token}"}
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=headers["Authorization"])

    failures: dict = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40  # the whole API, not an empty or broken schema
    sent = 0
    for operation in operations:
        sent += exercise(operation, headers=headers, ids=collection_ids(client, operation), failures=failures)

    report = "\n\n".join(f"{label}: {text}" for (label, _), text in sorted(failures.items()))
    assert not failures, f"{len(failures)} distinct contract failures as {caller}:\n\n{report}"
    print(f"{caller}: {sent} requests to {len(operations)} operations in {time.monotonic() - started:.0f}s")
