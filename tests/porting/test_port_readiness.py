"""N1, port-day readiness (#18), walked through the real services against the BroadWorks simulator:
once a port is accepted its numbers are on the partner's pool and the named group, inactive; the
port's completion activates them; a cancellation (ours or the losing provider's, P7) takes them off
again. A redelivered step writes nothing twice, and a port of 10,000 numbers goes through in batches."""

import time

import pytest

from accounts.choices import Role
from integrations.broadworks.gateway import BroadWorksGateway
from integrations.broadworks.ocip import dn
from integrations.models import ExternalCall
from porting import services
from porting.models import PortRequest
from porting.platform import add_ported_numbers
from tests.integrations.broadworks.gateway.support import ADMIN, PARTNER, PASSWORD, _start, new_group

from .walk import new_draft, run

pytestmark = pytest.mark.django_db

GROUP = "AlphaWidgets"
WRITES = (
    "add_numbers_to_service_provider",
    "assign_numbers",
    "activate_numbers",
    "unassign_numbers",
    "remove_numbers_from_service_provider",
)


@pytest.fixture
def sim(settings, tmp_path):
    server = _start(tmp_path / "broadworks.json")
    settings.BROADWORKS_GATEWAY = "integrations.broadworks.gateway.BroadWorksGateway"
    settings.BROADWORKS_HOST, settings.BROADWORKS_PORT = "127.0.0.1", server.port
    settings.BROADWORKS_USERNAME, settings.BROADWORKS_PASSWORD = ADMIN, PASSWORD
    settings.BROADWORKS_TLS, settings.BROADWORKS_TIMEOUT = False, 10
    new_group(BroadWorksGateway(), GROUP)
    yield server
    server.stop()


@pytest.fixture
def group(world):
    from customers.services import customer_group_create
    from tests.customers.build_request_data import stock_pool, valid_request

    stock_pool(world)
    created, _ = customer_group_create(by=world.user(Role.COORDINATOR), partner=world.partner_a, data=valid_request())
    assert created.group_id == GROUP
    return created


def on_broadworks(sim, numbers):
    """Each number: None (not on the partner's pool), "pool" (on it, no group), or whether it is
    active in the group."""
    partner = sim.state.snapshot()["service_providers"][PARTNER]
    dns = partner["groups"][GROUP]["dns"]
    seen = {}
    for number in numbers:
        written = dn(number)
        if written not in partner["dns"]:
            seen[number] = None
        elif partner["dns"][written] is None:
            seen[number] = "pool"
        else:
            seen[number] = "active" if dns[written]["activated"] else "inactive"
    return seen


def accepted_port(world, group, capture, **overrides):
    draft = new_draft(world, signed_loa=True, customer_group=group, **overrides)
    run(world, draft, "submit", Role.PARTNER_USER)
    with capture(execute=True):
        run(world, draft, "accept")
    return PortRequest.objects.get(pk=draft.pk)


def writes():
    return ExternalCall.objects.filter(operation__in=WRITES).count()


def test_N1_accepted_numbers_wait_inactive_on_the_group_and_go_live_at_completion(
    world, sim, group, django_capture_on_commit_callbacks
):
    accepted = accepted_port(world, group, django_capture_on_commit_callbacks)
    assert accepted.platform_status == "done", accepted.platform_error
    assert set(on_broadworks(sim, accepted.numbers).values()) == {"inactive"}

    sent = writes()
    assert add_ported_numbers(port_request_id=accepted.pk).startswith("nothing to do"), "a redelivered task"
    PortRequest.objects.filter(pk=accepted.pk).update(platform_status="pending")  # the sweeper's rerun
    assert add_ported_numbers(port_request_id=accepted.pk) == "done"
    assert writes() == sent, "everything was there already: nothing sent twice"

    with django_capture_on_commit_callbacks(execute=True):
        services.port_request_complete(by=world.user(Role.COORDINATOR), port_request=accepted)
    done = PortRequest.objects.get(pk=accepted.pk)
    assert done.platform_status == "done", done.platform_error
    assert set(on_broadworks(sim, done.numbers).values()) == {"active"}
    assert ExternalCall.objects.filter(operation="activate_numbers").count() == 1
    assert ExternalCall.objects.filter(operation="assign_numbers").count() == 1, "assigned once, at acceptance"


