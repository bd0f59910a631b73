"""NUMBERS_PER_REQUEST_MAX (#17): one request names at most so many numbers, and is told the cap."""

import pytest

from accounts.choices import Role
from number_pool.models import Number

pytestmark = pytest.mark.django_db


def test_a_range_over_the_cap_is_refused_naming_it_and_one_at_the_cap_is_added(api_as, world):
    client = api_as(world.user(Role.COORDINATOR))
    over = client.post(
        "/api/v1/number-ranges/", {"partner": "ACME01", "first": "020 7946 0000", "last": "020 7947 0000"}
    )
    assert over.status_code == 400
    assert over.json() == {
        "last": ["+442079460000–+442079470000 is 10,001 numbers; one request may name at most 10,000 numbers."]
    }
    at_cap = client.post(
        "/api/v1/number-ranges/", {"partner": "ACME01", "first": "020 7946 0000", "last": "020 7946 9999"}
    )
    assert at_cap.status_code == 201 and at_cap.json()["count"] == 10_000
    assert Number.objects.count() == 10_000


def test_a_typed_number_that_is_a_page_long_is_refused_not_parsed(api_as, world):
    client = api_as(world.user(Role.COORDINATOR))
    response = client.post("/api/v1/number-ranges/", {"partner": "ACME01", "first": "0" * 101})
    assert response.status_code == 400
    assert response.json() == {"first": ["Ensure this field has no more than 100 characters."]}


def test_the_pool_page_refuses_a_pasted_list_over_the_cap_naming_it(client, world, settings):
    settings.NUMBERS_PER_REQUEST_MAX = 3
    client.force_login(world.user(Role.COORDINATOR))
    pasted = "020 7946 0000\n020 7946 0001\n020 7946 0002 - 020 7946 0003"
    response = client.post("/numbers/add/", {"partner": world.partner_a.pk, "numbers": pasted})
    assert response.status_code == 200
    assert "one request may name at most 3 numbers. Split it into several requests." in response.content.decode()
    assert not Number.objects.exists()


def test_more_entries_than_the_cap_are_refused_before_any_is_read(settings):
    from django.core.exceptions import ValidationError

    from number_pool.parsing import parse_number_list

    settings.NUMBERS_PER_REQUEST_MAX = 2
    with pytest.raises(ValidationError) as refused:
        parse_number_list("not a number\nnor this\nnor that")  # unread: three entries are too many
    assert refused.value.messages == [
        "That is 3 entries; one request may name at most 2 numbers. Split it into several requests."
    ]
