"""What schemathesis found (#17), each kept fixed by a test of its own: the answers the schema
promises, and no server error where a request is merely wrong."""

import pytest
from django.core.management import call_command
from django.db import DataError
from drf_spectacular.generators import SchemaGenerator

from accounts.choices import Role
from customers.services import customer_group_create
from expoe_portal.api import exception_handler
from porting.models import PortRequest
from tests.customers.build_request_data import stock_pool, valid_request
from tests.services import require_postgresql


@pytest.fixture
def schema(db):
    return SchemaGenerator().get_schema(request=None, public=True)


def test_a_manual_confirmation_for_a_customer_never_built_is_a_conflict_not_a_server_error(world, api_as):
    stock_pool(world)
    group, _ = customer_group_create(by=world.user(Role.COORDINATOR), partner=world.partner_a, data=valid_request())
    client = api_as(world.user(Role.COORDINATOR))
    for path in ("manual-confirmation", "callcabinet-confirmation"):
        response = client.post(f"/api/v1/customer-groups/{group.pk}/{path}/", {"reference": "REF-1"})
        assert response.status_code == 409, response.content
        assert response.json()["code"] == "conflict"
        assert "not waiting for a confirmation" in response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/number-ranges/", {"partner": "ACME\x0001", "first": "+441134960000", "last": "+441134960001"}),
        ("/api/v1/port-requests/", {"partner": "ACME\x0001", "country": "GB"}),
        ("/api/v1/onboarding-orders/", {"partner": "AC\x00ME01"}),
    ],
)
def test_a_nul_character_looked_up_is_a_400_not_a_server_error(world, api_as, path, body):
    """PostgreSQL's driver refuses a query with NUL: a lookup of `"partner": "ACME\u000001"` was a 500."""
    require_postgresql()
    client = api_as(world.user(Role.PROVISIONING_ADMIN))
    response = client.post(path, body, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Null characters are not allowed.", "code": "null_character"}
    # The refusal happened before the query left: the connection still works.
    assert client.get("/api/v1/partners/").status_code == 200


def test_a_nul_character_in_a_filter_is_a_400_not_a_server_error(world, api_as):
    response = api_as(world.user(Role.PROVISIONING_ADMIN)).get("/api/v1/onboarding-orders/", {"partner": "AC\x00ME"})
    assert response.status_code == 400
    assert response.json() == {"partner": ["Null characters are not allowed."]}, response.json()


def test_the_database_refusing_nul_is_answered_as_bad_input_on_any_database():
    response = exception_handler(DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes"), {})
    assert response.status_code == 400
    assert response.data == {"detail": "Null characters are not allowed.", "code": "null_character"}
    assert exception_handler(DataError("value too long for type character varying(16)"), {}) is None


def test_transitions_ignore_the_lists_filters_and_answer_a_plain_list(world, api_as):
    port = PortRequest.objects.create(partner=world.partner_a, country="GB")
    client = api_as(world.user(Role.PARTNER_USER))
    # `status` is a filter of the list; on one port's routes it neither refuses nor hides it.
    response = client.get(f"/api/v1/port-requests/{port.pk}/transitions/", {"status": "nonsense", "page": 7})
    assert response.status_code == 200
    assert isinstance(response.json(), list)
    assert client.get(f"/api/v1/port-requests/{port.pk}/", {"status": "cancelled"}).status_code == 200


def test_the_schema_declares_transitions_and_the_plan_as_plain_arrays(schema):
    for path in ("/api/v1/port-requests/{id}/transitions/", "/api/v1/customer-groups/{id}/plan/"):
        operation = schema["paths"][path]["get"]
        assert operation["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
        assert not [p for p in operation.get("parameters", []) if p["in"] == "query"], "no list filters, no pages"


def test_every_operation_documents_its_errors_in_the_api_error_format(schema):
    error = {"$ref": "#/components/schemas/Error"}
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            responses = operation["responses"]
            if path == "/api/v1/auth/token/":
                # It reads no credentials but those in its body (accounts/token_api.py): never a 401.
                assert "401" not in responses
            else:
                assert responses["401"]["content"]["application/json"]["schema"] == error, (method, path)
            assert "403" in responses, (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            if method in ("post", "put", "patch", "delete"):
                assert "400" in responses and "409" in responses, (method, path)
    token = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert {"400", "429"} <= set(token)
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"detail", "code"}


def test_fields_that_can_be_null_or_blank_say_so(schema):
    components = schema["components"]["schemas"]
    assert components["OnboardingOrder"]["properties"]["trainer"]["nullable"] is True
    assert components["Number"]["properties"]["customer_group"]["nullable"] is True
    assert components["PortRequest"]["properties"]["cancellation_deadline"]["nullable"] is True
    assert {"$ref": "#/components/schemas/BlankEnum"} in components["OnboardingOrder"]["properties"]["held_from"][
        "oneOf"
    ]
    # A list of related rows is never null.
    assert "nullable" not in components["OnboardingOrder"]["properties"]["accounts"]


def test_an_unknown_api_path_is_a_json_404_in_the_error_format(world, api_as, client):
    api = api_as(world.user(Role.PARTNER_USER))
    for path in ("/api/v1/port-requests/not-a-number/", "/api/v1/customer-groups/1/changes/1/explode/", "/api/v1/x/"):
        response = api.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Not found.", "code": "not_found"}
    # Pages keep their friendly page.
    assert "text/html" in client.get("/no-such-page/")["Content-Type"]


def test_the_schema_validates_without_a_warning(db, tmp_path):
    """What `python manage.py spectacular --validate --fail-on-warn` checks, in CI: an error response
    or an annotation that drf-spectacular cannot read fails here, not in a client generator."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/port-requests/{id}/transitions/{name}/:" in (tmp_path / "schema.yaml").read_text()
