"""N1, N2 through the API (/api/v1/number-ranges/, /api/v1/numbers/) and the pool pages."""

import pytest

from accounts.choices import Role
from number_pool.models import Number
from number_pool.services import numbers_add

pytestmark = pytest.mark.django_db


def test_N1_staff_add_a_range_through_the_api(api_as, world):
    response = api_as(world.user(Role.COORDINATOR)).post(
        "/api/v1/number-ranges/", {"partner": "ACME01", "first": "020 7946 0100", "last": "+442079460149"}
    )
    assert response.status_code == 201, response.content
    assert response.json() == {
        "partner": "ACME01",
        "first": "+442079460100",
        "last": "+442079460149",
        "count": 50,
    }
    assert Number.objects.filter(partner=world.partner_a).count() == 50


def test_N1_a_single_number_is_a_range_of_one(api_as, world):
    response = api_as(world.user(Role.COORDINATOR)).post(
        "/api/v1/number-ranges/", {"partner": "ACME01", "first": "020 7946 0100"}
    )
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    ("payload", "field", "fragment"),
    [
        ({"first": "nonsense"}, "first", "is not a phone number"),
        ({"last": "hello"}, "last", "is not a phone number"),
        (
            {"first": "020 7946 0200", "last": "020 7946 0100"},
            "last",
            "ends (+442079460100) before it starts",
        ),
        ({"partner": "NOPE"}, "partner", "does not exist"),
    ],
)
def test_N1_bad_ranges_are_400_naming_the_field(api_as, world, payload, field, fragment):
    data = {"partner": "ACME01", "first": "020 7946 0100", "last": "020 7946 0109", **payload}
    response = api_as(world.user(Role.COORDINATOR)).post("/api/v1/number-ranges/", data)
    assert response.status_code == 400
    assert fragment in str(response.json()[field])
    assert not Number.objects.exists()


def test_N1_overlapping_range_is_400_naming_the_clash(api_as, world):
    client = api_as(world.user(Role.COORDINATOR))
    client.post("/api/v1/number-ranges/", {"partner": "BETA02", "first": "020 7946 0105"})
    response = client.post(
        "/api/v1/number-ranges/", {"partner": "ACME01", "first": "020 7946 0100", "last": "020 7946 0109"}
    )
    assert response.status_code == 400
    assert response.json() == {"numbers": ["Already in a partner's pool: +442079460105 (BETA02)."]}


@pytest.mark.parametrize("role", [Role.TRAINER, Role.MANAGER, Role.PARTNER_USER])
def test_N1_only_provisioning_staff_add_ranges(api_as, world, role):
    response = api_as(world.user(role)).post("/api/v1/number-ranges/", {"partner": "ACME01", "first": "02079460100"})
    assert response.status_code == 403


def test_N2_partner_users_list_only_their_own_numbers(api_as, world):
    admin = world.user(Role.PROVISIONING_ADMIN)
    numbers_add(by=admin, partner=world.partner_a, numbers=["+442079460001"])
    numbers_add(by=admin, partner=world.partner_b, numbers=["+442079460002"])
    body = api_as(world.user(Role.PARTNER_USER)).get("/api/v1/numbers/").json()
    assert [n["e164"] for n in body["results"]] == ["+442079460001"]
    assert body["results"][0] == {
        "id": body["results"][0]["id"],
        "e164": "+442079460001",
        "partner": "ACME01",
        "customer_group": None,
        "status": "available",
    }


def test_numbers_filter_by_status_partner_and_number(api_as, world):
    admin = world.user(Role.PROVISIONING_ADMIN)
    numbers_add(by=admin, partner=world.partner_a, numbers=["+442079460001", "+442079460002"])
    numbers_add(by=admin, partner=world.partner_b, numbers=["+442079460003"])
    client = api_as(world.user(Role.MANAGER))
    assert client.get("/api/v1/numbers/", {"partner": "beta02"}).json()["count"] == 1
    assert client.get("/api/v1/numbers/", {"q": "020 7946 0002"}).json()["results"][0]["e164"] == "+442079460002"
    assert client.get("/api/v1/numbers/", {"status": "assigned"}).json()["count"] == 0


def test_N1_staff_paste_a_list_on_the_add_numbers_page(client, world):
    client.force_login(world.user(Role.COORDINATOR))
    response = client.post(
        "/numbers/add/",
        {"partner": world.partner_a.pk, "numbers": "020 7946 0001\n020 7946 0010 - 020 7946 0019\n"},
        follow=True,
    )
    assert "11 numbers added to ACME01&#x27;s pool." in response.content.decode()
    assert Number.objects.filter(partner=world.partner_a).count() == 11


def test_N1_unreadable_lines_are_named_beside_the_field_and_nothing_is_added(client, world):
    client.force_login(world.user(Role.COORDINATOR))
    response = client.post("/numbers/add/", {"partner": world.partner_a.pk, "numbers": "020 7946 0001\nfax line\n"})
    assert "“fax line”: “fax line” is not a phone number." in response.content.decode()
    assert not Number.objects.exists()


def test_N1_pool_page_filters_and_counts_for_a_partner_user(client, world):
    admin = world.user(Role.PROVISIONING_ADMIN)
    numbers_add(by=admin, partner=world.partner_a, numbers=["+442079460001", "+442079460002"])
    numbers_add(by=admin, partner=world.partner_b, numbers=["+442079460003"])
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.get("/numbers/")
    assert page.context["counts"] == {"available": 2, "assigned": 0, "porting": 0}
    assert [r.record.e164 for r in page.context["table"].page.object_list] == [
        "+442079460001",
        "+442079460002",
    ]
    assert "Add numbers" not in page.content.decode()
    searched = client.get("/numbers/", {"q": "0003"}).context["table"].page.object_list
    assert list(searched) == [], "another partner's number is not found by searching for it"
