"""/api/v1/customer-groups/: the build request through the API, with the same rules and
field-level errors in the request's own shape."""

import pytest

from accounts.choices import Role
from customers.models import CustomerGroup

from .build_request_data import stock_pool, valid_request

pytestmark = pytest.mark.django_db

LIST = "/api/v1/customer-groups/"


@pytest.fixture
def pool(world):
    return stock_pool(world)


def post(client, **overrides):
    return client.post(LIST, {"partner": "ACME01", **valid_request(**overrides)}, format="json")


def test_a_partner_user_requests_a_build_and_sees_the_generated_password_once(api_as, world, pool):
    client = api_as(world.user(Role.PARTNER_USER))
    response = post(client)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["group_id"] == "AlphaWidgets" and body["partner"] == "ACME01"
    assert body["numbers"] == pool[:3] and body["business_profile_number"] == pool[0]
    assert body["voice_portal"] == {"number": pool[1], "extension": "8000", "external_dial_in": True}
    assert body["admins"] == [{"first_name": "Ada", "last_name": "Lovelace", "user_id": "ada.lovelace@hostedcomm.com"}]
    assert body["build"] == {"status": "draft", "progress": 0, "steps": []}
    password = body["generated_passwords"]["ada.lovelace@hostedcomm.com"]
    assert len(password) >= 12
    again = client.get(f"{LIST}{body['id']}/").json()
    assert again["generated_passwords"] == {} and password not in str(again)


