"""Nightly reconciliation (#15): our records of every built customer against each platform,
read-only; differences recorded as drift with what each side says, one open row per aspect."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from customers.models import CustomerGroup
from reconciliation.checks import READS, ReadOnly
from reconciliation.models import Drift, ReconciliationRun
from reconciliation.services import reconcile
from tests.customers.build_request_data import stock_pool

from .fake_platforms import WRITES

pytestmark = pytest.mark.django_db


def open_drift(group):
    return {d.aspect: d for d in Drift.objects.filter(group=group, resolved_at__isnull=True)}


def test_a_customer_as_built_has_no_drift_and_nothing_is_written_to_any_platform(built, platforms):
    platforms.calls.clear()
    run = reconcile()
    assert (run.groups_checked, run.drift_new, run.error_count, run.not_checked) == (1, 0, 0, {})
    assert not Drift.objects.exists()
    assert platforms.calls, "the platforms were read"
    assert not set(platforms.calls) & WRITES


def test_reads_only_a_write_cannot_even_be_reached(platforms):
    gateway = ReadOnly(platforms.broadworks, "broadworks")
    assert gateway.group_exists("ACME01", "X") is False
    with pytest.raises(AttributeError, match="only reads"):
        gateway.assign_numbers("ACME01", "X", ["+442079460009"])
    assert not READS["broadworks"] & WRITES and not READS["akixi"] & WRITES and not READS["callcabinet"] & WRITES


def test_N1_a_number_removed_from_the_group_on_broadworks_is_drift_with_both_sides(built, platforms):
    platforms.broadworks.group_numbers_["AlphaWidgets"].remove("+442079460002")
    reconcile()
    drift = open_drift(built)["bw_numbers"]
    assert drift.platform == "broadworks" and drift.rule == ""
    assert drift.ours == ["+442079460000", "+442079460001", "+442079460002"]
    assert drift.theirs == ["+442079460000", "+442079460001"]


def test_A1_an_admin_added_on_broadworks_and_the_clid_and_voice_portal_changed_are_each_drift(built, platforms):
    bw = platforms.broadworks
    bw.add_admin_by_hand("AlphaWidgets", "eve@hostedcomm.com")
    bw.clid["AlphaWidgets"] = {"number": "+442079460002", "present_as_caller_id": False}
    bw.portal["AlphaWidgets"] = (None, "8000", False)
    reconcile()
    found = open_drift(built)
    assert set(found) == {"bw_admins", "bw_clid", "bw_voice_portal"}
    assert found["bw_admins"].theirs == sorted(["ada.lovelace@hostedcomm.com", "eve@hostedcomm.com"])
    assert found["bw_clid"].theirs["number"] == "+442079460002"
    assert found["bw_voice_portal"].theirs == {"active": True, "number": None, "extension": "8000"}


def test_K4_an_akixi_user_widened_to_any_partition_is_rule_breaking_drift(built, platforms):
    platforms.akixi.scope["alpha.reports"] = {"any_partition": True, "partition_ids": []}
    reconcile()
    drift = open_drift(built)["akixi_user_scope"]
    assert drift.rule == "K4" and drift.platform == "akixi"
    assert drift.theirs["alpha.reports"]["any_partition"] is True
    assert drift.ours["alpha.reports"] == {"any_partition": False, "partition_ids": ["P-AlphaWidgets"]}


def test_C2_a_call_cabinet_customer_that_is_not_essential_is_rule_breaking_drift(built, platforms):
    platforms.callcabinet.records["AlphaWidgets"]["customer_type"] = "Standard"
    reconcile()
    drift = open_drift(built)["callcabinet_type"]
    assert (drift.rule, drift.ours, drift.theirs) == ("C2", "Essential", "Standard")


def test_K2_a_missing_partition_is_drift_and_its_users_are_not_compared_until_it_is_back(built, platforms):
    platforms.akixi.partitions.pop("AlphaWidgets")
    reconcile()
    found = open_drift(built)
    assert set(found) == {"akixi_partition"} and found["akixi_partition"].theirs is None


def test_one_open_row_per_aspect_updated_by_later_runs_and_resolved_when_equal_again(built, platforms):
    numbers = platforms.broadworks.group_numbers_["AlphaWidgets"]
    numbers.remove("+442079460002")
    first = reconcile()
    numbers.remove("+442079460001")
    second = reconcile()
    drift = Drift.objects.get(group=built)
    assert (first.drift_new, second.drift_new, second.drift_still) == (1, 0, 1)
    assert drift.theirs == ["+442079460000"] and drift.last_run == second
    assert drift.first_seen_at == first.started_at and drift.last_seen_at == second.started_at
    numbers.extend(["+442079460001", "+442079460002"])
    third = reconcile()
    drift.refresh_from_db()
    assert third.drift_resolved == 1 and drift.resolved_at is not None
    numbers.remove("+442079460002")
    reconcile()
    assert Drift.objects.filter(group=built).count() == 2, "drift that comes back is a new row"


def test_platforms_the_customer_does_not_use_are_not_asked(world, platforms, django_capture_on_commit_callbacks, built):
    CustomerGroup.objects.filter(pk=built.pk).update(akixi_licence="", callcabinet_admin_email="")
    platforms.akixi.scope["alpha.reports"] = {"any_partition": True, "partition_ids": []}
    platforms.calls.clear()
    reconcile()
    assert not {"find_partition", "customer"} & set(platforms.calls)
    assert not Drift.objects.exists()


def test_a_failed_read_is_not_checked_with_its_reason_and_the_run_goes_on(built, platforms):
    from integrations.base import TransientError

    platforms.broadworks.group_numbers_["AlphaWidgets"].remove("+442079460002")
    reconcile()
    platforms.faults.fail("customer", TransientError("Call Cabinet is unavailable"))
    platforms.faults.fail("group_exists", TransientError("connection reset"))
    run = reconcile()
    assert run.error_count == 2 and run.not_checked == {"broadworks": 1, "callcabinet": 1}
    assert {e["platform"]: e["error"] for e in run.errors} == {
        "broadworks": "TransientError: connection reset",
        "callcabinet": "TransientError: Call Cabinet is unavailable",
    }
    drift = Drift.objects.get(group=built)
    assert drift.resolved_at is None and drift.last_run != run, "what was open stays open, untouched"


def test_decommissioned_and_unbuilt_customers_are_not_reconciled_and_their_drift_resolves(built, platforms):
    platforms.broadworks.group_numbers_["AlphaWidgets"].remove("+442079460002")
    reconcile()
    CustomerGroup.objects.filter(pk=built.pk).update(decommissioned_at=timezone.now())
    run = reconcile()
    assert run.groups_checked == 0 and run.drift_resolved == 1
    assert not Drift.objects.filter(resolved_at__isnull=True).exists()


def test_the_command_reconciles_one_partner_and_prints_a_summary(built, platforms, capsys, world):
    platforms.broadworks.group_numbers_["AlphaWidgets"].remove("+442079460002")
    call_command("reconcile", "--partner", "BETA02")
    assert "0 customers checked (partner BETA02)" in capsys.readouterr().out
    call_command("reconcile", "--partner", "ACME01")
    out = capsys.readouterr().out
    assert "1 customer checked (partner ACME01): 1 new drift" in out
    assert ReconciliationRun.objects.filter(trigger="command").count() == 2


def test_the_nightly_run_is_scheduled_on_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reconcile-nightly"]
    assert entry["task"] == "reconciliation.tasks.reconcile_nightly"
    assert entry["schedule"].hour == {2}


def test_reading_our_side_takes_the_same_queries_for_two_customers_as_for_five(
    world, platforms, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .conftest import build_customer

    stock_pool(world, count=10)
    counts = []
    for i in range(5):
        numbers = [f"+44207946{2 * i:04d}", f"+44207946{2 * i + 1:04d}"]
        build_customer(
            world,
            django_capture_on_commit_callbacks,
            group_id=f"Cust{i}",
            name=f"Customer {i}",
            numbers=numbers,
            business_profile_number=numbers[0],
            voice_portal__number=numbers[1],
            admins__0__user_id=f"admin{i}@hostedcomm.com",
            akixi__users__0__username=f"cust{i}.reports",
        )
        if i in (1, 4):
            with CaptureQueriesContext(connection) as queries:
                run = reconcile()
            assert run.groups_checked == i + 1 and run.drift_new == 0
            counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_platform_in_manual_mode_is_not_checked_and_not_asked_again_in_the_run(
    world, platforms, django_capture_on_commit_callbacks, built
):
    from integrations.manual import NotCheckedInManualMode

    from .conftest import build_customer

    build_customer(
        world,
        django_capture_on_commit_callbacks,
        group_id="Second",
        numbers=["+442079460005"],
        business_profile_number="+442079460005",
        voice_portal__number="+442079460005",
        admins__0__user_id="second@hostedcomm.com",
        akixi__users__0__username="second.reports",
    )
    platforms.faults.fail("customer", NotCheckedInManualMode("callcabinet", "the customer"))
    platforms.calls.clear()
    run = reconcile()
    assert run.not_checked == {"callcabinet": 2} and run.error_count == 0
    assert "customer" not in platforms.calls, "in manual mode after the first customer: not asked again"
