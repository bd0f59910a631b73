"""What changes after a build, decommissioning and reconciliation ask of BroadWorks (#15), against the
strict OCI-P simulator over its socket: admins read and deleted (A1), the voice portal read and
undone (V1, V2), the business profile number cleared (B1), so that each number can leave the group
(N1, N2), and the group deleted. Every write reads first: a repeat writes nothing."""

import pytest

from integrations.base import PermanentError
from integrations.broadworks.ocip import dn, load
from integrations.models import ExternalCall

from .support import PARTNER, POOL, new_group, request_types, sim_group

pytestmark = pytest.mark.django_db

GROUP = "ACME-BAKERY"
NO_PORTAL = {"active": False, "number": None, "extension": None}


@pytest.fixture
def group(sim, gw):
    """A built group: the three numbers assigned, the first its business profile number presented
    as caller ID (B1), the second its voice portal's with extension 8000 (V1, V2)."""
    new_group(gw, GROUP)
    gw.add_numbers_to_service_provider(PARTNER, POOL)
    gw.assign_numbers(PARTNER, GROUP, POOL)
    gw.set_group_clid(PARTNER, GROUP, POOL[0], present_as_caller_id=True)
    gw.enable_voice_portal(PARTNER, GROUP, number=POOL[1], extension="8000", external_dial_in=True)
    ExternalCall.objects.all().delete()
    return GROUP


def add_admin(gw, user_id, first="Jane", last="Doe"):
    gw.add_group_admin(PARTNER, GROUP, user_id=user_id, first_name=first, last_name=last, password="Pass-word-42")


def writes():
    return [t for t in request_types() if "Get" not in t]


# -- admins (A1) ------------------------------------------------------------------------------------


def test_A1_the_groups_admins_are_listed_by_user_id_with_their_names(group, gw):
    assert gw.group_admins(PARTNER, GROUP) == []
    add_admin(gw, "zoe.zed@hostedcomm.com", "Zoë", "Zed")
    add_admin(gw, "amy.ash@hostedcomm.com", "Amy", "Ash")
    new_group(gw, "ACME-DAIRY")
    gw.add_group_admin(
        PARTNER, "ACME-DAIRY", user_id="other@hostedcomm.com", first_name="O", last_name="T", password="Pass-word-42"
    )
    assert gw.group_admins(PARTNER, GROUP) == [
        {"user_id": "amy.ash@hostedcomm.com", "first_name": "Amy", "last_name": "Ash"},
        {"user_id": "zoe.zed@hostedcomm.com", "first_name": "Zoë", "last_name": "Zed"},
    ]
    assert ExternalCall.objects.filter(operation="group_admins", request__requests__0__type="GroupAdminGetListRequest")


def test_A1_an_admin_is_deleted_once_and_a_repeat_writes_nothing(sim, group, gw):
    add_admin(gw, "jane.doe@hostedcomm.com")
    add_admin(gw, "joe.bloggs@hostedcomm.com", "Joe", "Bloggs")
    ExternalCall.objects.all().delete()

    gw.delete_group_admin("jane.doe@hostedcomm.com")
    assert request_types() == ["GroupAdminGetRequest22V3", "GroupAdminDeleteRequest"]
    assert [a["user_id"] for a in gw.group_admins(PARTNER, GROUP)] == ["joe.bloggs@hostedcomm.com"]
    assert "jane.doe@hostedcomm.com" not in sim.state.snapshot()["users"]

    ExternalCall.objects.all().delete()
    gw.delete_group_admin("jane.doe@hostedcomm.com")
    assert request_types() == ["GroupAdminGetRequest22V3"], "already gone: read, nothing written"
    assert gw.group_admin_exists("joe.bloggs@hostedcomm.com") is True


def test_A1_broadworks_refuses_to_delete_an_admin_that_does_not_exist(sim, group, gw):
    """The simulator as BroadWorks: GroupAdminDeleteRequest for an unknown user ID is refused (the
    gateway's read first keeps it from ever sending one)."""
    c = load().c
    with pytest.raises(PermanentError, match="User not found: nobody@hostedcomm.com"):
        gw._call("raw", "nobody", c.GroupAdminDeleteRequest(user_id="nobody@hostedcomm.com"))
    # Nor is a voice portal (a user, but not an administrator) deleted as one.
    portal_user = sim_group(sim, GROUP)["voice_portal"]["service_user_id"]
    with pytest.raises(PermanentError, match="User not found"):
        gw._call("raw", portal_user, c.GroupAdminDeleteRequest(user_id=portal_user))
    gw.delete_group_admin(portal_user)  # not an admin: nothing to delete, nothing sent
    assert sim_group(sim, GROUP)["voice_portal"]["service_user_id"] == portal_user


