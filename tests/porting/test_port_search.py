"""The queue's search: a number in any format, part of one, a port's ID, or text; the same results
as reading every request (as the search did before #14), from indexed columns only."""

import pytest
from django.db import connection
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from accounts.choices import Role
from porting.choices import PortStatus
from porting.filters import PortRequestFilter, port_reference
from porting.models import PortRequest, number_digits
from porting.selectors import port_request_list
from tests.services import require_postgresql

from .walk import port_in_state

pytestmark = pytest.mark.django_db


def read_every_request(queryset, value):
    """The search as it was: every request's numbers as JSON text, and its partner joined."""
    digits = "".join(ch for ch in value if ch.isdigit())
    condition = (
        Q(losing_provider__icontains=value)
        | Q(range_holder__icontains=value)
        | Q(partner__partner_id__icontains=value)
        | Q(partner__name__icontains=value)
        | Q(registered_address__icontains=value)
    )
    if digits:
        national = digits[1:] if digits.startswith("0") else digits
        queryset = queryset.annotate(numbers_text=Cast("numbers", TextField()))
        condition |= Q(numbers_text__contains=national) | Q(main_billing_number__contains=national)
    return set(queryset.filter(condition).values_list("pk", flat=True))


def searched(user, value):
    filterset = PortRequestFilter({"q": value}, queryset=port_request_list(user=user))
    return set(filterset.qs.values_list("pk", flat=True))


@pytest.fixture
def ports(world):
    return [
        port_in_state(world, PortStatus.SUBMITTED, losing_provider="Virgin Media"),
        port_in_state(world, PortStatus.ACCEPTED, range_holder="Gamma Wholesale"),
        port_in_state(world, PortStatus.DRAFT, partner=world.partner_b, registered_address="9 Low Road, Leeds LS1 6DT"),
        port_in_state(
            world,
            PortStatus.DRAFT,
            country="DE",
            region="",
            numbers=["+49 30 901821"],
            main_billing_number="+49 30 901820",
        ),
        PortRequest.objects.create(partner=world.partner_a, country="GB"),  # nothing filled in yet
    ]


def test_search_finds_what_reading_every_request_found(world, ports):
    gb = ports[1]
    typed = [
        # a number with spaces, in international and 0-prefixed national forms, and partial digits
        "0113 496 " + gb.numbers[1][-4:],
        "+44 113 496 " + gb.numbers[1][-4:],
        gb.numbers[2][1:],
        gb.numbers[2][-6:],
        "496",
        "(0)113-496",
        "030 901821",
        "+49 30 90182",
        "901820",  # the main billing number only
        "0",
        "44",
        # text: provider, range holder, address, partner ID and name, any case
        "virgin",
        "GAMMA",
        "LS1 6DT",
        "acme01",
        "betacom",
        "bt",
        "nothing like it",
    ]
    for role in (Role.COORDINATOR, Role.PARTNER_USER):
        user = world.user(role)
        in_scope = set(port_request_list(user=user).values_list("pk", flat=True))
        for value in typed:
            before = read_every_request(port_request_list(user=user), value)
            # What is new: digits alone are also a port's ID (checked on its own below).
            by_id = {port_reference(value)} & in_scope
            assert searched(user, value) == before | by_id, (role, value)


def test_a_port_is_found_by_its_id_and_only_in_scope(world, ports):
    mine, theirs = ports[0], ports[2]
    coordinator, partner_user = world.user(Role.COORDINATOR), world.user(Role.PARTNER_USER)
    for typed in (str(mine.pk), f"#{mine.pk}", f"Port {mine.pk}", f" port{mine.pk} "):
        assert mine.pk in searched(coordinator, typed), typed
    assert theirs.pk in searched(coordinator, str(theirs.pk))
    assert theirs.pk not in searched(partner_user, str(theirs.pk))  # another partner's: never
    assert [port_reference(v) for v in ("12", "#12", "Port 12", "12a", "1 2", "")] == [12, 12, 12, None, None, None]


def test_the_digits_follow_the_numbers(world, ports):
    gb = PortRequest.objects.get(pk=ports[1].pk)
    assert gb.number_digits == number_digits(gb.main_billing_number, gb.numbers)
    assert gb.number_digits.split() == [gb.main_billing_number[1:], *(n[1:] for n in gb.numbers)]
    assert PortRequest.objects.get(pk=ports[4].pk).number_digits == ""


def _plan(queryset) -> str:
    # On a handful of rows reading every row is cheapest. With the scans that read every row (of
    # the table, or of an unrelated index) priced out, the planner shows whether an index serves
    # each condition: a bitmap scan needs one; without it the plan is still a scan, at any price.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    return queryset.explain()


def test_postgresql_serves_every_branch_of_the_search_from_an_index(world, ports):
    require_postgresql()
    user = world.user(Role.COORDINATOR)
    plan = _plan(PortRequestFilter({"q": "0113 496"}, queryset=port_request_list(user=user)).qs)
    for index in (
        "porting_port_digits_trgm",
        "porting_port_provider_trgm",
        "porting_port_holder_trgm",
        "porting_port_address_trgm",
    ):
        assert index in plan, plan
    assert "BitmapOr" in plan and "Seq Scan on porting_portrequest" not in plan, plan