def test_B1_V2_A1_K4_C5_errors_come_back_in_the_request_shape(api_as, world, pool):
    response = post(
        api_as(world.user(Role.COORDINATOR)),
        business_profile_number=pool[6],
        voice_portal={"number": "", "extension": "8000", "external_dial_in": True},
        admins=[{"first_name": "Ada", "last_name": "L", "user_id": "ada@exponential-e.com"}],
        akixi={"licence": "Reporting Standard", "users": [{"username": "r", "full_name": "R", "email": "bad"}]},
        callcabinet={"admin_name": "Ada", "admin_email": ""},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["business_profile_number"] == ["The business profile number must be one of the group's numbers (B1)."]
    assert "(V2)" in body["voice_portal"]["number"][0]
    assert body["admins"] == [{"user_id": ["User IDs of this group end in @hostedcomm.com (A1, G5)."]}]
    assert "welcome email" in body["akixi"]["users"][0]["email"][0]
    assert "(C5)" in body["callcabinet"]["admin_email"][0]
    assert not CustomerGroup.objects.exists()


def test_G3_a_taken_group_id_is_a_field_error(api_as, world, pool):
    client = api_as(world.user(Role.COORDINATOR))
    assert post(client).status_code == 201
    second = post(
        client,
        group_id="alphawidgets",
        numbers=[pool[5]],
        business_profile_number=pool[5],
        voice_portal__number=pool[5],
    )
    assert second.status_code == 400
    assert second.json()["group_id"] == ["The group ID “alphawidgets” is already used on the platform (G3)."]


def test_N2_a_partner_user_cannot_take_another_partners_numbers_or_partner(api_as, world, pool):
    client = api_as(world.user(Role.PARTNER_USER))
    response = client.post(LIST, {"partner": "BETA02", **valid_request()}, format="json")
    assert response.status_code == 400 and "does not exist" in response.json()["partner"][0]
    response = post(client, numbers=["+442079469999"], business_profile_number="+442079469999", voice_portal__number="")
    assert "(N2)" in response.json()["numbers"][0]


def test_O6_a_partner_that_is_not_live_cannot_request_builds(api_as, world):
    stock_pool(world, partner=world.partner_b)
    response = api_as(world.user("partner_b_user")).post(LIST, {"partner": "BETA02", **valid_request()}, format="json")
    assert response.status_code == 400
    assert "not live yet" in response.json()["partner"][0]


def test_partner_users_see_only_their_groups(api_as, world, pool):
    post(api_as(world.user(Role.COORDINATOR)))
    other = CustomerGroup.objects.create(partner=world.partner_b, group_id="BetaOne", name="Beta One")
    client = api_as(world.user("partner_b_user"))
    assert [g["group_id"] for g in client.get(LIST).json()["results"]] == ["BetaOne"]
    mine = CustomerGroup.objects.get(group_id="AlphaWidgets")
    assert client.get(f"{LIST}{mine.pk}/").status_code == 404
    assert client.put(f"{LIST}{mine.pk}/", {"partner": "ACME01", **valid_request()}, format="json").status_code == 404
    assert client.get(f"{LIST}{other.pk}/plan/").status_code == 200


def test_a_draft_is_updated_and_a_confirmed_request_is_409(api_as, world, pool):
    client = api_as(world.user(Role.COORDINATOR))
    group_id = post(client).json()["id"]
    changed = client.put(
        f"{LIST}{group_id}/", {"partner": "ACME01", **valid_request(name="Alpha Widgets Group")}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["name"] == "Alpha Widgets Group"
    assert changed.json()["generated_passwords"] == {}, "an existing admin keeps their password"
    built = client.post(f"{LIST}{group_id}/build/")
    assert built.status_code == 200 and built.json()["build"]["status"] == "queued"
    refused = client.put(f"{LIST}{group_id}/", {"partner": "ACME01", **valid_request()}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "conflict"
    again = client.post(f"{LIST}{group_id}/build/")
    assert again.status_code == 200 and again.json()["build"]["status"] == "queued", "a second click changes nothing"


def test_the_plan_lists_the_operations(api_as, world, pool):
    client = api_as(world.user(Role.COORDINATOR))
    group_id = post(client).json()["id"]
    plan = client.get(f"{LIST}{group_id}/plan/").json()
    assert plan[0] == {
        "platform": "broadworks",
        "operation": "Check the group ID is free",
        "detail": plan[0]["detail"],
        "steps": ["clone_group"],  # the build step that performs it (#16)
    }
    assert [p["platform"] for p in plan].count("callcabinet") == 3


@pytest.mark.parametrize("role", [Role.TRAINER, Role.MANAGER])
def test_read_only_staff_cannot_request_builds(api_as, world, pool, role):
    assert post(api_as(world.user(role))).status_code == 403


def test_a_password_never_appears_in_stored_rows_or_the_audit(api_as, world, pool):
    from accounts.models import AuditEvent
    from customers.models import GroupAdmin

    typed = "Secret-typed-99"
    post(api_as(world.user(Role.COORDINATOR)), admins=[{"first_name": "Ada", "last_name": "L", "password": typed}])
    admin = GroupAdmin.objects.get()
    assert typed not in admin.password_encrypted
    assert not any(typed in str(e.changes) for e in AuditEvent.objects.all())


def _nested(body, path):
    for part in path.split("."):
        body = body[int(part)] if part.isdigit() else body[part]
    return body


# rule: (what breaks it, where its message appears, a fragment of the message)
API_RULE_CASES = {
    "G3": ({"group_id": "has space"}, "group_id", "letters, digits"),
    "G4": ({"name": ""}, "name", "(G4)"),
    "G5": ({"domain": "gmail.com"}, "domain", "(G5)"),
    "G6": ({"admins": []}, "admins", "(G6)"),
    "N1": ({"numbers": []}, "numbers", "(N1)"),
    "B1": ({"business_profile_number": ""}, "business_profile_number", "(B1)"),
    "V1": ({"voice_portal": {"number": "", "extension": "", "external_dial_in": False}}, "voice_portal.number", "(V1)"),
    "V1_extension": ({"voice_portal__extension": "12"}, "voice_portal.extension", "4 digits"),
    "A1": (
        {"admins": [{"first_name": "A", "last_name": "B", "user_id": "not an id@hostedcomm.com"}]},
        "admins.0.user_id",
        "user ID",
    ),
    "A2": ({"admins": [{"first_name": "A", "last_name": "", "password": "short"}]}, "admins.0.last_name", "(A2)"),
    "A2_password": (
        {"admins": [{"first_name": "A", "last_name": "B", "password": "short"}]},
        "admins.0.password",
        "(A2)",
    ),
    "K2": ({"akixi__licence": "Platinum"}, "akixi.licence", "(K2)"),
    "K4": ({"akixi__users": []}, "akixi.users", "(K4)"),
    "C5": ({"callcabinet": {"admin_name": "", "admin_email": "a@b.invalid"}}, "callcabinet.admin_name", "(C5)"),
}


@pytest.mark.parametrize("rule", sorted(API_RULE_CASES))
def test_each_rule_through_the_api(api_as, world, pool, rule):
    """test_<rule>: one broken rule per request; its message sits at the field's own path."""
    overrides, path, fragment = API_RULE_CASES[rule]
    response = post(api_as(world.user(Role.COORDINATOR)), **overrides)
    assert response.status_code == 400, rule
    assert fragment in str(_nested(response.json(), path)), (rule, response.json())
    assert not CustomerGroup.objects.exists()


def test_G1_G2_C2_C3_C4_the_plan_uses_the_clone_source_and_an_essential_customer(api_as, world, pool):
    client = api_as(world.user(Role.COORDINATOR))
    group_id = post(client).json()["id"]
    plan = {step["operation"]: step["detail"] for step in client.get(f"{LIST}{group_id}/plan/").json()}
    assert plan["Read the clone group"] == "ACME01-CLONE of ExpoePartner (G1, G2)"
    assert plan["Add New Essential Customer"] == (
        "dealer and billing code AlphaWidgets, BroadWorks group AlphaWidgets, provider ACME01 (C2, C3, C4)"
    )
    assert not any(op == "Add New Customer" for op in plan), "never the plain customer (C2)"


def test_K4_reporting_users_are_limited_to_their_partition(api_as, world, pool):
    client = api_as(world.user(Role.COORDINATOR))
    group_id = post(client).json()["id"]
    users = [s for s in client.get(f"{LIST}{group_id}/plan/").json() if s["operation"] == "Add reporting user"]
    assert users and all("own partition only (K4)" in s["detail"] for s in users)
