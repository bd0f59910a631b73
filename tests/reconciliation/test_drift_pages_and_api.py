"""Drift pages and API (#15): staff see every partner's drift with filters; a partner user sees only
their own customers' (another partner's row is a 404); the customer's page shows its open drift;
repair is a POST after a confirmation page, one change of the customer on the build engine."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from customers.choices import BuildKind
from customers.models import CustomerGroup, ServiceBuild
from reconciliation.models import Drift
from reconciliation.services import reconcile

pytestmark = pytest.mark.django_db


def other_partners_drift(world):
    group = CustomerGroup.objects.create(partner=world.partner_b, group_id="BetaOne", name="Beta One")
    now = timezone.now()
    return Drift.objects.create(
        group=group,
        platform="akixi",
        aspect="akixi_user_scope",
        rule="K4",
        ours={},
        theirs={},
        first_seen_at=now,
        last_seen_at=now,
    )


def test_staff_see_every_partners_drift_and_filter_it(client, world, built, platforms):
    platforms.broadworks.group_numbers_["AlphaWidgets"].remove("+442079460002")
    reconcile()
    theirs = other_partners_drift(world)
    client.force_login(world.user(Role.COORDINATOR))
    page = client.get(reverse("reconciliation:drift_list"))
    assert page.status_code == 200 and b"AlphaWidgets" in page.content and b"BetaOne" in page.content
    assert b"Recent reconciliations" in page.content
    only = client.get(reverse("reconciliation:drift_list"), {"partner": "BETA02", "platform": "akixi"})
    assert b"BetaOne" in only.content and b"AlphaWidgets" not in only.content
    searched = client.get(reverse("reconciliation:drift_list"), {"q": "alphawid", "state": ""})
    assert b"AlphaWidgets" in searched.content and b"BetaOne" not in searched.content
    Drift.objects.filter(pk=theirs.pk).update(resolved_at=timezone.now())
    assert b"BetaOne" not in client.get(reverse("reconciliation:drift_list")).content, "open by default"
    resolved = client.get(reverse("reconciliation:drift_list"), {"state": "resolved"})
    assert b"BetaOne" in resolved.content


def test_a_partner_user_sees_only_their_own_customers_drift(client, api_client, world, built, platforms):
    platforms.broadworks.group_numbers_["AlphaWidgets"].remove("+442079460002")
    reconcile()
    theirs = other_partners_drift(world)
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.get(reverse("reconciliation:drift_list"))
    assert b"AlphaWidgets" in page.content and b"BetaOne" not in page.content
    assert client.get(reverse("reconciliation:drift_detail", args=[theirs.pk])).status_code == 404
    api_client.force_authenticate(world.user(Role.PARTNER_USER))
    listed = api_client.get("/api/v1/drift/").json()
    assert [d["group"] for d in listed["results"]] == ["AlphaWidgets"]
    assert api_client.get(f"/api/v1/drift/{theirs.pk}/").status_code == 404
    assert api_client.post(f"/api/v1/drift/{theirs.pk}/repair/").status_code == 404


def test_the_api_shows_both_sides_and_what_repairs_it(api_client, world, built, platforms):
    platforms.broadworks.group_numbers_["AlphaWidgets"].append("+442079460009")
    reconcile()
    api_client.force_authenticate(world.user(Role.COORDINATOR))
    [drift] = api_client.get("/api/v1/drift/", {"state": "open", "platform": "broadworks"}).json()["results"]
    assert drift["group"] == "AlphaWidgets" and drift["partner"] == "ACME01" and drift["aspect"] == "bw_numbers"
    assert drift["theirs"] == [*drift["ours"], "+442079460009"]
    assert drift["repair_steps"] == ["unassign_numbers"] and drift["state"] == "open"
    runs = api_client.get("/api/v1/reconciliation-runs/").json()["results"]
    assert runs[0]["groups_checked"] == 1 and runs[0]["drift_new"] == 1


def test_the_customers_page_shows_its_open_drift(client, world, built, platforms):
    platforms.akixi.scope["alpha.reports"] = {"any_partition": True, "partition_ids": []}
    reconcile()
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.get(built.get_absolute_url())
    assert b'data-testid="group-drift"' in page.content and b"breaks a rule" in page.content
    assert b"K4" not in page.content, "a partner page never shows a rule id"
    client.force_login(world.user(Role.COORDINATOR))
    staff_page = client.get(built.get_absolute_url()).content.decode()
    assert 'aria-label="About the rule: K4"' in staff_page, "staff may open the rule's help"


def test_repair_runs_the_steps_that_restore_our_record_and_the_next_run_resolves_the_drift(
    client, world, built, platforms, django_capture_on_commit_callbacks
):
    bw = platforms.broadworks
    bw.group_numbers_["AlphaWidgets"].remove("+442079460002")  # missing: pool + assign
    bw.group_numbers_["AlphaWidgets"].append("+442079460009")  # extra: unassign
    bw.add_admin_by_hand("AlphaWidgets", "eve@hostedcomm.com")  # extra: remove
    bw.delete_group_admin("ada.lovelace@hostedcomm.com")  # missing: made again, new password
    platforms.akixi.scope["alpha.reports"] = {"any_partition": True, "partition_ids": []}  # K4
    reconcile()
    assert Drift.objects.filter(group=built, resolved_at__isnull=True).count() == 3
    client.force_login(world.user(Role.COORDINATOR))
    url = reverse("reconciliation:group_repair", args=[built.pk])
    confirm = client.get(url)
    assert b"Confirm the repair" in confirm.content and b"restrict_akixi_users" in confirm.content
    assert not ServiceBuild.objects.filter(group=built, kind=BuildKind.CHANGE).exists(), "a GET changes nothing"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"confirm": "1"})
    change = ServiceBuild.objects.get(group=built, kind=BuildKind.CHANGE)
    assert [s.name for s in change.steps.order_by("position")] == [
        "pool_numbers",
        "assign_numbers",
        "unassign_numbers",
        "admins",
        "remove_admins",
        "restrict_akixi_users",
    ]
    assert change.details["change"] == "repair" and change.details["numbers"] == ["+442079460009"]
    assert change.details["admins"] == ["eve@hostedcomm.com"]
    password = bw.admins["ada.lovelace@hostedcomm.com"]
    assert done.status_code == 200 and password.encode() in done.content, "the new password, shown once"
    change.refresh_from_db()
    assert change.status == "succeeded", list(change.steps.values_list("name", "last_error"))
    assert Drift.objects.filter(group=built, repair=change).count() == 3
    run = reconcile()
    assert run.drift_resolved == 3 and not Drift.objects.filter(resolved_at__isnull=True).exists()


def test_C2_drift_that_repair_cannot_fix_says_what_a_person_must_do(client, world, built, platforms):
    platforms.callcabinet.records["AlphaWidgets"]["customer_type"] = "Standard"
    reconcile()
    drift = Drift.objects.get(group=built)
    client.force_login(world.user(Role.COORDINATOR))
    page = client.get(drift.get_absolute_url())
    assert b"Add New Essential Customer" in page.content
    assert reverse("reconciliation:group_repair", args=[built.pk]).encode() not in page.content, "no repair offered"
    refused = client.post(reverse("reconciliation:group_repair", args=[built.pk]), {"confirm": "1"}, follow=True)
    assert b"Add New Essential Customer" in refused.content
    assert not ServiceBuild.objects.filter(group=built, kind=BuildKind.CHANGE).exists()


def test_repair_is_refused_to_roles_that_do_not_change_customers(client, world, built, platforms):
    platforms.broadworks.group_numbers_["AlphaWidgets"].remove("+442079460002")
    reconcile()
    from django.core.exceptions import PermissionDenied

    from reconciliation.services import drift_repair

    with pytest.raises(PermissionDenied):
        drift_repair(by=world.user(Role.MANAGER), group=built)
    client.force_login(world.user(Role.TRAINER))
    assert client.post(reverse("reconciliation:group_repair", args=[built.pk])).status_code == 403
    assert not ServiceBuild.objects.filter(group=built, kind=BuildKind.CHANGE).exists()


def test_B1_the_api_repair_queues_one_change(api_client, world, built, platforms):
    platforms.broadworks.clid["AlphaWidgets"] = {"number": "+442079460002", "present_as_caller_id": False}
    reconcile()
    drift = Drift.objects.get(group=built)
    api_client.force_authenticate(world.user(Role.PARTNER_USER))
    response = api_client.post(f"/api/v1/drift/{drift.pk}/repair/")
    assert response.status_code == 201, response.content
    assert response.json()["change"]["summary"].startswith("Repair drift: Business profile number")
    change = ServiceBuild.objects.get(group=built, kind=BuildKind.CHANGE)
    assert list(change.steps.values_list("name", flat=True)) == ["business_profile"]
    assert api_client.post(f"/api/v1/drift/{drift.pk}/repair/").status_code == 409, "one change at a time"


def test_C5_another_call_cabinet_administrator_is_repaired_by_the_change_of_administrator(
    api_client, world, built, platforms, django_capture_on_commit_callbacks
):
    platforms.callcabinet.records["AlphaWidgets"]["admin_email"] = "someone@else.invalid"  # changed by hand
    reconcile()
    drift = Drift.objects.get(group=built)
    api_client.force_authenticate(world.user(Role.COORDINATOR))
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/api/v1/drift/{drift.pk}/repair/")
    assert response.status_code == 201, response.content
    change = ServiceBuild.objects.get(group=built, kind=BuildKind.CHANGE)
    assert list(change.steps.values_list("name", flat=True)) == ["callcabinet_admin"]
    change.refresh_from_db()
    assert change.status == "succeeded", change.last_error
    assert platforms.callcabinet.records["AlphaWidgets"]["admin_email"] == "ada@alpha.invalid"
    assert reconcile().drift_resolved == 1
