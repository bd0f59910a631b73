"""The pool's number search: any format, part of a number; on PostgreSQL from a trigram index."""

import pytest
from django.db import connection

from accounts.choices import Role
from number_pool.filters import NumberFilter
from number_pool.models import Number
from number_pool.services import numbers_add
from tests.services import require_postgresql

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(world):
    admin = world.user(Role.PROVISIONING_ADMIN)
    numbers_add(by=admin, partner=world.partner_a, numbers=["+442079460001", "+442079460002", "+441134960001"])
    return Number.objects.all()


def found(value):
    return sorted(NumberFilter({"q": value}, queryset=Number.objects.all()).qs.values_list("e164", flat=True))


def test_a_number_is_found_however_it_is_typed(pool):
    assert found("020 7946 0001") == found("+44 20 7946 0001") == found("442079460001") == ["+442079460001"]
    assert found("7946 000") == ["+442079460001", "+442079460002"]
    assert found("0001") == ["+441134960001", "+442079460001"]
    assert found("no digits") == []


def test_postgresql_serves_the_number_search_from_the_trigram_index(pool):
    require_postgresql()
    with connection.cursor() as cursor:
        # A bitmap scan needs an index that serves the condition; nothing else is left unpriced.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = NumberFilter({"q": "7946 000"}, queryset=Number.objects.all()).qs.explain()
    assert "Bitmap Index Scan on number_pool_e164_trgm" in plan, plan
