"""N1 after completion: the ported numbers go onto the partner's BroadWorks pool through the gateway;
without one configured the step stays pending, with the reason, for the integrations to pick up."""

import pytest

from accounts.choices import Role
from porting import services
from porting.choices import PortStatus
from porting.models import PortRequest

from .walk import port_in_state

pytestmark = pytest.mark.django_db


class FakeBroadWorks:
    calls: list = []
    on_platform: set = set()

    def service_provider_numbers(self, sp):
        return sorted(self.on_platform)

    def add_numbers_to_service_provider(self, sp, numbers):
        FakeBroadWorks.calls.append((sp, list(numbers)))


def _complete(world, django_capture_on_commit_callbacks):
    accepted = port_in_state(world, PortStatus.ACCEPTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.port_request_complete(by=world.user(Role.COORDINATOR), port_request=accepted)
    return PortRequest.objects.get(pk=accepted.pk)


def test_without_a_gateway_the_platform_step_stays_pending_with_the_reason(world, django_capture_on_commit_callbacks):
    done = _complete(world, django_capture_on_commit_callbacks)
    assert done.platform_status == "pending"
    assert "No broadworks gateway is configured" in done.platform_error


def test_with_a_gateway_only_the_missing_numbers_are_added_once(world, settings, django_capture_on_commit_callbacks):
    settings.BROADWORKS_GATEWAY = "tests.porting.test_port_platform.FakeBroadWorks"
    FakeBroadWorks.calls = []
    accepted = port_in_state(world, PortStatus.ACCEPTED)
    FakeBroadWorks.on_platform = {accepted.numbers[0]}
    with django_capture_on_commit_callbacks(execute=True):
        services.port_request_complete(by=world.user(Role.COORDINATOR), port_request=accepted)
    done = PortRequest.objects.get(pk=accepted.pk)
    assert done.platform_status == "done" and done.platform_error == ""
    assert FakeBroadWorks.calls == [("ACME01", accepted.numbers[1:])]
    from porting.platform import add_ported_numbers

    assert add_ported_numbers(port_request_id=done.pk) == "done"  # a redelivered task adds nothing
    assert len(FakeBroadWorks.calls) == 1
