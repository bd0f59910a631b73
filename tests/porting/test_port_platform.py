"""N1 after completion: the ported numbers go onto the partner's BroadWorks pool (and the named
customer group there) through the gateway, once; transient errors are retried, refusals fail with
the platform's reason for staff to retry; without a gateway the step waits for the sweeper."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import Role
from integrations.base import PermanentError, TransientError
from porting import services
from porting.choices import PortStatus
from porting.models import PortRequest
from porting.platform import NO_GATEWAY_RECHECK, add_ported_numbers, ported_numbers_sweep

from .walk import port_in_state

pytestmark = pytest.mark.django_db

GATEWAY = "tests.porting.test_port_platform.FakeBroadWorks"


class FakeBroadWorks:
    """Built afresh for every run (as the real gateway is), so its state lives on the class."""

    calls: list = []
    pool: set = set()
    groups: dict = {}
    failures: list = []

    def _fail(self):
        if FakeBroadWorks.failures:
            raise FakeBroadWorks.failures.pop(0)

    def service_provider_numbers(self, sp):
        self._fail()
        return sorted(self.pool)

    def add_numbers_to_service_provider(self, sp, numbers):
        FakeBroadWorks.calls.append(("pool", sp, list(numbers)))
        FakeBroadWorks.pool |= set(numbers)

    def group_exists(self, sp, group_id):
        return group_id in self.groups

    def number_activation_mode(self):
        return "Group And User Activation Enabled"

    def group_number_states(self, sp, group_id):
        return dict.fromkeys(self.groups[group_id], True)

    def assign_numbers(self, sp, group_id, numbers, *, activate=True):
        FakeBroadWorks.calls.append(("group", group_id, list(numbers)))
        FakeBroadWorks.groups[group_id] |= set(numbers)


@pytest.fixture
def broadworks(settings):
    settings.BROADWORKS_GATEWAY = GATEWAY
    FakeBroadWorks.calls, FakeBroadWorks.pool, FakeBroadWorks.groups, FakeBroadWorks.failures = [], set(), {}, []
    return FakeBroadWorks


def _complete(world, django_capture_on_commit_callbacks, **overrides):
    accepted = port_in_state(world, PortStatus.ACCEPTED, **overrides)
    with django_capture_on_commit_callbacks(execute=True):
        services.port_request_complete(by=world.user(Role.COORDINATOR), port_request=accepted)
    return PortRequest.objects.get(pk=accepted.pk)


def test_without_a_gateway_the_step_waits_with_the_reason_and_the_sweeper_finishes_it_once_there_is_one(
    world, settings, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    done = _complete(world, django_capture_on_commit_callbacks)
    assert done.platform_status == "pending"
    assert "No broadworks gateway is configured" in done.platform_error
    assert done.platform_next_attempt_at == timezone.now() + timedelta(seconds=NO_GATEWAY_RECHECK)
    assert ported_numbers_sweep() == [], "not due again yet"

    settings.BROADWORKS_GATEWAY = GATEWAY
    FakeBroadWorks.calls, FakeBroadWorks.pool, FakeBroadWorks.failures = [], set(), []
    time_machine.shift(timedelta(seconds=NO_GATEWAY_RECHECK + settings.WORK_REQUEUE_AFTER + 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert ported_numbers_sweep() == [done.pk]
    done.refresh_from_db()
    assert done.platform_status == "done" and FakeBroadWorks.calls == [("pool", "ACME01", done.numbers)]
    assert ported_numbers_sweep() == [], "nothing left to sweep"


def test_N1_only_the_missing_numbers_are_added_and_a_second_run_adds_nothing(
    world, broadworks, django_capture_on_commit_callbacks
):
    accepted = port_in_state(world, PortStatus.ACCEPTED)
    broadworks.pool = {accepted.numbers[0]}
    with django_capture_on_commit_callbacks(execute=True):
        services.port_request_complete(by=world.user(Role.COORDINATOR), port_request=accepted)
    done = PortRequest.objects.get(pk=accepted.pk)
    assert (done.platform_status, done.platform_error) == ("done", "")
    assert broadworks.calls == [("pool", "ACME01", accepted.numbers[1:])]
    assert add_ported_numbers(port_request_id=done.pk).startswith("nothing to do")  # a redelivered task
    assert len(broadworks.calls) == 1


def test_N1_the_named_customer_group_gets_them_on_broadworks_when_it_is_built_there(
    world, broadworks, django_capture_on_commit_callbacks
):
    from customers.services import customer_group_create
    from tests.customers.build_request_data import stock_pool, valid_request

    stock_pool(world)
    group, _ = customer_group_create(by=world.user(Role.COORDINATOR), partner=world.partner_a, data=valid_request())
    broadworks.groups = {"AlphaWidgets": {"+442079460000"}}
    done = _complete(world, django_capture_on_commit_callbacks, customer_group=group)
    assert done.platform_status == "done"
    assert broadworks.calls == [("pool", "ACME01", done.numbers), ("group", "AlphaWidgets", done.numbers)]


def test_N1_a_group_not_yet_on_broadworks_gets_them_from_its_own_build(
    world, broadworks, django_capture_on_commit_callbacks
):
    from customers.services import customer_group_create
    from tests.customers.build_request_data import stock_pool, valid_request

    stock_pool(world)
    group, _ = customer_group_create(by=world.user(Role.COORDINATOR), partner=world.partner_a, data=valid_request())
    done = _complete(world, django_capture_on_commit_callbacks, customer_group=group)
    assert done.platform_status == "done"
    assert [call[0] for call in broadworks.calls] == ["pool"]
    assert set(done.numbers) <= set(group.numbers.values_list("e164", flat=True)), "the build will assign them"


def test_transient_errors_are_retried_until_the_numbers_are_added(
    world, broadworks, django_capture_on_commit_callbacks
):
    broadworks.failures = [TransientError("OCI-P connection reset"), TransientError("OCI-P timed out")]
    done = _complete(world, django_capture_on_commit_callbacks)
    assert done.platform_status == "done" and len(broadworks.calls) == 1


def test_a_refusal_fails_with_the_reason_staff_see_it_and_retry_once_fixed(
    world, broadworks, client, django_capture_on_commit_callbacks
):
    broadworks.failures = [PermanentError("[Error 4008] Service Provider not found: ACME01")]
    done = _complete(world, django_capture_on_commit_callbacks)
    assert (done.platform_status, done.platform_error) == ("failed", "[Error 4008] Service Provider not found: ACME01")

    client.force_login(world.user(Role.PARTNER_USER))
    page = client.get(f"/ports/{done.pk}/").content.decode()
    assert "EXPO.e is on it" in page and "Error 4008" not in page and "Retry adding them" not in page
    assert client.post(f"/ports/{done.pk}/platform/retry/").status_code == 403

    client.force_login(world.user(Role.COORDINATOR))
    page = client.get(f"/ports/{done.pk}/").content.decode()
    assert "Service Provider not found: ACME01" in page and "Retry adding them" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/ports/{done.pk}/platform/retry/", follow=True)
    assert "being added to BroadWorks again" in response.content.decode()
    done.refresh_from_db()
    assert done.platform_status == "done" and broadworks.calls == [("pool", "ACME01", done.numbers)]


def test_while_one_run_holds_the_step_another_does_nothing(world, broadworks, django_capture_on_commit_callbacks):
    done = _complete(world, django_capture_on_commit_callbacks)
    PortRequest.objects.filter(pk=done.pk).update(
        platform_status="pending", platform_lease_until=timezone.now() + timedelta(seconds=30)
    )
    assert add_ported_numbers(port_request_id=done.pk).startswith("nothing to do")
    assert ported_numbers_sweep() == []
    # A run that died stops renewing its lease; once it has lapsed the sweeper takes the step back.
    PortRequest.objects.filter(pk=done.pk).update(platform_lease_until=timezone.now() - timedelta(seconds=1))
    assert ported_numbers_sweep() == [done.pk]


def test_a_step_whose_worker_died_every_time_gives_up_with_the_reason(
    world, broadworks, settings, django_capture_on_commit_callbacks
):
    done = _complete(world, django_capture_on_commit_callbacks)
    # Every run so far claimed it and died before recording anything; the next claim stops.
    PortRequest.objects.filter(pk=done.pk).update(
        platform_status="pending", platform_attempts=settings.PLATFORM_WORK_MAX_ATTEMPTS
    )
    broadworks.calls = []
    assert add_ported_numbers(port_request_id=done.pk).startswith("failed: Gave up after 7 attempts")
    done.refresh_from_db()
    assert done.platform_status == "failed" and "stopped each time" in done.platform_error
    assert broadworks.calls == []


def test_a_run_that_worked_for_the_acceptance_runs_again_when_the_port_completed_meanwhile(
    world, broadworks, django_capture_on_commit_callbacks
):
    """#18: the step set up for acceptance (inactive) must not be recorded as done when the port
    completed while it ran: the completion wants the numbers active."""
    accepted = port_in_state(world, PortStatus.ACCEPTED)
    assert accepted.platform_status == "pending", "acceptance queues the set-up"

    def complete_meanwhile(self, sp, numbers):
        FakeBroadWorks.calls.append(("pool", sp, list(numbers)))
        FakeBroadWorks.pool |= set(numbers)
        with django_capture_on_commit_callbacks(execute=False):  # its wake finds the step held
            services.port_request_complete(by=world.user(Role.COORDINATOR), port_request=accepted)

    FakeBroadWorks.add_numbers_to_service_provider = complete_meanwhile
    try:
        outcome = add_ported_numbers(port_request_id=accepted.pk)
    finally:
        del FakeBroadWorks.add_numbers_to_service_provider
    assert outcome == "the request changed meanwhile: running again"
    moved = PortRequest.objects.get(pk=accepted.pk)
    assert (moved.status, moved.platform_status, moved.platform_lease_until) == ("completed", "pending", None)
    assert moved.platform_next_attempt_at <= timezone.now(), "due again at once"
    assert add_ported_numbers(port_request_id=accepted.pk) == "done"
    assert broadworks.calls == [("pool", "ACME01", accepted.numbers)], "the second run found them on the pool"
