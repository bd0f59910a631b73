"""Akixi in manual mode (K1-K4), like Call Cabinet's: the partition step waits and shows the
co-ordinator exactly what to type into Akixi; they confirm it with the partition's ID; then the
reporting users step waits the same way, and the build finishes once they confirm the users."""

import pytest

from accounts.choices import Role
from accounts.models import AuditEvent
from customers import build_steps, builds
from customers.models import AkixiUser, ServiceBuild
from customers.services import customer_group_create
from integrations.akixi.client import AkixiManualGateway, akixi_gateway
from integrations.platforms import Platforms

from .build_request_data import stock_pool, valid_request
from .fake_platforms import fake_platforms

pytestmark = pytest.mark.django_db


@pytest.fixture
def platforms(monkeypatch, settings):
    settings.AKIXI_MODE = "manual"
    fake = fake_platforms()
    # Akixi is the real manual gateway, made per step as in production: it reads what the
    # co-ordinator confirmed from the database.
    monkeypatch.setattr(
        build_steps, "get_platforms", lambda: Platforms(fake.broadworks, akixi_gateway(), fake.callcabinet)
    )
    return fake


@pytest.fixture
def group(world, platforms, django_capture_on_commit_callbacks):
    stock_pool(world)
    group, _ = customer_group_create(by=world.user(Role.PARTNER_USER), partner=world.partner_a, data=valid_request())
    with django_capture_on_commit_callbacks(execute=True):
        builds.build_start(by=world.user(Role.PARTNER_USER), group=group)
    return group


def statuses(group) -> dict[str, str]:
    return dict(ServiceBuild.objects.get(group=group).steps.values_list("name", "status"))


def test_K2_to_K4_by_hand_the_coordinator_is_told_what_to_type_and_the_build_finishes_on_their_confirmations(
    world, client, group, django_capture_on_commit_callbacks
):
    assert isinstance(akixi_gateway(), AkixiManualGateway)
    assert statuses(group)["akixi_partition"] == "waiting"
    client.force_login(world.user(Role.COORDINATOR))
    page = client.get(group.get_absolute_url()).content.decode()
    assert 'data-testid="akixi-manual"' in page and "In Akixi add a partition for the customer (K2)." in page
    assert "Billing ID/Tag: AlphaWidgets." in page and "The partition&#x27;s ID that Akixi showed" in page

    url = f"/customers/{group.pk}/build/callcabinet/"
    assert "Enter the partition" in client.post(url, {"reference": ""}, follow=True).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(url, {"reference": "PART-731"}, follow=True).content.decode()
    assert "Akixi partition confirmed" in confirmed
    assert statuses(group)["akixi_partition"] == "done" and statuses(group)["akixi_users"] == "waiting"

    page = client.get(group.get_absolute_url()).content.decode()
    assert "In Akixi add the user alpha.reports" in page and "partition PART-731 only" in page
    assert 'name="reference"' not in page, "users are confirmed without a reference"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, follow=True)
    build = ServiceBuild.objects.get(group=group)
    assert build.status == "succeeded", statuses(group)
    assert AkixiUser.objects.get(group=group).confirmed_at is not None
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"build.akixi_partition_confirmed", "build.akixi_users_confirmed"} <= actions


def test_K2_a_partner_user_sees_only_that_expoe_is_doing_it_and_cannot_confirm(world, client, group, api_as):
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.get(group.get_absolute_url()).content.decode()
    assert 'data-testid="akixi-manual"' not in page and "call reporting in Akixi by hand" in page
    response = api_as(world.user(Role.PARTNER_USER)).post(
        f"/api/v1/customer-groups/{group.pk}/manual-confirmation/", {"reference": "PART-1"}
    )
    assert response.status_code == 403
    confirmed = api_as(world.user(Role.COORDINATOR)).post(
        f"/api/v1/customer-groups/{group.pk}/manual-confirmation/", {"reference": "PART-1"}
    )
    assert confirmed.status_code == 200 and statuses(group)["akixi_partition"] != "waiting"
