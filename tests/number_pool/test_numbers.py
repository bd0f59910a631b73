"""N1, N2: the two-level number inventory (partner pool, then customer group)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from accounts.choices import Role
from customers.models import CustomerGroup
from customers.services import numbers_assign, numbers_release
from number_pool.models import Number
from number_pool.parsing import parse_entry, parse_number_list, parse_range
from number_pool.services import numbers_add


def _range(first, count):
    return parse_range(first, f"+{int(first[1:]) + count - 1}")


# --- Parsing --------------------------------------------------------------------------------


def test_N1_a_range_lists_every_number_in_order():
    assert parse_range("020 7946 0998", "020 7946 1001") == [
        "+442079460998",
        "+442079460999",
        "+442079461000",
        "+442079461001",
    ]


@pytest.mark.parametrize(
    ("first", "last", "fragment"),
    [
        ("020 7946 0010", "020 7946 0001", "ends (+442079460001) before it starts"),
        ("020 7946 0000", "+49 30 1234567", "not the same kind of number"),
        ("020 7946 0000", "hello", "not a phone number"),
        ("020 7000 0000", "020 7946 0000", "at most 10,000"),
    ],
)
def test_N1_bad_ranges_are_refused_with_a_reason(first, last, fragment):
    with pytest.raises(ValidationError) as exc:
        parse_range(first, last)
    assert fragment in exc.value.messages[0]


def test_N1_a_pasted_list_takes_numbers_ranges_csv_headers_and_repeats():
    text = 'number\n"020 7946 0100"\n+44 20 7946 0101, 020-7946-0102\n02079460103 - 02079460104\n020 7946 0100\n'
    assert parse_number_list(text) == [f"+4420794601{n:02d}" for n in range(5)]


def test_N1_a_pasted_list_names_every_unreadable_entry():
    with pytest.raises(ValidationError) as exc:
        parse_number_list("020 7946 0100\nhello\n020 7946 01")
    assert exc.value.messages == [
        "“hello”: “hello” is not a phone number.",
        "“020 7946 01”: “020 7946 01” is not a valid phone number.",
    ]


uk_number = st.integers(0, 9999).map(lambda n: f"+44207946{n:04d}")


@given(st.text(max_size=60))
def test_N1_parsing_any_text_either_gives_e164_or_a_validation_error(text):
    try:
        numbers = parse_entry(text)
    except ValidationError as exc:
        assert exc.messages
        return
    for number in numbers:
        assert number.startswith("+") and number[1:].isdigit() and len(number) <= 16


@given(uk_number, st.integers(0, 50))
def test_N1_ranges_round_trip(first, extra):
    last = f"+{int(first[1:]) + extra}"
    if len(last) != len(first):
        return
    numbers = parse_range(first, last)
    assert len(numbers) == extra + 1 and numbers[0] == first and numbers[-1] == last
    assert parse_number_list("\n".join(numbers)) == numbers
    assert all(parse_entry(n) == [n] for n in numbers[:3])


# --- The pool ---------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def _group(world, partner=None, group_id="ACME-ALPHA"):
    return CustomerGroup.objects.create(partner=partner or world.partner_a, group_id=group_id, name="Alpha Ltd")


def test_N1_staff_add_a_range_to_a_partners_pool(world):
    added = numbers_add(by=world.user(Role.COORDINATOR), partner=world.partner_a, numbers=_range("+442079460000", 100))
    assert added == 100
    assert Number.objects.filter(partner=world.partner_a, status="available").count() == 100


@pytest.mark.parametrize("role", [Role.TRAINER, Role.MANAGER, Role.PARTNER_USER])
def test_N1_only_provisioning_staff_add_numbers(world, role):
    with pytest.raises(PermissionDenied):
        numbers_add(by=world.user(role), partner=world.partner_a, numbers=["+442079460000"])
    assert not Number.objects.exists()


def test_N1_overlaps_are_refused_naming_the_clashing_numbers_and_nothing_is_added(world):
    admin = world.user(Role.PROVISIONING_ADMIN)
    numbers_add(by=admin, partner=world.partner_b, numbers=_range("+442079460010", 3))
    with pytest.raises(ValidationError) as exc:
        numbers_add(by=admin, partner=world.partner_a, numbers=_range("+442079460000", 12))
    assert exc.value.message_dict["numbers"] == [
        "Already in a partner's pool: +442079460010 (BETA02), +442079460011 (BETA02)."
    ]
    assert not Number.objects.filter(partner=world.partner_a).exists()


def test_N1_the_database_refuses_a_duplicate_even_bypassing_the_service(world):
    Number.objects.create(e164="+442079460000", partner=world.partner_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Number.objects.create(e164="+442079460000", partner=world.partner_b)


def test_N1_adding_10000_numbers_takes_the_same_queries_as_adding_10(world):
    admin = world.user(Role.PROVISIONING_ADMIN)
    admin.has_perm("number_pool.add_number")  # load the permission cache outside the counts
    with CaptureQueriesContext(connection) as small:
        numbers_add(by=admin, partner=world.partner_a, numbers=_range("+442079460000", 10))
    with CaptureQueriesContext(connection) as large:
        numbers_add(by=admin, partner=world.partner_b, numbers=_range("+442079470000", 10_000))
    assert len(large.captured_queries) == len(small.captured_queries)
    assert Number.objects.filter(partner=world.partner_b).count() == 10_000


def test_N1_assigning_10000_numbers_takes_the_same_queries_as_assigning_10(world):
    admin = world.user(Role.PROVISIONING_ADMIN)
    numbers_add(by=admin, partner=world.partner_a, numbers=_range("+442079460000", 10))
    numbers_add(by=admin, partner=world.partner_a, numbers=_range("+442079460010", 10_000))
    small_group, large_group = _group(world, group_id="SMALL"), _group(world, group_id="LARGE")
    with CaptureQueriesContext(connection) as small:
        numbers_assign(by=admin, group=small_group, numbers=_range("+442079460000", 10))
    with CaptureQueriesContext(connection) as large:
        numbers_assign(by=admin, group=large_group, numbers=_range("+442079460010", 10_000))
    assert len(large.captured_queries) == len(small.captured_queries)
    assert large_group.numbers.count() == 10_000


def test_N2_another_partners_numbers_cannot_be_assigned_whatever_the_input(world):
    admin = world.user(Role.PROVISIONING_ADMIN)
    numbers_add(by=admin, partner=world.partner_a, numbers=["+442079460000"])
    numbers_add(by=admin, partner=world.partner_b, numbers=["+442079460001"])
    group = _group(world)
    with pytest.raises(ValidationError) as exc:
        numbers_assign(by=admin, group=group, numbers=["+442079460000", "+442079460001", "+442079469999"])
    assert exc.value.message_dict["numbers"] == ["Not in ACME01's number pool (N2): +442079460001, +442079469999."]
    assert not group.numbers.exists(), "all or nothing: the valid number was not assigned either"
    assert Number.objects.get(e164="+442079460001").customer_group is None


def test_N1_a_number_is_in_one_group_at_a_time(world):
    admin = world.user(Role.PROVISIONING_ADMIN)
    numbers_add(by=admin, partner=world.partner_a, numbers=["+442079460000"])
    first, second = _group(world, group_id="FIRST"), _group(world, group_id="SECOND")
    numbers_assign(by=admin, group=first, numbers=["+442079460000"])
    with pytest.raises(ValidationError) as exc:
        numbers_assign(by=admin, group=second, numbers=["+442079460000"])
    assert exc.value.message_dict["numbers"] == ["+442079460000 is not available (it is FIRST)."]


def test_N1_the_partners_own_user_assigns_but_not_to_another_partners_group(world):
    admin = world.user(Role.PROVISIONING_ADMIN)
    numbers_add(by=admin, partner=world.partner_a, numbers=["+442079460000"])
    own, theirs = _group(world), _group(world, partner=world.partner_b, group_id="BETA-ONE")
    assert numbers_assign(by=world.user(Role.PARTNER_USER), group=own, numbers=["+442079460000"]) == 1
    with pytest.raises(PermissionDenied):
        numbers_assign(by=world.user(Role.PARTNER_USER), group=theirs, numbers=["+442079460000"])


def test_N1_released_numbers_return_to_the_pool(world):
    admin = world.user(Role.PROVISIONING_ADMIN)
    numbers_add(by=admin, partner=world.partner_a, numbers=_range("+442079460000", 3))
    group = _group(world)
    numbers_assign(by=admin, group=group, numbers=_range("+442079460000", 3))
    assert numbers_release(by=admin, group=group, numbers=["+442079460001"]) == 1
    assert Number.objects.get(e164="+442079460001").status == "available"


def test_N1_the_database_refuses_an_assigned_number_without_a_group(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Number.objects.create(e164="+442079460000", partner=world.partner_a, status="assigned")
