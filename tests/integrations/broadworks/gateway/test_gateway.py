"""The BroadWorks gateway against the OCI-P simulator, over a real socket: every method, the clone,
error classification, faults, and passwords that go to BroadWorks and nowhere else."""

import logging
import os
import socket
import subprocess
import sys
from types import SimpleNamespace

import pytest

from customers import build_steps
from integrations.base import PermanentError, TransientError
from integrations.broadworks import simulator
from integrations.broadworks.gateway import CLONED_SETTINGS, LOGIN_FAILED, BroadWorksGateway
from integrations.broadworks.ocip import describe, dn, load, numbers_in
from integrations.broadworks.simulator import CLONE_SERVICE_PROVIDER_ID, preload_partner
from integrations.choices import CallOutcome
from integrations.models import ExternalCall

from .support import (
    ADMIN,
    CLONE,
    ON_BROADWORKS,
    PARTNER,
    PASSWORD,
    POOL,
    REPO_ROOT,
    _start,
    calls,
    gateway_for,
    new_group,
    request_types,
    sim_group,
    stored_calls_text,
)

pytestmark = pytest.mark.django_db


# -- setting up -------------------------------------------------------------------------------------


def test_importing_the_gateway_leaves_the_slow_client_library_for_the_first_call():
    code = (
        "import django, sys; django.setup(); import integrations.broadworks.gateway; "
        "print('mercury_ocip_fast' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "expoe_portal.settings.test", "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "False"


def test_connection_settings_are_read_by_name_with_defaults_and_arguments_win(settings):
    settings.BROADWORKS_HOST, settings.BROADWORKS_PORT, settings.BROADWORKS_TLS = "bw.example", 2209, True
    settings.BROADWORKS_USERNAME, settings.BROADWORKS_PASSWORD, settings.BROADWORKS_TIMEOUT = "api", "pw", 12
    settings.CLONE_SERVICE_PROVIDER_ID = "OtherClones"
    gw = BroadWorksGateway()
    assert (gw.host, gw.port, gw.tls, gw.username, gw.timeout) == ("bw.example", 2209, True, "api", 12.0)
    assert gw.clone_service_provider_id == "OtherClones" and "pw" not in repr(gw)
    assert BroadWorksGateway(host="127.0.0.1", port=1, tls=False).host == "127.0.0.1"

    for name in ("BROADWORKS_HOST", "BROADWORKS_PORT", "BROADWORKS_TLS", "BROADWORKS_USERNAME", "BROADWORKS_TIMEOUT"):
        delattr(settings, name)
    del settings.BROADWORKS_PASSWORD, settings.CLONE_SERVICE_PROVIDER_ID
    gw = BroadWorksGateway()
    assert (gw.host, gw.port, gw.tls, gw.username, gw.timeout) == ("127.0.0.1", 2208, False, "portal-admin", 30.0)
    assert gw.clone_service_provider_id == "ExpoePartner"


# -- clone (G1-G5) ----------------------------------------------------------------------------------


def test_G1_G2_G4_G5_the_group_copies_every_listed_setting_of_the_clone_group(sim, gw):
    template = gw.group_template(CLONE_SERVICE_PROVIDER_ID, CLONE)
    assert tuple(template) == CLONED_SETTINGS
    # The demo's clone group, as preloaded: what there is to copy.
    assert template["extension_lengths"] == {"min": 2, "max": 6, "default": 4}
    assert template["service_packs"] == dict.fromkeys(simulator.DEMO_CLONE_SERVICE_PACKS)
    assert template["group_services"]["Voice Messaging Group"] == {"quantity": None, "assigned": True}
    assert set(template["group_services"]) == set(simulator.DEMO_CLONE_GROUP_SERVICES)
    assert set(template["user_services"]) == set(simulator.DEMO_CLONE_USER_SERVICES)

    assert gw.group_exists(PARTNER, "ACME-BAKERY") is False
    new_group(gw, domain="exponential-e.com", extension_length=3)
    assert gw.group_exists(PARTNER, "ACME-BAKERY") is True
    assert gw.group_exists(PARTNER, "acme-bakery") is False  # IDs are compared exactly

    copy = gw.group_template(PARTNER, "ACME-BAKERY")
    for setting in set(CLONED_SETTINGS) - {"domains", "extension_lengths"}:
        assert copy[setting] == template[setting], setting
    assert copy["domains"] == ["exponential-e.com", "hostedcomm.com"]  # G5 default first, then the template's
    assert copy["extension_lengths"] == {"min": 2, "max": 6, "default": 3}  # the requested default, template range
    profile = gw.group_profile(PARTNER, "ACME-BAKERY")
    assert (profile["name"], profile["default_domain"]) == ("Acme Bakery Ltd", "exponential-e.com")
    assert sim_group(sim, "ACME-BAKERY")["voice_portal"] is not None  # Voice Messaging Group came assigned

    new_group(gw, "ACME-LONG", extension_length=7)  # outside the template's range: the range widens
    assert gw.group_template(PARTNER, "ACME-LONG")["extension_lengths"] == {"min": 2, "max": 7, "default": 7}

    add = ExternalCall.objects.filter(operation="add_group_from_template").order_by("id")
    assert [r.request["requests"][0]["type"] for r in add[:2]] == ["GroupGetRequest24", "GroupConsolidatedAddRequest"]
    assert add[1].target == "ACME01/ACME-BAKERY" and add[1].outcome == CallOutcome.OK
    assert add[1].request["requests"][0]["group_name"] == "Acme Bakery Ltd"


def test_G3_a_duplicate_group_id_is_refused_with_the_platforms_message(sim, gw):
    new_group(gw)
    with pytest.raises(PermanentError, match=r"^\[Error 4021\] Group already exists: ACME-BAKERY$") as refused:
        new_group(gw, name="Another name")
    assert refused.value.code == "4021"
    assert ExternalCall.objects.order_by("-id").first().outcome == CallOutcome.PERMANENT_ERROR
    with pytest.raises(PermanentError, match="Group not found: NO-SUCH-CLONE"):
        new_group(gw, "ACME-OTHER", clone="NO-SUCH-CLONE")
    with pytest.raises(PermanentError, match="Service Provider not found: NOPE"):
        gw.group_exists("NOPE", "ACME-BAKERY")


def test_a_non_ascii_group_name_round_trips(sim, gw):
    name = "Café Zoë — Ünïcode ✓"
    new_group(gw, "CAFE-ZOE", name)
    assert gw.group_profile(PARTNER, "CAFE-ZOE")["name"] == name
    assert sim_group(sim, "CAFE-ZOE")["name"] == name


# -- numbers (N1, N2), business profile (B1) --------------------------------------------------------


def test_N1_N2_numbers_go_to_the_partner_pool_then_to_the_group_activated(sim, gw):
    new_group(gw)
    pool = gw.service_provider_numbers(PARTNER)
    assert len(pool) == 100 and pool[0] == "+442079460000"  # the demo's pool

    gw.add_numbers_to_service_provider(PARTNER, POOL)
    assert set(POOL) <= set(gw.service_provider_numbers(PARTNER))
    with pytest.raises(PermanentError, match="DN already exists"):
        gw.add_numbers_to_service_provider(PARTNER, POOL[:1])

    assert gw.group_numbers(PARTNER, "ACME-BAKERY") == []
    gw.assign_numbers(PARTNER, "ACME-BAKERY", POOL[:2])
    assert gw.group_numbers(PARTNER, "ACME-BAKERY") == POOL[:2]
    assert set(POOL[:2]) <= set(gw.service_provider_numbers(PARTNER))  # still the partner's: assigned, not moved

    # Assigned but not activated counts as missing; assigning it again activates it.
    with sim.state.lock:
        sim.state.data["service_providers"][PARTNER]["groups"]["ACME-BAKERY"]["dns"][dn(POOL[1])]["activated"] = False
    assert gw.group_numbers(PARTNER, "ACME-BAKERY") == POOL[:1]
    gw.assign_numbers(PARTNER, "ACME-BAKERY", POOL[1:2])
    assert gw.group_numbers(PARTNER, "ACME-BAKERY") == POOL[:2]

    preload_partner(sim.state, "BETA02", "BETA02-CLONE", numbers=["+44-1614960000"])
    with pytest.raises(PermanentError, match="DN not available in service provider ACME01: \\+44-1614960000"):
        gw.assign_numbers(PARTNER, "ACME-BAKERY", ["+441614960000"])  # N2
    gw.assign_numbers(PARTNER, "ACME-BAKERY", [])
    gw.add_numbers_to_service_provider(PARTNER, [])
    assert "+441614960000" not in gw.group_numbers(PARTNER, "ACME-BAKERY")


def test_B1_the_business_profile_number_is_one_of_the_groups_numbers(sim, gw):
    new_group(gw)
    gw.add_numbers_to_service_provider(PARTNER, POOL)
    gw.assign_numbers(PARTNER, "ACME-BAKERY", POOL[:1])
    assert gw.group_clid(PARTNER, "ACME-BAKERY") == {"number": None, "present_as_caller_id": False}
    with pytest.raises(PermanentError, match="must be one of the group's phone numbers: \\+44-1134960002"):
        gw.set_group_clid(PARTNER, "ACME-BAKERY", POOL[1])
    gw.set_group_clid(PARTNER, "ACME-BAKERY", POOL[0])
    assert gw.group_clid(PARTNER, "ACME-BAKERY") == {"number": POOL[0], "present_as_caller_id": False}
    with pytest.raises(PermanentError, match="B1"):
        gw.set_group_clid(PARTNER, "ACME-BAKERY", "")


def test_B1_the_guides_option_users_present_the_group_number_as_their_caller_id(sim, gw):
    """ "This number can also be set as a group number to dial out from" (the guide, business
    profile): sent with the group calling line ID request, in the same document as B1."""
    new_group(gw)
    gw.add_numbers_to_service_provider(PARTNER, POOL)
    gw.assign_numbers(PARTNER, "ACME-BAKERY", POOL[:1])
    ExternalCall.objects.all().delete()
    gw.set_group_clid(PARTNER, "ACME-BAKERY", POOL[0], present_as_caller_id=True)
    assert request_types() == ["GroupModifyRequest", "GroupCallingLineIdModifyRequest"]
    assert gw.group_clid(PARTNER, "ACME-BAKERY") == {"number": POOL[0], "present_as_caller_id": True}
    group = sim_group(sim, "ACME-BAKERY")
    assert (group["calling_line_id_phone_number"], group["use_group_number"]) == (dn(POOL[0]), True)
    gw.set_group_clid(PARTNER, "ACME-BAKERY", POOL[0], present_as_caller_id=False)
    assert sim_group(sim, "ACME-BAKERY")["use_group_number"] is False


def test_numbers_as_real_broadworks_shows_them_are_read_as_e164():
    assert numbers_in("+44-2079460000") == ["+442079460000"]
    assert numbers_in("+44-2079460008 - +44-2079460011") == [f"+4420794600{n:02d}" for n in range(8, 12)]
    assert numbers_in("") == [] and numbers_in(None) == []


# -- voice portal (V1, V2) --------------------------------------------------------------------------


def test_V1_V2_the_voice_portal_is_enabled_authorising_and_assigning_voice_messaging_once(sim, gw):
    # A partner whose clone group does not have Voice Messaging Group at all.
    preload_partner(sim.state, "BETA02", "BETA02-CLONE", group_services=("Call Park",), numbers=ON_BROADWORKS.values())
    # BETA02 may give its groups Voice Messaging Group, though its clone group does not have it.
    with sim.state.lock:
        sim.state.service_provider("BETA02")["group_services"]["Voice Messaging Group"] = None
    new_group(gw, "BETA-SHOP", partner="BETA02", clone="BETA02-CLONE")
    assert "Voice Messaging Group" not in sim_group(sim, "BETA-SHOP", "BETA02")["group_services"]
    gw.assign_numbers("BETA02", "BETA-SHOP", POOL[:1])
    ExternalCall.objects.all().delete()

    gw.enable_voice_portal("BETA02", "BETA-SHOP", number=POOL[0], extension="8000", external_dial_in=True)
    assert request_types() == [
        "GroupServiceGetAuthorizationListRequest",
        "GroupServiceModifyAuthorizationListRequest",
        "GroupServiceAssignListRequest",
        "GroupVoiceMessagingGroupModifyVoicePortalRequest",
    ]
    portal = sim_group(sim, "BETA-SHOP", "BETA02")["voice_portal"]
    assert (portal["phone_number"], portal["extension"], portal["active"]) == (dn(POOL[0]), "8000", True)

    ExternalCall.objects.all().delete()
    gw.enable_voice_portal("BETA02", "BETA-SHOP", number="", extension="8001", external_dial_in=False)
    assert request_types() == [  # already authorised and assigned: read both, then only the portal itself
        "GroupServiceGetAuthorizationListRequest",
        "GroupVoiceMessagingGroupGetVoicePortalRequest21sp1",
        "GroupVoiceMessagingGroupModifyVoicePortalRequest",
    ]
    portal = sim_group(sim, "BETA-SHOP", "BETA02")["voice_portal"]
    # The number the group no longer names is cleared (xsi:nil): left out, BroadWorks would keep it (decision 135).
    assert (portal["phone_number"], portal["extension"]) == (None, "8001")

    ExternalCall.objects.all().delete()
    with pytest.raises(PermanentError, match=r"V2"):
        gw.enable_voice_portal("BETA02", "BETA-SHOP", number="", extension="8000", external_dial_in=True)
    with pytest.raises(PermanentError, match=r"V1"):
        gw.enable_voice_portal("BETA02", "BETA-SHOP", number=None, extension=None, external_dial_in=False)
    assert not ExternalCall.objects.exists()  # refused before anything was sent
    with pytest.raises(PermanentError, match="Invalid extension length: 1234567 must have 2 to 6 digits"):
        gw.enable_voice_portal("BETA02", "BETA-SHOP", number=None, extension="1234567", external_dial_in=False)


# -- admins (A1, A2) --------------------------------------------------------------------------------


def test_A1_A2_an_admin_is_added_once_and_the_password_goes_to_broadworks_only(sim, gw, admin_lookup, caplog):
    caplog.set_level(logging.DEBUG)
    canary = "Adm1n-Canary-9c1e!"
    user_id = "jane.doe@hostedcomm.com"
    new_group(gw)
    assert gw.group_admin_exists(user_id) is False
    assert gw.group_admin_exists(user_id, PARTNER, "ACME-BAKERY") is False

    gw.add_group_admin(PARTNER, "ACME-BAKERY", user_id=user_id, first_name="Jane", last_name="Doe", password=canary)
    assert gw.group_admin_exists(user_id) is True
    assert gw.group_admin_exists(user_id, PARTNER, "ACME-BAKERY") is True
    assert gw.group_admin_exists("Jane.Doe@hostedcomm.com") is False  # case-sensitive (A1)
    assert sim.state.snapshot()["users"][user_id]["first_name"] == "Jane"

    new_group(gw, "ACME-DAIRY")
    with pytest.raises(PermanentError, match="User ID already exists: jane.doe@hostedcomm.com") as refused:
        gw.add_group_admin(PARTNER, "ACME-DAIRY", user_id=user_id, first_name="J", last_name="D", password=canary)
    assert canary not in str(refused.value)
    sim.fail_next("drop", request="GroupAdminAddRequest")
    with pytest.raises(TransientError) as dropped:
        gw.add_group_admin(
            PARTNER, "ACME-DAIRY", user_id="jo@hostedcomm.com", first_name="J", last_name="B", password=canary
        )
    assert canary not in str(dropped.value)

    row = ExternalCall.objects.filter(operation="add_group_admin").order_by("id").first()
    assert row.request["requests"][0] == {
        "type": "GroupAdminAddRequest",
        "service_provider_id": PARTNER,
        "group_id": "ACME-BAKERY",
        "user_id": user_id,
        "first_name": "Jane",
        "last_name": "Doe",
    }
    # A2: nowhere but BroadWorks, which drops it too: no ExternalCall row, no log record, no state.
    for secret in (canary, PASSWORD):
        assert secret not in stored_calls_text()
        assert secret not in caplog.text
        assert all(secret not in str(record.args) for record in caplog.records)
        assert secret not in sim.state.path.read_text()


def test_A1_without_the_group_the_system_wide_lookup_uses_GroupAdminGetRequest22V3(sim, gw):
    """A user ID is unique across the whole platform (A1): looked up with the user ID alone."""
    assert gw.group_admin_exists("jane.doe@hostedcomm.com") is False
    new_group(gw)
    gw.add_group_admin(
        PARTNER,
        "ACME-BAKERY",
        user_id="jane.doe@hostedcomm.com",
        first_name="Jane",
        last_name="Doe",
        password="Pass-word-42",
    )
    assert gw.group_admin_exists("jane.doe@hostedcomm.com") is True
    assert gw.group_admin_exists("Jane.Doe@hostedcomm.com") is False, "user IDs are case sensitive"


# -- errors and faults ------------------------------------------------------------------------------


def test_a_wrong_login_is_permanent_and_names_the_settings_not_the_password(sim, caplog):
    caplog.set_level(logging.DEBUG)
    gw = gateway_for(sim, password="Wr0ng-Canary")
    with pytest.raises(PermanentError) as failed:
        gw.group_exists(PARTNER, "ANY")
    assert str(failed.value).startswith(LOGIN_FAILED) and "Invalid password" in str(failed.value)
    assert "Wr0ng-Canary" not in str(failed.value) + caplog.text + stored_calls_text()
    assert calls() == [("group_exists", "GroupGetListInServiceProviderRequest", CallOutcome.PERMANENT_ERROR)]


def test_an_unreachable_platform_is_transient():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once the probe closes
    gw = BroadWorksGateway(host="127.0.0.1", port=port, username=ADMIN, password=PASSWORD, tls=False, timeout=2)
    with pytest.raises(TransientError, match="BroadWorks connection failed: MErrorSocketInitialisation"):
        gw.service_provider_exists(PARTNER)
    assert calls() == [("service_provider_exists", "ServiceProviderGetRequest22V4", CallOutcome.TRANSIENT_ERROR)]


def test_error_responses_are_permanent_unless_they_say_try_again(sim, gw):
    sim.fail_next("error", request="ServiceProviderGetRequest22V4")
    with pytest.raises(PermanentError, match=r"\[Error 9000\] Simulated permanent failure"):
        gw.service_provider_exists(PARTNER)
    sim.fail_next(
        "error", request="ServiceProviderGetRequest22V4", error_code=5000, summary="[Error 5000] Internal error"
    )
    with pytest.raises(TransientError, match="Internal error"):
        gw.service_provider_exists(PARTNER)
    assert gw.service_provider_exists(PARTNER) is True
    outcomes = [outcome for *_, outcome in calls()]
    assert outcomes == [CallOutcome.PERMANENT_ERROR, CallOutcome.TRANSIENT_ERROR, CallOutcome.OK]


def test_a_slow_reply_is_transient(sim):
    gw = gateway_for(sim, timeout=1)
    sim.fail_next("delay", request="GroupGetListInServiceProviderRequest", delay_seconds=1.3)
    with pytest.raises(TransientError, match="BroadWorks connection failed: MErrorSocketTimeout"):
        gw.group_exists(PARTNER, CLONE)
    assert calls()[-1][2] == CallOutcome.TRANSIENT_ERROR


class _Numbers(list):
    def order_by(self, *fields):
        return self

    def values_list(self, *fields, flat=False):
        return list(self)


def _customer_group(**fields):
    values = {
        "partner": SimpleNamespace(partner_id=PARTNER),
        "group_id": "ACME-BAKERY",
        "clone_group_id": CLONE,
        "clone_service_provider_id": "ExpoePartner",
        "name": "Acme Bakery Ltd",
        "domain": "hostedcomm.com",
        "extension_length": 4,
        "numbers": _Numbers(POOL),
        "business_profile_number": POOL[0],
        "voice_portal_number": POOL[1],
        "voice_portal_extension": "8000",
        "voice_portal_external_dial_in": True,
        "present_group_number_as_clid": False,
        "has_callcabinet": True,
    }
    return SimpleNamespace(**{**values, **fields})


STEPS = ("clone_group", "pool_numbers", "assign_numbers", "business_profile", "voice_portal")
WRITES = {
    "GroupConsolidatedAddRequest",
    "ServiceProviderDnAddListRequest",
    "GroupDnAssignListRequest",
    "GroupDnActivateListRequest",
    "GroupModifyRequest",
    "GroupServiceModifyAuthorizationListRequest",
    "GroupServiceAssignListRequest",
}


def _run_steps(gw, group):
    platforms = SimpleNamespace(broadworks=gw)
    return [getattr(build_steps, name)(group=group, platforms=platforms) for name in STEPS]


def test_the_build_steps_drive_the_gateway_and_a_second_run_writes_nothing(sim, gw):
    group = _customer_group()
    assert _run_steps(gw, group) == ["ACME-BAKERY", "3 added", "3 assigned", POOL[0], POOL[1]]
    first = [t for t in request_types() if t in WRITES]
    assert first.count("GroupConsolidatedAddRequest") == 1 and first.count("ServiceProviderDnAddListRequest") == 1

    ExternalCall.objects.all().delete()
    assert _run_steps(gw, group)[1] == "0 added"
    assert [t for t in request_types() if t in WRITES] == []
    assert request_types().count("GroupVoiceMessagingGroupModifyVoicePortalRequest") == 0, "the portal is as wanted"
    g = sim_group(sim, "ACME-BAKERY")
    assert (g["calling_line_id_phone_number"], sorted(g["dns"]), g["voice_portal"]["phone_number"]) == (
        dn(POOL[0]),
        [dn(n) for n in POOL],
        dn(POOL[1]),
    )
    assert "Call Recording" in g["user_services"], "C6: ready for the partner to apply licences"


@pytest.mark.parametrize(
    ("kind", "request_type", "step"),
    [
        ("drop", "GroupConsolidatedAddRequest", "clone_group"),  # carried out, reply lost
        ("disconnect", "ServiceProviderDnAddListRequest", "pool_numbers"),  # not carried out
        ("reset", "GroupDnAssignListRequest", "assign_numbers"),  # carried out, connection reset
        ("drop", "GroupModifyRequest", "business_profile"),
    ],
)
def test_after_a_transient_fault_the_step_run_again_ends_in_the_right_state_exactly_once(
    sim, gw, kind, request_type, step
):
    group = _customer_group()
    platforms = SimpleNamespace(broadworks=gw)
    for earlier in STEPS[: STEPS.index(step)]:
        getattr(build_steps, earlier)(group=group, platforms=platforms)
    ExternalCall.objects.all().delete()

    sim.fail_next(kind, request=request_type)
    with pytest.raises(TransientError):
        getattr(build_steps, step)(group=group, platforms=platforms)
    failed = [r for r in ExternalCall.objects.order_by("id") if r.request["requests"][0]["type"] == request_type]
    assert [r.outcome for r in failed] == [CallOutcome.TRANSIENT_ERROR]

    getattr(build_steps, step)(group=group, platforms=platforms)  # the retry
    getattr(build_steps, step)(group=group, platforms=platforms)  # and once more: nothing left to do
    sent = request_types().count(request_type)
    assert sent == (2 if kind == "disconnect" else 1)  # resent only when the first never happened

    g = sim_group(sim, "ACME-BAKERY")
    sp = sim.state.snapshot()["service_providers"][PARTNER]
    assert g["name"] == "Acme Bakery Ltd"
    if STEPS.index(step) >= STEPS.index("pool_numbers"):
        assert set(ON_BROADWORKS.values()) <= set(sp["dns"])
    if STEPS.index(step) >= STEPS.index("assign_numbers"):
        assert g["dns"] == {dn(n): {"activated": True} for n in POOL}
    if step == "business_profile":
        assert g["calling_line_id_phone_number"] == dn(POOL[0])


def test_a_dropped_admin_add_is_found_on_the_retry_and_not_sent_again(sim, gw):
    new_group(gw)
    sim.fail_next("drop", request="GroupAdminAddRequest")
    arguments = {"user_id": "jo.bloggs@hostedcomm.com", "first_name": "Jo", "last_name": "Bloggs", "password": "x"}
    with pytest.raises(TransientError, match="dropped mid-reply"):
        gw.add_group_admin(PARTNER, "ACME-BAKERY", **arguments)
    assert gw.group_admin_exists("jo.bloggs@hostedcomm.com", PARTNER, "ACME-BAKERY") is True
    assert request_types().count("GroupAdminAddRequest") == 1


# -- TLS ------------------------------------------------------------------------------------------


def test_over_tls_it_logs_in_with_LoginRequest22V5_and_an_untrusted_certificate_is_permanent(
    tmp_path, monkeypatch, caplog
):
    from tests.integrations.broadworks.ocip_client import self_signed_cert

    caplog.set_level(logging.INFO, logger="integrations.broadworks.simulator")
    cert, key = self_signed_cert(tmp_path)
    server = _start(tmp_path / "tls.json", tls_cert=cert, tls_key=key)
    try:
        gw = gateway_for(server, tls=True)
        with pytest.raises(PermanentError, match="certificate not trusted"):
            gw.service_provider_exists(PARTNER)
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        assert gw.service_provider_exists(PARTNER) is True
    finally:
        server.stop()
    assert "(LoginRequest22V5)" in caplog.text and PASSWORD not in caplog.text


def test_the_row_describes_the_request_without_secret_fields():
    c = load().c
    request = c.GroupVoiceMessagingGroupModifyVoicePortalRequest(
        service_provider_id="SP",
        group_id="G",
        service_instance_profile=c.ServiceInstanceModifyProfile(
            extension="8000", phone_number=load().OCINil(), password="s3cret"
        ),
        is_active=True,
    )
    assert describe(request) == {
        "type": "GroupVoiceMessagingGroupModifyVoicePortalRequest",
        "service_provider_id": "SP",
        "group_id": "G",
        "service_instance_profile": {"phone_number": None, "extension": "8000"},
        "is_active": True,
    }


def test_a_write_is_on_record_before_it_is_sent_and_a_read_once_it_has_returned(sim, gw, monkeypatch):
    """A process killed mid-call leaves a "started" row for a write (the change may have been
    made) and nothing for a read (nothing changed)."""
    on_record_when_sent: dict[str, list[str]] = {}
    send = gw._send

    def recording_send(library, requests):
        listed = requests if isinstance(requests, list) else [requests]
        on_record_when_sent[type(listed[0]).__name__] = list(
            ExternalCall.objects.filter(outcome=CallOutcome.STARTED).values_list("operation", flat=True)
        )
        return send(library, requests)

    monkeypatch.setattr(gw, "_send", recording_send)
    assert gw.service_provider_exists("DELTA04") is False
    gw.add_service_provider("DELTA04", "Delta Telecom", "hostedcomm.com")
    assert on_record_when_sent == {
        "ServiceProviderGetRequest22V4": [],
        "ServiceProviderConsolidatedAddRequest": ["add_service_provider"],
    }
    assert calls() == [
        ("service_provider_exists", "ServiceProviderGetRequest22V4", "ok"),
        ("add_service_provider", "ServiceProviderConsolidatedAddRequest", "ok"),
    ]
