"""Drift pages and API (#15): staff see every partner's drift with filters; a partner user sees only
their own customers' (another partner's row is a 404); the customer's page shows its open drift;
repair is a POST after a confirmation page, one change of the customer on the build engine."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from customers import changes as customer_changes
from customers.choices import BuildKind
from customers.models import CustomerGroup, ServiceBuild
from reconciliation.models import Drift
from reconciliation.services import reconcile

pytestmark = pytest.mark.django_db


@pytest.fixture
def repairs(monkeypatch):
    """customers.changes.change_repair as the lead specified it (main will have it): here it records
    what it was asked and returns a queued change, so the mapping from drift to steps is tested alone."""
    asked = []

    def change_repair(*, by, group, steps, summary, details=None, new_admin_passwords=()):
        asked.append({"steps": list(steps), "details": details, "passwords": list(new_admin_passwords)})
        change = ServiceBuild.objects.create(
            group=group, kind=BuildKind.CHANGE, summary=summary, details={"change": "repair", **(details or {})}
        )
        change.generated_passwords = dict.fromkeys(new_admin_passwords, "new-Secret-1")
        return change

    if not hasattr(customer_changes, "change_repair"):
        monkeypatch.setattr(customer_changes, "change_repair", change_repair, raising=False)
    return asked


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
    assert b'data-testid="group-drift"' in page.content and b"breaks K4" in page.content


def test_repair_maps_each_drift_to_the_steps_that_restore_our_record(client, world, built, platforms, repairs):
    bw = platforms.broadworks
    bw.group_numbers_["AlphaWidgets"].remove("+442079460002")  # missing: pool + assign
    bw.group_numbers_["AlphaWidgets"].append("+442079460009")  # extra: unassign
    bw.admins_of["AlphaWidgets"] = [{"user_id": "eve@hostedcomm.com", "first_name": "E", "last_name": "V"}]
    platforms.akixi.scope["alpha.reports"] = {"any_partition": True, "partition_ids": []}
    reconcile()
    client.force_login(world.user(Role.COORDINATOR))
    url = reverse("reconciliation:group_repair", args=[built.pk])
    confirm = client.get(url)
    assert b"Confirm the repair" in confirm.content and b"restrict_akixi_users" in confirm.content
    assert not repairs, "the GET only shows what it will do"
    done = client.post(url, {"confirm": "1"})
    assert done.status_code == 200 and b"new-Secret-1" in done.content, "new admin passwords shown once"
    [asked] = repairs
    assert asked["steps"] == [
        "pool_numbers",
        "assign_numbers",
        "unassign_numbers",
        "admins",
        "remove_admins",
        "restrict_akixi_users",
    ]
    assert asked["details"]["numbers"] == ["+442079460009"]
    assert asked["details"]["admins"] == ["eve@hostedcomm.com"]
    assert asked["passwords"] == ["ada.lovelace@hostedcomm.com"]
    assert Drift.objects.filter(group=built, repair__isnull=False).count() == 3


def test_C2_drift_that_repair_cannot_fix_says_what_a_person_must_do(client, world, built, platforms, repairs):
    platforms.callcabinet.records["AlphaWidgets"]["customer_type"] = "Standard"
    reconcile()
    drift = Drift.objects.get(group=built)
    client.force_login(world.user(Role.COORDINATOR))
    page = client.get(drift.get_absolute_url())
    assert b"Add New Essential Customer" in page.content
    assert reverse("reconciliation:group_repair", args=[built.pk]).encode() not in page.content, "no repair offered"
    refused = client.post(reverse("reconciliation:group_repair", args=[built.pk]), {"confirm": "1"}, follow=True)
    assert b"Add New Essential Customer" in refused.content and not repairs


def test_repair_is_refused_to_roles_that_do_not_change_customers(client, world, built, platforms, repairs):
    platforms.broadworks.group_numbers_["AlphaWidgets"].remove("+442079460002")
    reconcile()
    from django.core.exceptions import PermissionDenied

    from reconciliation.services import drift_repair

    with pytest.raises(PermissionDenied):
        drift_repair(by=world.user(Role.MANAGER), group=built)
    client.force_login(world.user(Role.TRAINER))
    assert client.post(reverse("reconciliation:group_repair", args=[built.pk])).status_code == 403
    assert not repairs


def test_the_api_repair_queues_one_change(api_client, world, built, platforms, repairs):
    platforms.broadworks.clid["AlphaWidgets"] = {"number": "+442079460002", "present_as_caller_id": False}
    reconcile()
    drift = Drift.objects.get(group=built)
    api_client.force_authenticate(world.user(Role.PARTNER_USER))
    response = api_client.post(f"/api/v1/drift/{drift.pk}/repair/")
    assert response.status_code == 201, response.content
    assert response.json()["change"]["summary"].startswith("Repair drift: Business profile number")
    assert repairs[0]["steps"] == ["business_profile"]