# -- voice portal (V1, V2) --------------------------------------------------------------------------


def test_V1_V2_the_voice_portal_is_read_back(group, gw):
    assert gw.voice_portal(PARTNER, GROUP) == {"active": True, "number": POOL[1], "extension": "8000"}
    assert request_types() == [
        "GroupServiceGetAuthorizationListRequest",
        "GroupVoiceMessagingGroupGetVoicePortalRequest21sp1",
    ]


def test_V1_V2_disabling_the_voice_portal_frees_its_number_to_leave_the_group_and_a_repeat_writes_nothing(
    sim, group, gw
):
    with pytest.raises(PermanentError, match="DN in use"):  # BroadWorks refuses the portal's number
        gw.unassign_numbers(PARTNER, GROUP, POOL[1:2])
    ExternalCall.objects.all().delete()

    gw.disable_voice_portal(PARTNER, GROUP)
    assert writes() == ["GroupVoiceMessagingGroupModifyVoicePortalRequest"]
    sent = ExternalCall.objects.get(operation="disable_voice_portal").request["requests"][0]
    assert sent["is_active"] is False
    assert sent["service_instance_profile"] == {"phone_number": None, "extension": None}  # sent as xsi:nil
    portal = sim_group(sim, GROUP)["voice_portal"]
    assert (portal["active"], portal["phone_number"], portal["extension"]) == (False, None, None)
    assert gw.voice_portal(PARTNER, GROUP) == NO_PORTAL

    ExternalCall.objects.all().delete()
    gw.disable_voice_portal(PARTNER, GROUP)
    assert writes() == []
    gw.unassign_numbers(PARTNER, GROUP, POOL[1:2])
    assert POOL[1] not in gw.group_numbers(PARTNER, GROUP, activated_only=False)


def test_V1_an_extension_only_portal_is_disabled_without_touching_a_number(sim, group, gw):
    gw.disable_voice_portal(PARTNER, GROUP)
    gw.enable_voice_portal(PARTNER, GROUP, number=None, extension="8002", external_dial_in=False)
    assert gw.voice_portal(PARTNER, GROUP) == {"active": True, "number": None, "extension": "8002"}
    ExternalCall.objects.all().delete()
    gw.disable_voice_portal(PARTNER, GROUP)
    sent = ExternalCall.objects.get(operation="disable_voice_portal").request["requests"][0]
    assert sent["service_instance_profile"] == {"extension": None}
    assert gw.voice_portal(PARTNER, GROUP) == NO_PORTAL


def test_V1_a_group_without_voice_messaging_has_no_portal_to_read_or_disable(sim, group, gw):
    c = load().c
    key = {"service_provider_id": PARTNER, "group_id": GROUP}
    gw.disable_voice_portal(PARTNER, GROUP)
    gw._call("raw", GROUP, c.GroupServiceUnassignListRequest(**key, service_name=["Voice Messaging Group"]))
    with pytest.raises(PermanentError, match="Service not assigned: Voice Messaging Group"):
        gw._call("raw", GROUP, c.GroupVoiceMessagingGroupGetVoicePortalRequest21sp1(**key))
    ExternalCall.objects.all().delete()
    assert gw.voice_portal(PARTNER, GROUP) == NO_PORTAL
    gw.disable_voice_portal(PARTNER, GROUP)
    assert request_types() == ["GroupServiceGetAuthorizationListRequest"] * 2  # read, nothing to write


# -- business profile (B1) --------------------------------------------------------------------------