def test_the_request_page_says_where_its_numbers_stand_on_broadworks(
    world, sim, group, client, django_capture_on_commit_callbacks
):
    accepted = accepted_port(world, group, django_capture_on_commit_callbacks)
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.get(f"/ports/{accepted.pk}/").content.decode()
    assert f"Ready, inactive until the port completes: on the partner's pool and {GROUP}" in page
    with django_capture_on_commit_callbacks(execute=True):
        services.port_request_complete(by=world.user(Role.COORDINATOR), port_request=accepted)
    page = client.get(f"/ports/{accepted.pk}/").content.decode()
    assert f"Added to the partner's pool and {GROUP}, active" in page


@pytest.mark.parametrize("cancellation", ["cancel", "cancel_by_losing_provider"])
def test_P7_a_cancelled_port_leaves_nothing_on_broadworks(
    world, sim, group, django_capture_on_commit_callbacks, cancellation
):
    accepted = accepted_port(world, group, django_capture_on_commit_callbacks)
    assert set(on_broadworks(sim, accepted.numbers).values()) == {"inactive"}
    with django_capture_on_commit_callbacks(execute=True):
        run(world, accepted, cancellation)
    cancelled = PortRequest.objects.get(pk=accepted.pk)
    assert cancelled.platform_status == "done", cancelled.platform_error
    assert set(on_broadworks(sim, cancelled.numbers).values()) == {None}, "off the group and the pool"
    sent = writes()
    PortRequest.objects.filter(pk=accepted.pk).update(platform_status="pending")
    assert add_ported_numbers(port_request_id=accepted.pk) == "done"
    assert writes() == sent, "nothing left to take off"


def test_N1_where_the_platform_does_not_use_activation_the_numbers_wait_on_the_pool(
    world, sim, group, django_capture_on_commit_callbacks
):
    sim.state.data["system"] = {"number_activation_mode": "Off"}  # assigned would mean live
    accepted = accepted_port(world, group, django_capture_on_commit_callbacks)
    assert set(on_broadworks(sim, accepted.numbers).values()) == {"pool"}
    with django_capture_on_commit_callbacks(execute=True):
        services.port_request_complete(by=world.user(Role.COORDINATOR), port_request=accepted)
    assert set(on_broadworks(sim, accepted.numbers).values()) == {"active"}


def test_N1_ten_thousand_numbers_are_ready_inactive_then_active_in_batches(
    world, sim, group, django_capture_on_commit_callbacks
):
    numbers = [{"first": "+441135000000", "last": "+441135009999"}]
    started = time.monotonic()
    accepted = accepted_port(
        world, group, django_capture_on_commit_callbacks, numbers=numbers, main_billing_number="+441135000000"
    )
    set_up = time.monotonic() - started
    assert len(accepted.numbers) == 10_000 and accepted.platform_status == "done", accepted.platform_error
    assert set(on_broadworks(sim, accepted.numbers).values()) == {"inactive"}
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        services.port_request_complete(by=world.user(Role.COORDINATOR), port_request=accepted)
    activated = time.monotonic() - started
    assert set(on_broadworks(sim, accepted.numbers).values()) == {"active"}
    assert ExternalCall.objects.filter(operation="activate_numbers").count() == 20  # 500 a request
    assert set_up < 60 and activated < 60, (set_up, activated)


def test_P7_numbers_come_off_the_group_they_were_set_up_on_even_if_the_draft_names_another_since(
    world, sim, group, django_capture_on_commit_callbacks
):
    accepted = accepted_port(world, group, django_capture_on_commit_callbacks)
    run(world, accepted, "cancel_by_losing_provider")  # its task's message lost: the step waits, due
    draft = PortRequest.objects.get(pk=accepted.pk)
    services.port_request_update(by=world.user(Role.PARTNER_USER), port_request=draft, data={"customer_group": None})
    assert PortRequest.objects.get(pk=draft.pk).customer_group is None
    assert add_ported_numbers(port_request_id=draft.pk) == "done"
    assert set(on_broadworks(sim, draft.numbers).values()) == {None}
