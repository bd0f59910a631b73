"""The kinds of change to a built customer besides its numbers (#15, customers.change_kinds): each
checked with the build request's rules on the customer as it would be, recorded at once, run as
steps on the engine, and put back when cancelled. On the in-memory platforms; the simulators'
end-to-end run is in tests/integrations."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.choices import Role
from accounts.models import AuditEvent
from customers import build_steps, changes
from customers.models import AkixiUser, CustomerGroup, GroupAdmin, ServiceBuild
from expoe_portal.transitions import TransitionConflict
from integrations.base import PermanentError
from number_pool.models import Number
from porting.choices import PortStatus
from porting.models import PortRequest

pytestmark = pytest.mark.django_db


def make(django_capture_on_commit_callbacks, world, group, kind, role=Role.COORDINATOR, **values):
    with django_capture_on_commit_callbacks(execute=True):
        change = changes.change_start(by=world.user(role), group=group, change=kind, values=values)
    change.refresh_from_db()
    return change


def refused(world, group, kind, role=Role.COORDINATOR, **values) -> dict:
    with pytest.raises(ValidationError) as caught:
        changes.change_start(by=world.user(role), group=group, change=kind, values=values)
    return caught.value.message_dict


# -- B1, V1, V2 -------------------------------------------------------------------------------------
def test_B1_the_business_profile_number_changes_to_another_of_the_groups_numbers(
    world, built, platforms, django_capture_on_commit_callbacks
):
    change = make(
        django_capture_on_commit_callbacks,
        world,
        built,
        "business_profile",
        role=Role.PARTNER_USER,
        number="+442079460002",
        present_as_caller_id=True,
    )
    assert change.status == "succeeded" and change.summary.startswith("Business profile number +442079460002")
    assert platforms.broadworks.clid["AlphaWidgets"] == {"number": "+442079460002", "present_as_caller_id": True}
    built.refresh_from_db()
    assert (built.business_profile_number, built.present_group_number_as_clid) == ("+442079460002", True)


def test_B1_a_business_profile_number_that_is_not_the_groups_is_refused_beside_its_field(world, built):
    stray = Number.objects.filter(customer_group__isnull=True).values_list("e164", flat=True).first()
    errors = refused(world, built, "business_profile", number=stray, present_as_caller_id=False)
    assert errors == {"number": ["The business profile number must be one of the group's numbers (B1)."]}
    nothing_new = refused(world, built, "business_profile", number="+442079460000", present_as_caller_id=False)
    assert "already" in nothing_new["number"][0]
    assert not ServiceBuild.objects.filter(kind="change").exists()


def test_V2_dialling_in_from_outside_needs_a_voice_portal_number(world, built):
    errors = refused(world, built, "voice_portal", number="", extension="8001", external_dial_in=True)
    assert errors["number"] == ["Dialling into voicemail from outside (a mobile) needs a voice portal number (V2)."]
    assert refused(world, built, "voice_portal", number="", extension="", external_dial_in=False)["number"] == [
        "Give the voice portal a number or an extension (V1)."
    ]


def test_V1_the_voice_portal_moves_to_an_extension_and_cancelling_puts_the_record_back(
    world, built, platforms, django_capture_on_commit_callbacks
):
    platforms.faults.fail("enable_voice_portal", PermanentError("refused"))
    change = make(
        django_capture_on_commit_callbacks,
        world,
        built,
        "voice_portal",
        number="",
        extension="8001",
        external_dial_in=False,
    )
    assert change.status == "failed"
    built.refresh_from_db()
    assert (built.voice_portal_number, built.voice_portal_extension) == ("", "8001"), "recorded at once"
    changes.change_cancel(by=world.user(Role.COORDINATOR), change=change)
    built.refresh_from_db()
    assert (built.voice_portal_number, built.voice_portal_extension, built.voice_portal_external_dial_in) == (
        "+442079460001",
        "8000",
        True,
    )


# -- A1, A2 -----------------------------------------------------------------------------------------
def test_A2_an_administrator_added_with_no_password_gets_one_generated_shown_once_and_kept_nowhere(
    world, built, platforms, django_capture_on_commit_callbacks
):
    change = make(django_capture_on_commit_callbacks, world, built, "add_admin", first_name="Grace", last_name="Hopper")
    ((user_id, password),) = change.generated_passwords.items()
    assert user_id == "grace.hopper@hostedcomm.com" and len(password) >= 12
    assert platforms.broadworks.admins[user_id] == password, "BroadWorks has it"
    admin = GroupAdmin.objects.get(user_id=user_id)
    assert admin.password_encrypted == "" and admin.password_wiped_at, "wiped once BroadWorks had it"
    kept = json.dumps(change.details) + json.dumps(list(AuditEvent.objects.values_list("changes", flat=True)))
    assert password not in kept and "password" not in change.details["admin"]


def test_A1_an_administrators_user_id_taken_on_the_platform_is_refused_beside_its_field(world, built):
    errors = refused(world, built, "add_admin", first_name="Ada", last_name="Lovelace")
    assert errors == {"user_id": ["“ada.lovelace@hostedcomm.com” is used twice in this request (A1)."]}
    errors = refused(world, built, "add_admin", first_name="X", last_name="Y", user_id="x.y@exponential-e.com")
    assert errors == {"user_id": ["User IDs of this group end in @hostedcomm.com (A1, G5)."]}
    errors = refused(world, built, "add_admin", first_name="X", last_name="Y", password="short")
    assert "at least" in errors["password"][0]


def test_A1_administrators_removed_leave_broadworks_and_the_last_one_stays(
    world, built, platforms, django_capture_on_commit_callbacks
):
    assert refused(world, built, "remove_admins", user_ids=["ada.lovelace@hostedcomm.com"]) == {
        "user_ids": ["Add at least one group administrator (G6)."]
    }
    make(django_capture_on_commit_callbacks, world, built, "add_admin", first_name="Grace", last_name="Hopper")
    change = make(
        django_capture_on_commit_callbacks, world, built, "remove_admins", user_ids=["ada.lovelace@hostedcomm.com"]
    )
    assert change.status == "succeeded"
    assert sorted(platforms.broadworks.admins) == ["grace.hopper@hostedcomm.com"]
    assert list(built.admins.values_list("user_id", flat=True)) == ["grace.hopper@hostedcomm.com"]
    # A redelivered step finds it gone and deletes nothing.
    build_steps.run_step(step=change.steps.get(), group=built, platforms=platforms)
    assert platforms.calls.count("delete_group_admin") == 1


# -- K3, K4 -----------------------------------------------------------------------------------------
def test_K4_a_reporting_user_is_added_on_the_customers_own_partition_and_removed_again(
    world, built, platforms, django_capture_on_commit_callbacks
):
    added = make(
        django_capture_on_commit_callbacks,
        world,
        built,
        "add_akixi_user",
        role=Role.PARTNER_USER,
        username="alpha.manager",
        full_name="Grace Hopper",
        email="grace@alpha.invalid",
    )
    assert added.status == "succeeded" and platforms.akixi.users["alpha.manager"] == "P-AlphaWidgets"
    removed = make(django_capture_on_commit_callbacks, world, built, "remove_akixi_users", usernames=["alpha.reports"])
    assert removed.status == "succeeded" and list(platforms.akixi.users) == ["alpha.manager"]
    assert refused(world, built, "remove_akixi_users", usernames=["alpha.manager"]) == {
        "usernames": ["Add at least one Akixi reporting user (K4)."]
    }
    errors = refused(world, built, "add_akixi_user", username="ALPHA.MANAGER", full_name="X", email="x@alpha.invalid")
    assert errors == {"username": ["“ALPHA.MANAGER” is used twice in this request (K4)."]}


def test_K3_synchronise_now_asks_akixi_once_and_waits_for_a_sync_completed_after_it_was_asked(
    world, built, platforms, django_capture_on_commit_callbacks
):
    assert platforms.akixi.sync["P-AlphaWidgets"] == "completed", "the build's own sync, before the change"
    change = make(django_capture_on_commit_callbacks, world, built, "akixi_sync", role=Role.PARTNER_USER)
    assert change.status == "succeeded"
    assert platforms.akixi.sync_requests == ["P-AlphaWidgets"], "the earlier sync did not count; asked once"
    assert change.steps.get().attempts == 3, "pending, then in progress, then completed"
    # Run again (a redelivered message): the sync it asked for is done, so it asks for no other.
    build_steps.run_step(step=change.steps.get(), group=built, platforms=platforms)
    assert platforms.akixi.sync_requests == ["P-AlphaWidgets"]


def test_K2_akixi_changes_are_refused_for_a_customer_without_an_akixi_licence(world, built):
    CustomerGroup.objects.filter(pk=built.pk).update(akixi_licence="")
    AkixiUser.objects.filter(group=built).delete()
    assert "no Akixi licence" in refused(world, built, "akixi_sync")["__all__"][0]


# -- C5 ---------------------------------------------------------------------------------------------
def test_C5_the_call_cabinet_administrator_changes_on_the_essential_customer(
    world, built, platforms, django_capture_on_commit_callbacks
):
    change = make(
        django_capture_on_commit_callbacks,
        world,
        built,
        "callcabinet_admin",
        admin_name="Grace Hopper",
        admin_email="grace@alpha.invalid",
    )
    assert change.status == "succeeded"
    assert platforms.callcabinet.admins["AlphaWidgets"] == ("Grace Hopper", "grace@alpha.invalid")
    assert refused(world, built, "callcabinet_admin", admin_name="Grace Hopper", admin_email="not-an-email") == {
        "admin_email": ["Enter a valid email address (C5)."]
    }


# -- every kind: previewed with the same checks, nothing kept --------------------------------------
def test_a_preview_makes_every_check_and_keeps_nothing(world, built):
    plan = changes.change_preview(
        by=world.user(Role.COORDINATOR),
        group=built,
        change="add_admin",
        values={"first_name": "Grace", "last_name": "Hopper"},
    )
    assert plan == [
        {
            "platform": "broadworks",
            "operation": "Add the group administrator",
            "detail": "grace.hopper@hostedcomm.com (Grace Hopper) (A1, A2)",
        }
    ]
    assert not GroupAdmin.objects.filter(user_id="grace.hopper@hostedcomm.com").exists()
    assert not ServiceBuild.objects.filter(kind="change").exists()
    with pytest.raises(ValidationError):
        changes.change_preview(
            by=world.user(Role.COORDINATOR), group=built, change="add_admin", values={"first_name": "Grace"}
        )


# -- decommissioning ---------------------------------------------------------------------------------
def decommission(django_capture_on_commit_callbacks, world, group, **values):
    values.setdefault("confirm_group_id", group.group_id)
    return make(django_capture_on_commit_callbacks, world, group, "decommission", **values)


def test_N2_decommissioning_removes_the_customer_everywhere_in_a_safe_order_and_keeps_the_record(
    world, built, platforms, django_capture_on_commit_callbacks
):
    numbers = sorted(built.numbers.values_list("e164", flat=True))
    platforms.calls.clear()
    change = decommission(django_capture_on_commit_callbacks, world, built)
    assert change.status == "succeeded"
    deletes = [c for c in platforms.calls if c.startswith(("delete", "disable", "clear", "unassign"))]
    assert deletes == [
        "delete_customer",
        "delete_reporting_user",
        "delete_partition",
        "delete_group_admin",
        "disable_voice_portal",
        "clear_group_clid",
        "unassign_numbers",
        "delete_group",
    ]
    bw, ak, cc = platforms.broadworks, platforms.akixi, platforms.callcabinet
    assert (bw.groups, bw.admins, ak.partitions, ak.users, cc.customers) == ({}, {}, {}, {}, {})
    assert sorted(bw.sp_numbers["ACME01"]) == numbers, "N2: the numbers stay in the partner's pool"
    built.refresh_from_db()
    assert built.decommissioned_at is not None
    freed = Number.objects.filter(e164__in=numbers)
    assert {(n.status, n.customer_group_id) for n in freed} == {("available", None)}
    assert built.admins.exists() and built.builds.count() == 2, "the record stays, with its history"
    with pytest.raises(TransitionConflict, match="decommissioned"):
        changes.change_start(by=world.user(Role.COORDINATOR), group=built, change="akixi_sync", values={})


def test_decommissioning_is_staff_only_confirmed_by_the_group_id_and_refused_while_a_port_names_it(world, built):
    with pytest.raises(PermissionDenied):
        changes.change_start(
            by=world.user(Role.PARTNER_USER),
            group=built,
            change="decommission",
            values={"confirm_group_id": built.group_id},
        )
    assert refused(world, built, "decommission", confirm_group_id="alphawidgets") == {
        "confirm_group_id": ["Type the group ID, AlphaWidgets, exactly, to confirm."]
    }
    port = PortRequest.objects.create(
        partner=world.partner_a, customer_group=built, main_billing_number="+442079460100", status=PortStatus.ACCEPTED
    )
    errors = refused(world, built, "decommission", confirm_group_id=built.group_id)
    assert errors == {"__all__": [f"Port request #{port.pk} still names AlphaWidgets: complete or cancel it first."]}


def test_a_failed_decommissioning_is_retried_not_cancelled_and_ends_the_customer_once(
    world, built, platforms, django_capture_on_commit_callbacks
):
    platforms.faults.fail("delete_partition", PermanentError("Akixi refused"))
    change = decommission(django_capture_on_commit_callbacks, world, built)
    assert change.status == "failed" and "Akixi refused" in change.last_error
    assert platforms.callcabinet.customers == {} and platforms.broadworks.groups, "stopped in order"
    with pytest.raises(TransitionConflict, match="retry it"):
        changes.change_cancel(by=world.user(Role.COORDINATOR), change=change)
    with pytest.raises(PermissionDenied):
        changes.change_retry(by=world.user(Role.PARTNER_USER), change=change)
    with django_capture_on_commit_callbacks(execute=True):
        changes.change_retry(by=world.user(Role.COORDINATOR), change=change)
    change.refresh_from_db()
    assert change.status == "succeeded" and platforms.broadworks.groups == {}
    assert platforms.calls.count("delete_customer") == 1, "the steps done were not repeated"


# -- repair (for the reconciliation) ----------------------------------------------------------------
def test_K4_A2_a_repair_restores_our_record_a_widened_user_and_a_missing_admin_with_a_new_password(
    world, built, platforms, django_capture_on_commit_callbacks
):
    platforms.akixi.users["alpha.reports"] = "any"  # widened by hand to "Any Partition"
    platforms.broadworks.delete_group_admin("ada.lovelace@hostedcomm.com")  # removed by hand
    with django_capture_on_commit_callbacks(execute=True):
        repair = changes.change_repair(
            by=world.user(Role.COORDINATOR),
            group=built,
            steps=["admins", "restrict_akixi_users"],
            summary="Repair drift",
            new_admin_passwords=["ada.lovelace@hostedcomm.com"],
        )
    ((user_id, password),) = repair.generated_passwords.items()
    repair.refresh_from_db()
    assert repair.status == "succeeded" and repair.details == {"change": "repair"}
    assert platforms.akixi.users["alpha.reports"] == "P-AlphaWidgets"
    assert platforms.broadworks.admins[user_id] == password
    assert GroupAdmin.objects.get(user_id=user_id).password_encrypted == "", "wiped again once used"
    with pytest.raises(ValidationError):
        changes.change_repair(by=world.user(Role.COORDINATOR), group=built, steps=[], summary="Nothing")


# -- platforms in manual mode --------------------------------------------------------------------------
def test_C2_K4_in_manual_mode_a_decommissioning_waits_for_each_step_done_by_hand_then_finishes(
    client, api_as, world, built, platforms, monkeypatch, settings, django_capture_on_commit_callbacks
):
    from integrations.akixi.client import akixi_gateway
    from integrations.callcabinet.client import callcabinet_gateway
    from integrations.platforms import Platforms

    settings.AKIXI_MODE = settings.CALLCABINET_MODE = "manual"
    CustomerGroup.objects.filter(pk=built.pk).update(akixi_partition_reference="4711", callcabinet_reference="CC-9")
    AkixiUser.objects.filter(group=built).update(confirmed_at="2026-11-01T10:00:00Z")
    # BroadWorks in memory; Akixi and Call Cabinet are the real manual gateways, built per step.
    monkeypatch.setattr(
        build_steps, "get_platforms", lambda: Platforms(platforms.broadworks, akixi_gateway(), callcabinet_gateway())
    )
    change = decommission(django_capture_on_commit_callbacks, world, built)
    expected = [
        ("remove_callcabinet_customer", "CC-9"),
        ("remove_akixi_users", "alpha.reports"),
        ("remove_akixi_partition", "4711"),
    ]
    for step_name, named in expected:
        waiting = change.steps.get(status="waiting")
        assert (waiting.name, change.status) == (step_name, "running")
        assert named in waiting.last_error, "the instructions name the object to remove"
        with pytest.raises(PermissionDenied):
            changes.change_confirm_by_hand(by=world.user(Role.PARTNER_USER), change=change)
        if step_name == "remove_callcabinet_customer":  # on the page: what to do, and the button
            client.force_login(world.user(Role.COORDINATOR))
            page = client.get(built.get_absolute_url()).content.decode()
            assert 'data-testid="change-waiting"' in page and 'data-testid="confirm-by-hand"' in page
        with django_capture_on_commit_callbacks(execute=True):
            if step_name == "remove_akixi_partition":  # through the API
                url = f"/api/v1/customer-groups/{built.pk}/changes/{change.pk}/confirm/"
                assert api_as(world.user(Role.COORDINATOR)).post(url).status_code == 200
            else:
                changes.change_confirm_by_hand(by=world.user(Role.COORDINATOR), change=change)
        change.refresh_from_db()
    assert change.status == "succeeded" and platforms.broadworks.groups == {}
    assert AuditEvent.objects.filter(action="change.confirmed_by_hand").count() == 3
    with pytest.raises(TransitionConflict, match="not waiting"):
        changes.change_confirm_by_hand(by=world.user(Role.COORDINATOR), change=change)