def test_B1_clearing_the_clid_frees_its_number_to_leave_the_group_and_a_repeat_writes_nothing(sim, group, gw):
    with pytest.raises(PermanentError, match="DN in use"):  # BroadWorks refuses the group's CLID
        gw.unassign_numbers(PARTNER, GROUP, POOL[:1])
    ExternalCall.objects.all().delete()

    gw.clear_group_clid(PARTNER, GROUP)
    # Users stop presenting the group's number before the number goes, in one document.
    assert writes() == ["GroupCallingLineIdModifyRequest", "GroupModifyRequest"]
    cleared = ExternalCall.objects.get(operation="clear_group_clid").request["requests"]
    assert cleared[0]["use_group_number"] is False
    assert cleared[1]["calling_line_id_phone_number"] is None  # sent as xsi:nil
    assert gw.group_clid(PARTNER, GROUP) == {"number": None, "present_as_caller_id": False}
    group_state = sim_group(sim, GROUP)
    assert (group_state["calling_line_id_phone_number"], group_state["use_group_number"]) == (None, False)

    ExternalCall.objects.all().delete()
    gw.clear_group_clid(PARTNER, GROUP)
    assert writes() == []
    gw.unassign_numbers(PARTNER, GROUP, POOL[:1])
    assert POOL[0] not in gw.group_numbers(PARTNER, GROUP, activated_only=False)


def test_B1_a_clid_not_presented_as_caller_id_is_cleared_with_the_profile_request_only(group, gw):
    gw.set_group_clid(PARTNER, GROUP, POOL[2], present_as_caller_id=False)
    ExternalCall.objects.all().delete()
    gw.clear_group_clid(PARTNER, GROUP)
    assert writes() == ["GroupModifyRequest"]
    assert gw.group_clid(PARTNER, GROUP) == {"number": None, "present_as_caller_id": False}


# -- the group (decommissioning) --------------------------------------------------------------------


def test_deleting_the_group_puts_its_numbers_back_on_the_pool_and_takes_its_admins_and_portal(sim, group, gw):
    add_admin(gw, "jane.doe@hostedcomm.com")
    portal_user = sim_group(sim, GROUP)["voice_portal"]["service_user_id"]
    ExternalCall.objects.all().delete()

    gw.delete_group(PARTNER, GROUP)
    assert request_types() == ["GroupGetListInServiceProviderRequest", "GroupDeleteRequest"]
    assert gw.group_exists(PARTNER, GROUP) is False
    pool = sim.state.snapshot()["service_providers"][PARTNER]["dns"]
    assert all(pool[dn(n)] is None for n in POOL), "N1: back on the partner's pool, assigned to no group"
    assert set(POOL) <= set(gw.service_provider_numbers(PARTNER))
    users = sim.state.snapshot()["users"]
    assert "jane.doe@hostedcomm.com" not in users and portal_user not in users
    assert gw.group_admin_exists("jane.doe@hostedcomm.com") is False

    ExternalCall.objects.all().delete()
    gw.delete_group(PARTNER, GROUP)
    assert request_types() == ["GroupGetListInServiceProviderRequest"], "already gone: nothing written"
    # The numbers can go to another group now, and the group ID is free again.
    new_group(gw, "ACME-DAIRY")
    gw.assign_numbers(PARTNER, "ACME-DAIRY", POOL)
    new_group(gw, GROUP)


def test_deleting_a_group_of_an_unknown_service_provider_is_refused_not_taken_as_done(sim, gw):
    with pytest.raises(PermanentError, match="Service Provider not found: NOPE"):
        gw.delete_group("NOPE", GROUP)
    assert not ExternalCall.objects.filter(request__requests__0__type="GroupDeleteRequest").exists()


def test_a_change_then_decommissioning_in_order_leaves_nothing_on_the_group(sim, group, gw):
    """What decommissioning does before the delete, when it keeps numbers for the partner's pool:
    every number leaves the group once its CLID and portal are undone."""
    add_admin(gw, "jane.doe@hostedcomm.com")
    for admin in gw.group_admins(PARTNER, GROUP):
        gw.delete_group_admin(admin["user_id"])
    gw.disable_voice_portal(PARTNER, GROUP)
    gw.clear_group_clid(PARTNER, GROUP)
    gw.unassign_numbers(PARTNER, GROUP, POOL)
    assert gw.group_numbers(PARTNER, GROUP, activated_only=False) == []
    assert gw.group_admins(PARTNER, GROUP) == []
    gw.delete_group(PARTNER, GROUP)
    assert gw.group_exists(PARTNER, GROUP) is False
