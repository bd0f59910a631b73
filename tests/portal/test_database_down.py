"""With the database unreachable, every client is told so in its own language (#17): /healthz
answers 503 JSON whatever cookies come with it, the API answers its JSON error format (503
`service_unavailable`), and pages show a page that says nothing was saved. Never an HTML 500."""

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

from accounts.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in_then_database_down(world, monkeypatch):
    """A client holding a session cookie (made while the database answered); then every query fails
    as a refused connection does."""
    client = Client(raise_request_exception=False)
    client.force_login(world.user(Role.COORDINATOR))

    def refused(self, *args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    monkeypatch.setattr(BaseDatabaseWrapper, "_cursor", refused)
    return client


def test_healthz_answers_503_json_naming_the_database_without_a_cookie(signed_in_then_database_down):
    response = Client(raise_request_exception=False).get("/healthz")
    assert response.status_code == 503
    assert response.json()["components"]["database"] == {"state": "error"}


def test_healthz_answers_the_same_503_json_with_a_session_cookie(signed_in_then_database_down):
    client = signed_in_then_database_down
    assert client.cookies.get("sessionid")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["components"]["database"] == {"state": "error"}


@pytest.mark.parametrize("credentials", ["session", "token"])
def test_the_api_answers_json_503_service_unavailable(signed_in_then_database_down, credentials):
    client = signed_in_then_database_down
    if credentials == "token":
        client.cookies.clear()
    headers = {"Authorization": "Token 0123456789abcdef0123456789abcdef01234567"} if credentials == "token" else {}
    response = client.get("/api/v1/partners/", headers=headers)
    assert response.status_code == 503
    assert response.json() == {
        "detail": "The portal cannot reach its database; try again shortly.",
        "code": "service_unavailable",
    }
    assert response["Retry-After"] == "30"


def test_a_page_shows_the_friendly_unavailable_page(signed_in_then_database_down):
    response = signed_in_then_database_down.get("/ports/")
    assert response.status_code == 503
    page = response.content.decode()
    assert "The portal is unavailable just now" in page and "Nothing you sent was saved" in page
    assert "Traceback" not in page and "OperationalError" not in page


def test_the_schema_documents_the_503_on_every_operation(api_as, world):
    schema = api_as(world.user(Role.PROVISIONING_ADMIN)).get("/api/v1/schema/", {"format": "json"}).json()
    operations = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]
    assert len(operations) > 50
    assert [f"{method} {path}" for path, method, op in operations if "503" not in op["responses"]] == []
