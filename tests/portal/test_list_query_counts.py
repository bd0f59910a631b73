"""List pages and API lists cost the same number of queries for one row as for several (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from customers.services import customer_group_create
from porting.choices import PortStatus
from tests.customers.build_request_data import stock_pool, valid_request
from tests.porting.walk import port_in_state

pytestmark = pytest.mark.django_db

URLS = ["/ports/", "/api/v1/port-requests/", "/customers/", "/api/v1/customer-groups/"]
SURNAMES = ["Hopper", "Turing", "Babbage", "Shannon"]


def queries(client, url) -> int:
    client.get(url)  # warm: permissions, session
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def add_group(world, n):
    numbers = [f"+44207946{k:04d}" for k in range(3 + n * 3, 6 + n * 3)]
    customer_group_create(
        by=world.user(Role.COORDINATOR),
        partner=world.partner_a,
        data=valid_request(
            group_id=f"Customer{n}",
            name=f"Customer {n} Ltd",
            numbers=numbers,
            business_profile_number=numbers[0],
            voice_portal__number=numbers[1],
            admins=[{"first_name": "Ada", "last_name": SURNAMES[n], "user_id": "", "password": ""}],
            akixi__users=[{"username": f"customer{n}.reports", "full_name": "Ada B", "email": "a@b.invalid"}],
        ),
    )


def test_port_and_customer_lists_do_not_grow_with_their_rows(client, api_client, world):
    stock_pool(world, count=40)
    port_in_state(world, PortStatus.ACCEPTED)
    customer_group_create(by=world.user(Role.COORDINATOR), partner=world.partner_a, data=valid_request())
    client.force_login(world.user(Role.COORDINATOR))
    api_client.force_authenticate(world.user(Role.COORDINATOR))
    one = {url: queries(api_client if "/api/" in url else client, url) for url in URLS}
    for n in range(4):
        port_in_state(world, PortStatus.ACCEPTED)
        add_group(world, n)
    five = {url: queries(api_client if "/api/" in url else client, url) for url in URLS}
    assert five == one
