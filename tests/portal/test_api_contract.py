"""The API answers as its published schema says (issue #17, API.md): schemathesis generates requests
for every operation the portal's own `/api/v1/schema/` lists, as a staff user and as a partner user,
each signed in with a token from `POST /api/v1/auth/token/`, on the demo data (`seed_demo`), so that
detail routes get real ids of the caller's scope as well as made-up ones.

It fails on any server error, any response body or header the schema does not describe, any status
code the operation does not document, any content type it does not declare, and any request the
schema calls valid that the API refuses. Operations added later are covered without an edit here.
Bounded and repeatable: MAX_EXAMPLES valid and NEGATIVE_EXAMPLES invalid requests per operation
and caller, the same ones each run (derandomized), no shrinking (every distinct failure is
collected and reported at once instead). About a minute on PostgreSQL, a minute and a half on
SQLite."""

import contextlib
import json
import re
import time
from io import StringIO

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client

from accounts.demo import DEMO_PASSWORD

SCHEMA_PATH = "/api/v1/schema/"
# Requests per operation and caller, valid and invalid: about two minutes for both callers in CI.
MAX_EXAMPLES = 15
NEGATIVE_EXAMPLES = 5
# Refusals of a value for its form: the schema states every type, length, range, format and fixed
# choice, so a request it calls valid never gets one of these (Django's and DRF's own messages).
FORM_REFUSALS = re.compile(
    "|".join(
        [
            r"Null characters are not allowed",
            r"Not a valid string",
            r"Ensure this field has (no more than|at least) \d+ characters",
            r"Ensure this value (is|has) (less|greater) than or equal to",
            r"A valid (integer|number) is required",
            r"Must be a valid boolean",
            r"(Datetime|Date|Time) has wrong format",
            r"is not a valid choice",
            r"Expected a list of items",
            r"Invalid data\. Expected a dictionary",
            r"Enter a valid (date|time|number|whole number|email address|URL)",
        ]
    )
)


def valid_request_accepted(ctx, response, case):
    """schemathesis's positive_data_acceptance, but for a 400 in API.md's error format, judged here.

    A schema-valid request may rightly get a 400 the schema cannot foresee: API.md names other
    objects by natural key (`"partner": "ACME01"`), which must exist and be the caller's, and the
    state machines refuse what the object's state does not allow now (`transition_not_allowed`).
    What the schema can state, it must: a 400 that refuses a value for its form (FORM_REFUSALS) is
    a valid request refused, as is any 400 not in API.md's error format."""
    if response.status_code == 400 and case.meta is not None and case.meta.generation.mode.is_positive:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and body:
            if FORM_REFUSALS.search(json.dumps(body, ensure_ascii=False)):
                raise AssertionError(f"Schema-valid request refused for the form of a value: {body}")
            return None
    return positive_data_acceptance(ctx, response, case)


# schemathesis's other checks are left out, each for a reason: negative_data_rejection (DRF ignores
# what it does not know, as the schema allows: an unknown field, a bad `page_size` falls back to
# the default); use_after_free and ensure_resource_availability (stateful: nothing here is deleted,
# and each request is undone); ignored_auth, missing_required_header and unsupported_method (the
# access matrix, tests/portal/test_access_matrix.py, checks who gets what with and without a
# token); max_response_time (timing belongs to the benchmarks, not to a shared CI machine).
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    valid_request_accepted,
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


class Caller:
    """One signed-in user's own requests to the portal (tokens, lists of ids), through the same WSGI
    application as schemathesis's: Django's test client would connect again the signal handler that
    `wsgi_app` disconnects."""

    def __init__(self, app, username: str):
        # An address of its own: the fuzzed token requests (from werkzeug's 127.0.0.1) may have used
        # up that address's allowance of the token endpoint's throttle.
        self.client = Client(app)
        self.environ = {"REMOTE_ADDR": f"192.0.2.{list(CALLERS.values()).index(username) + 1}"}
        response = self.client.post(
            "/api/v1/auth/token/",
            json={"username": username, "password": DEMO_PASSWORD},
            environ_base=self.environ,
        )
        assert response.status_code in (200, 201), response.get_data(as_text=True)
        self.headers = {"Authorization": f"Token {response.get_json()['token']}"}

    def ids(self, operation) -> list:
        """Ids of this caller's scope for an operation's first path parameter: those its collection
        (the path up to that parameter) lists for this caller."""
        path = operation.path
        if "{" not in path:
            return []
        collection = path[: path.index("{")]
        response = self.client.get(
            collection, query_string={"page_size": 500}, headers=self.headers, environ_base=self.environ
        )
        if response.status_code != 200:
            return []
        body = response.get_json()
        rows = body["results"] if isinstance(body, dict) else body
        return [row["id"] for row in rows if isinstance(row, dict) and "id" in row]


def first_path_parameter(operation) -> str | None:
    path = operation.path
    return path[path.index("{") + 1 : path.index("}")] if "{" in path else None


def exercise(operation, mode: GenerationMode, *, headers: dict, own: list, others: list, failures: dict) -> int:
    """Send generated requests to one operation (MAX_EXAMPLES valid ones, or NEGATIVE_EXAMPLES
    invalid ones); record each distinct failure.

    A detail route gets mostly ids of the caller's own objects, then ids of objects outside its
    scope (another partner's, for a partner user: 404) and made-up ones."""
    strategy = operation.as_strategy(generation_mode=mode)
    parameter = first_path_parameter(operation)

    def with_ids(ids):
        return st.sampled_from(ids).flatmap(
            lambda pk: operation.as_strategy(generation_mode=mode, path_parameters={parameter: pk})
        )

    if parameter and own:
        strategy = st.one_of(with_ids(own), with_ids(own), with_ids(others or own), strategy)
    sent = 0

    @settings(
        max_examples=MAX_EXAMPLES if mode.is_positive else NEGATIVE_EXAMPLES,
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
            response = case.call(headers=headers)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    key = (operation.label, failure.title, failure.message[:60])
                    answer = f"{response.status_code} {response.text[:300]}"
                    failures.setdefault(key, f"{failure}\n    {case.as_curl_command(headers=headers)}\n -> {answer}")
            finally:
                transaction.set_rollback(True)

    # Unsatisfiable: nothing of this operation can be sent wrong (no parameters, no body).
    with contextlib.suppress(Unsatisfiable):
        run()
    return sent


@pytest.mark.parametrize("caller", CALLERS)
def test_every_operation_answers_as_the_schema_says(caller, demo, wsgi_app):
    started = time.monotonic()
    schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, wsgi_app)
    caller_ = Caller(wsgi_app, CALLERS[caller])
    everyone = Caller(wsgi_app, CALLERS["staff"])  # staff see every partner's objects

    failures: dict = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40  # the whole API, not an empty or broken schema
    sent = 0
    for operation in operations:
        own = caller_.ids(operation)
        others = [pk for pk in everyone.ids(operation) if pk not in own]
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            sent += exercise(operation, mode, headers=caller_.headers, own=own, others=others, failures=failures)

    report = "\n\n".join(f"{key[0]}: {text}" for key, text in sorted(failures.items()))
    assert not failures, f"{len(failures)} distinct contract failures as {caller}:\n\n{report}"
    print(f"{caller}: {sent} requests to {len(operations)} operations in {time.monotonic() - started:.0f}s")
