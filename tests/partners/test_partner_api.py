import pytest
from django.urls import reverse

from accounts.choices import Role
from partners.models import Partner
from tests.factories import TEST_PASSWORD, PartnerFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/partners/"


def detail(partner):
    return f"/api/v1/partners/{partner.pk}/"


def _token(api_client, username, password=TEST_PASSWORD):
    response = api_client.post("/api/v1/auth/token/", {"username": username, "password": password})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_partner_user_token_lists_only_their_own_partner(api_client, world):
    token = _token(api_client, "acme_user")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    body = api_client.get(LIST).json()
    assert body["count"] == 1 and [p["partner_id"] for p in body["results"]] == ["ACME01"]
    assert set(body) == {"count", "next", "previous", "results"}
    assert api_client.get(detail(world.partner_b)).status_code == 404
    assert api_client.get(detail(world.partner_a)).status_code == 200


def test_token_endpoint_refuses_a_wrong_password_with_a_message(api_client, world):
    response = api_client.post("/api/v1/auth/token/", {"username": "acme_user", "password": "wrong"})
    assert response.status_code == 400
    assert "Unable to log in with provided credentials." in response.json()["non_field_errors"]


def test_no_token_is_401_with_detail_and_code(api_client, world):
    response = api_client.get(LIST)
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }


def test_invalid_token_is_401(api_client, world):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api_client.get(LIST).status_code == 401


def test_staff_see_every_partner_and_filter_by_live(api_as, world):
    client = api_as(world.user(Role.TRAINER))
    assert client.get(LIST).json()["count"] == 2
    live = client.get(LIST, {"live": "true"}).json()["results"]
    assert [p["partner_id"] for p in live] == ["ACME01"]
    assert live[0]["onboarding_status"] == "live" and live[0]["live"] is True


def test_pagination_follows_page_and_page_size(api_as, world):
    PartnerFactory.create_batch(5)
    body = api_as(world.user(Role.MANAGER)).get(LIST, {"page": 2, "page_size": 3}).json()
    assert body["count"] == 7 and len(body["results"]) == 3
    assert "page=3" in body["next"] and body["previous"]


def _payload(**overrides):
    data = {
        "partner_id": "DELTA04",
        "name": "Delta Voice",
        "clone_group_id": "DELTA04-CLONE",
        "contacts": [{"name": "Dee", "role": "Primary", "email": "dee@delta.invalid", "phone": "0161 496 0999"}],
    }
    data.update(overrides)
    return data


def test_admin_creates_a_partner_with_contacts(api_as, world):
    response = api_as(world.user(Role.PROVISIONING_ADMIN)).post(LIST, _payload(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["partner_id"] == "DELTA04" and body["live"] is False
    assert body["contacts"][0]["phone"] == "+441614960999"


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"partner_id": "bad id"}, "partner_id", "Use 1–30 letters"),
        ({"partner_id": "acme01"}, "partner_id", "already exists"),
        ({"name": ""}, "name", "may not be blank"),
        ({"contacts": []}, "contacts", "at least one contact"),
        ({"contacts": None}, "contacts", "may not be null"),
        (
            {"contacts": [{"name": "X", "email": "x@y.invalid", "phone": "99"}]},
            "contacts",
            "not a valid phone number",
        ),
    ],
)
def test_bad_input_is_400_naming_the_field_and_nothing_is_saved(api_as, world, overrides, field, fragment):
    response = api_as(world.user(Role.COORDINATOR)).post(LIST, _payload(**overrides), format="json")
    assert response.status_code == 400
    assert fragment in str(response.json()[field])
    assert not Partner.objects.filter(name="Delta Voice").exists()


def test_missing_contacts_is_400_not_a_server_error(api_as, world):
    payload = _payload()
    del payload["contacts"]
    response = api_as(world.user(Role.COORDINATOR)).post(LIST, payload, format="json")
    assert response.status_code == 400 and "at least one contact" in response.json()["contacts"][0]


def test_partner_user_cannot_create_or_edit_partners(api_as, world):
    client = api_as(world.user(Role.PARTNER_USER))
    assert client.post(LIST, _payload(), format="json").status_code == 403
    response = client.patch(detail(world.partner_a), {"name": "Mine"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert client.patch(detail(world.partner_b), {"name": "Theirs"}, format="json").status_code == 404


def test_coordinator_edits_a_partner_but_not_its_id(api_as, world):
    client = api_as(world.user(Role.COORDINATOR))
    ok = client.patch(detail(world.partner_b), {"name": "Betacom Group"}, format="json")
    assert ok.status_code == 200 and ok.json()["name"] == "Betacom Group"
    refused = client.patch(detail(world.partner_b), {"partner_id": "NEWID"}, format="json")
    assert refused.status_code == 400 and "cannot change" in refused.json()["partner_id"][0]


def test_schema_and_docs_are_served(client):
    schema = client.get(reverse("api-schema"))
    assert schema.status_code == 200 and b"/api/v1/partners/" in schema.content
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
