"""Port-day readiness (#18) on the OCI-P simulator: numbers assigned to a group wait inactive until
GroupDnActivateListRequest, as BroadWorks with number activation in use keeps them; BroadWorks
refuses to activate a number the group does not have; a cancelled port's numbers come off the group
and the pool; thousands of numbers travel in batches."""

import pytest

from integrations.base import PermanentError
from integrations.broadworks.numbers import DN_BATCH
from integrations.broadworks.ocip import dn
from integrations.models import ExternalCall

from .support import ON_BROADWORKS, PARTNER, POOL, new_group, sim_group

pytestmark = pytest.mark.django_db


def test_assigned_without_activation_a_number_is_inactive_until_activated(sim, gw):
    group = new_group(gw)
    gw.add_numbers_to_service_provider(PARTNER, POOL)
    gw.assign_numbers(PARTNER, group, POOL, activate=False)
    assert gw.group_number_states(PARTNER, group) == dict.fromkeys(POOL, False)
    assert gw.group_numbers(PARTNER, group) == [], "none of them takes calls yet"

    gw.activate_numbers(PARTNER, group, POOL[:2])
    assert gw.group_number_states(PARTNER, group) == {POOL[0]: True, POOL[1]: True, POOL[2]: False}
    gw.activate_numbers(PARTNER, group, POOL)  # one already active is not an error (the schema says so)
    assert all(info["activated"] for info in sim_group(sim, group)["dns"].values())


def test_the_platform_refuses_to_activate_a_number_the_group_does_not_have(sim, gw):
    group = new_group(gw)
    gw.add_numbers_to_service_provider(PARTNER, POOL)
    gw.assign_numbers(PARTNER, group, POOL[:1], activate=False)
    with pytest.raises(PermanentError, match="not assigned to group"):
        gw.activate_numbers(PARTNER, group, POOL[:2])
    assert gw.group_number_states(PARTNER, group) == {POOL[0]: False}, "a refused request changes nothing"


def test_the_system_number_activation_mode_decides_whether_an_assigned_number_is_live_at_once(sim, gw):
    assert gw.number_activation_mode() == "Group And User Activation Enabled"
    sim.state.data["system"] = {"number_activation_mode": "Off"}
    group = new_group(gw)
    gw.add_numbers_to_service_provider(PARTNER, POOL)
    gw.assign_numbers(PARTNER, group, POOL, activate=False)
    assert gw.number_activation_mode() == "Off"
    assert gw.group_number_states(PARTNER, group) == dict.fromkeys(POOL, True)


def test_numbers_come_off_the_group_then_off_the_pool_and_a_held_number_cannot_leave_the_pool(sim, gw):
    group = new_group(gw)
    gw.add_numbers_to_service_provider(PARTNER, POOL)
    gw.assign_numbers(PARTNER, group, POOL, activate=False)
    with pytest.raises(PermanentError, match="DN in use"):
        gw.remove_numbers_from_service_provider(PARTNER, POOL)
    gw.unassign_numbers(PARTNER, group, POOL)
    gw.remove_numbers_from_service_provider(PARTNER, POOL)
    assert not set(POOL) & set(gw.service_provider_numbers(PARTNER))
    assert not set(ON_BROADWORKS.values()) & set(sim.state.snapshot()["service_providers"][PARTNER]["dns"])


def test_thousands_of_numbers_travel_in_batches(sim, gw):
    group = new_group(gw)
    numbers = [f"+44113500{i:04d}" for i in range(DN_BATCH * 2 + 10)]
    gw.add_numbers_to_service_provider(PARTNER, numbers)
    gw.assign_numbers(PARTNER, group, numbers, activate=False)
    gw.activate_numbers(PARTNER, group, numbers)
    sizes = [
        len(request["phone_number"])
        for call in ExternalCall.objects.filter(
            operation__in=["add_numbers_to_service_provider", "assign_numbers", "activate_numbers"]
        ).order_by("id")
        for request in call.request["requests"]
    ]
    assert sizes == [DN_BATCH, DN_BATCH, 10] * 3
    states = gw.group_number_states(PARTNER, group)
    assert len(states) == len(numbers) and all(states.values())
    assert dn(numbers[-1]) in sim_group(sim, group)["dns"]
