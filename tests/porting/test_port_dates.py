"""Port dates (#18): the date the partner asks for (P4), the carrier's confirmed date at acceptance
beside the rule's, a co-ordinator's later change of it (the losing provider's 48 hours follow it,
P7), and every change kept with who and why."""

from datetime import date, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from accounts.choices import Role
from accounts.models import AuditEvent
from expoe_portal.transitions import TransitionRefused
from porting import dates, services
from porting.calendar import UK
from porting.choices import PortStatus
from porting.forms import initial_for
from porting.models import PortDateChange, PortRequest

from .walk import new_draft, port_in_state, run

pytestmark = pytest.mark.django_db

# Fri 11 Dec 2026: 22 working days (GB analogue) in England reach Fri 15 Jan 2027.
TODAY = datetime(2026, 12, 11, 10, 0, tzinfo=UK)
EARLIEST = date(2027, 1, 15)


def changes(port_request):
    return list(
        PortDateChange.objects.filter(port_request=port_request)
        .order_by("id")
        .values_list("field", "old", "new", "by__username")
    )


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("asked", "message"),
    [
        (date(2027, 1, 14), "Too early: the lead time allows Fri 15 Jan 2027 at the earliest"),
        (date(2027, 1, 16), "Sat 16 Jan 2027 is a weekend day; choose a working day."),
        (date(2027, 3, 26), "Fri 26 Mar 2027 is a public holiday in GB/ENG (Good Friday); choose a working day."),
        ("2027-13-01", "Enter a date as YYYY-MM-DD."),
    ],
)
def test_P4_requested_date_is_a_working_day_no_earlier_than_the_lead_time_from_today(world, asked, message):
    with pytest.raises(ValidationError) as exc:
        new_draft(world, requested_port_date=asked)
    assert exc.value.message_dict["requested_port_date"][0].startswith(message)
    assert not PortRequest.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_P4_requested_date_and_its_changes_before_submission_are_kept_with_who(world):
    draft = new_draft(world, requested_port_date=EARLIEST)
    assert draft.requested_port_date == EARLIEST
    partner_user = world.user(Role.PARTNER_USER)
    services.port_request_update(by=partner_user, port_request=draft, data={"requested_port_date": "2027-01-20"})
    services.port_request_update(by=partner_user, port_request=draft, data={"requested_port_date": "2027-01-20"})
    assert changes(draft) == [
        ("requested", None, EARLIEST, partner_user.username),
        ("requested", EARLIEST, date(2027, 1, 20), partner_user.username),
    ], "an unchanged date is not a change"
    # The nation's holidays count: St Andrew's Day is a bank holiday in Scotland, not in England.
    services.port_request_update(by=partner_user, port_request=draft, data={"requested_port_date": "2027-11-30"})
    with pytest.raises(ValidationError) as exc:
        services.port_request_update(by=partner_user, port_request=draft, data={"region": "SCT"})
    assert "public holiday in GB/SCT" in exc.value.message_dict["requested_port_date"][0]


def test_P4_submission_refuses_a_requested_date_the_lead_time_has_overtaken(world):
    with time_machine.travel(TODAY, tick=False):
        draft = new_draft(world, signed_loa=True, requested_port_date=EARLIEST)
    later = time_machine.travel(datetime(2026, 12, 21, 10, 0, tzinfo=UK), tick=False)
    with later, pytest.raises(ValidationError) as exc:
        run(world, draft, "submit", Role.PARTNER_USER)
    assert "Too early" in exc.value.message_dict["requested_port_date"][0]
    assert PortRequest.objects.get(pk=draft.pk).status == PortStatus.DRAFT


def _submitted(world, **overrides):
    with time_machine.travel(TODAY, tick=False):
        return port_in_state(world, PortStatus.SUBMITTED, requested_port_date=EARLIEST, **overrides)


@time_machine.travel(datetime(2026, 12, 14, 10, 0, tzinfo=UK), tick=False)
def test_P4_the_carriers_confirmed_date_is_the_port_date_and_the_rules_date_is_kept(world):
    submitted = _submitted(world)
    coordinator = world.user(Role.COORDINATOR)
    accepted = services.port_request_accept(
        by=coordinator, port_request=submitted, confirmed_port_date=date(2027, 1, 20)
    )
    assert accepted.port_date == date(2027, 1, 20)
    assert accepted.rule_port_date == date(2027, 1, 18), "Mon 14 Dec + 22 working days"
    assert accepted.requested_port_date == EARLIEST
    assert accepted.slippage_working_days == 3, "Mon 18, Tue 19, Wed 20 Jan after Fri 15 Jan"
    assert changes(accepted)[-1] == ("confirmed", None, date(2027, 1, 20), coordinator.username)


@time_machine.travel(datetime(2026, 12, 14, 10, 0, tzinfo=UK), tick=False)
def test_P4_without_a_confirmed_date_the_rules_date_stands(world):
    accepted = services.port_request_accept(by=world.user(Role.COORDINATOR), port_request=_submitted(world))
    assert accepted.port_date == accepted.rule_port_date == date(2027, 1, 18)
    assert accepted.slippage_working_days == 1
    assert PortDateChange.objects.get(port_request=accepted, field="confirmed").reason.startswith("The lead-time")


@time_machine.travel(datetime(2026, 12, 14, 10, 0, tzinfo=UK), tick=False)
@pytest.mark.parametrize(
    ("confirmed", "message"),
    [
        (date(2026, 12, 11), "This cannot be before the acceptance (14 Dec 2026)."),
        (date(2026, 12, 25), "Fri 25 Dec 2026 is a public holiday in GB/ENG (Christmas Day)"),
        (date(2027, 1, 17), "Sun 17 Jan 2027 is a weekend day"),
    ],
)
def test_P4_a_confirmed_date_is_a_working_day_not_before_the_acceptance(world, confirmed, message):
    submitted = _submitted(world)
    with pytest.raises(ValidationError) as exc:
        services.port_request_accept(
            by=world.user(Role.COORDINATOR), port_request=submitted, confirmed_port_date=confirmed
        )
    assert exc.value.message_dict["confirmed_port_date"][0].startswith(message)
    assert PortRequest.objects.get(pk=submitted.pk).status == PortStatus.SUBMITTED


def _accepted(world):
    with time_machine.travel(datetime(2026, 12, 14, 10, 0, tzinfo=UK), tick=False):
        return services.port_request_accept(by=world.user(Role.COORDINATOR), port_request=_submitted(world))


def test_P4_coordinators_change_the_confirmed_date_with_a_reason_and_it_is_kept(world):
    accepted = _accepted(world)
    coordinator = world.user(Role.COORDINATOR)
    with time_machine.travel(datetime(2026, 12, 16, 10, 0, tzinfo=UK), tick=False):
        for who, error in [(Role.PARTNER_USER, PermissionDenied), ("partner_b_user", PermissionDenied)]:
            with pytest.raises(error):
                dates.port_date_change(by=world.user(who), port_request=accepted, port_date="2027-01-25", reason="x")
        with pytest.raises(ValidationError) as exc:
            dates.port_date_change(by=coordinator, port_request=accepted, port_date="2027-01-25", reason=" ")
        assert "reason" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            dates.port_date_change(by=coordinator, port_request=accepted, port_date="2026-12-15", reason="x")
        assert exc.value.message_dict["port_date"] == ["This cannot be before today (16 Dec 2026)."]
        moved = dates.port_date_change(
            by=coordinator, port_request=accepted, port_date="2027-01-25", reason="Carrier's engineer unavailable"
        )
    assert moved.port_date == date(2027, 1, 25) and moved.rule_port_date == date(2027, 1, 18)
    assert moved.slippage_working_days == 6
    assert changes(moved)[-1] == ("confirmed", date(2027, 1, 18), date(2027, 1, 25), coordinator.username)
    assert PortDateChange.objects.filter(port_request=moved).last().reason == "Carrier's engineer unavailable"
    assert AuditEvent.objects.filter(action="port_request.port_date_changed", target_id=str(moved.pk)).exists()

    with time_machine.travel(datetime(2026, 12, 17, 10, 0, tzinfo=UK), tick=False):
        completed = run(world, moved, "complete")
    with pytest.raises(TransitionRefused):
        dates.port_date_change(by=coordinator, port_request=completed, port_date="2027-02-01", reason="x")


def test_P7_the_losing_providers_48_hours_count_from_the_changed_port_date(world):
    accepted = _accepted(world)  # port date Mon 18 Jan 2027: cancellable until 00:00 Sat 16 Jan
    late = datetime(2027, 1, 16, 9, 0, tzinfo=UK)
    with time_machine.travel(datetime(2027, 1, 16, 10, 0, tzinfo=UK), tick=False):
        with pytest.raises(ValidationError):
            services.port_request_cancel_by_losing_provider(
                by=world.user(Role.COORDINATOR), port_request=accepted, reason="Disputed", at=late
            )
        dates.port_date_change(
            by=world.user(Role.COORDINATOR), port_request=accepted, port_date="2027-01-25", reason="Carrier moved it"
        )
        done = services.port_request_cancel_by_losing_provider(
            by=world.user(Role.COORDINATOR), port_request=accepted, reason="Disputed", at=late
        )
    assert done.status == PortStatus.DRAFT and done.port_date is None
    assert changes(done)[-1] == ("confirmed", date(2027, 1, 25), None, world.user(Role.COORDINATOR).username)


# --- Pages and API --------------------------------------------------------------------------------


def test_P4_pages_ask_for_a_date_show_refusals_beside_it_and_keep_the_history(client, world):
    with time_machine.travel(TODAY, tick=False):
        client.force_login(world.user(Role.PARTNER_USER))
        draft = new_draft(world, signed_loa=True)
        form = {k: v for k, v in initial_for(draft).items() if v not in (None, False)}
        form["requested_port_date"] = "2027-01-14"
        page = client.post(reverse("porting:edit", args=[draft.pk]), form)
        assert page.status_code == 200
        assert "Fri 15 Jan 2027 at the earliest" in page.context["form"].errors["requested_port_date"][0]
        assert (
            client.post(reverse("porting:edit", args=[draft.pk]), {**form, "requested_port_date": "2027-01-15"})[
                "Location"
            ]
            == draft.get_absolute_url()
        )
        run(world, draft, "submit", Role.PARTNER_USER)
    with time_machine.travel(datetime(2026, 12, 14, 10, 0, tzinfo=UK), tick=False):
        client.force_login(world.user(Role.COORDINATOR))
        refused = client.post(
            reverse("porting:transition", args=[draft.pk, "accept"]),
            {"accept-expected_status": "submitted", "accept-confirmed_port_date": "2027-01-16"},
        )
        assert refused.status_code == 400
        assert b"Sat 16 Jan 2027 is a weekend day" in refused.content
        client.post(
            reverse("porting:transition", args=[draft.pk, "accept"]),
            {"accept-expected_status": "submitted", "accept-confirmed_port_date": "2027-01-19"},
        )
        bad = client.post(reverse("porting:date_change", args=[draft.pk]), {"port_date": "2027-01-23", "reason": "x"})
        assert bad.status_code == 400 and b"Sat 23 Jan 2027 is a weekend day" in bad.content
        client.post(reverse("porting:date_change", args=[draft.pk]), {"port_date": "2027-01-22", "reason": "Moved"})
    assert PortRequest.objects.get(pk=draft.pk).port_date == date(2027, 1, 22)
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Requested: 15 Jan 2027; confirmed 5 working days later." in page
    assert "The carrier confirmed a date other than the rule" in page
    assert "Confirmed date set to 22 Jan 2027" in page and "Was 19 Jan 2027. Moved" in page
    assert "Change the port date" not in page, "partner users do not change a confirmed date"
    assert (
        client.post(
            reverse("porting:date_change", args=[draft.pk]), {"port_date": "2027-01-25", "reason": "x"}
        ).status_code
        == 403
    )


def test_P4_api_requested_date_confirmed_date_and_date_changes(client, world):
    with time_machine.travel(TODAY, tick=False):
        client.force_login(world.user(Role.PARTNER_USER))
        draft = new_draft(world, signed_loa=True)
        url = f"/api/v1/port-requests/{draft.pk}/"
        refused = client.patch(url, {"requested_port_date": "2027-01-14"}, content_type="application/json")
        assert refused.status_code == 400
        assert "requested_port_date" in str(refused.json())
        ok = client.patch(url, {"requested_port_date": "2027-01-15"}, content_type="application/json")
        assert ok.status_code == 200 and ok.json()["requested_port_date"] == "2027-01-15"
        run(world, draft, "submit", Role.PARTNER_USER)
    with time_machine.travel(datetime(2026, 12, 14, 10, 0, tzinfo=UK), tick=False):
        client.force_login(world.user(Role.COORDINATOR))
        accepted = client.post(
            f"{url}transitions/accept/", {"confirmed_port_date": "2027-01-19"}, content_type="application/json"
        ).json()
        assert (accepted["port_date"], accepted["rule_port_date"], accepted["slippage_working_days"]) == (
            "2027-01-19",
            "2027-01-18",
            2,
        )
        bad = client.post(f"{url}port-date/", {"port_date": "2027-01-23"}, content_type="application/json")
        assert bad.status_code == 400 and "reason" in str(bad.json())
        moved = client.post(
            f"{url}port-date/", {"port_date": "2027-01-22", "reason": "Moved"}, content_type="application/json"
        )
    assert moved.status_code == 200
    assert [(c["field"], c["old"], c["new"], c["reason"]) for c in moved.json()["date_changes"]] == [
        ("requested", None, "2027-01-15", "Changed while the request was draft."),
        ("confirmed", None, "2027-01-19", "Confirmed by the carrier at acceptance."),
        ("confirmed", "2027-01-19", "2027-01-22", "Moved"),
    ]
    client.force_login(world.user(Role.PARTNER_USER))
    refused = client.post(
        f"{url}port-date/", {"port_date": "2027-01-25", "reason": "x"}, content_type="application/json"
    )
    assert refused.status_code == 403


# --- The lead-time dashboard: requested against confirmed ------------------------------------------


def _slipped(world, provider, country, *slippages):
    PortRequest.objects.bulk_create(
        PortRequest(
            partner=world.partner_a,
            country=country,
            losing_provider=provider,
            status=PortStatus.ACCEPTED,
            requested_port_date=date(2027, 1, 15),
            port_date=date(2027, 1, 15),
            slippage_working_days=n,
        )
        for n in slippages
    )


def test_P4_dashboard_shows_requested_against_confirmed_per_provider_and_country(client, world):
    from porting.dashboard import breakdown, port_dashboard

    from .test_port_dashboard import DASHBOARD_QUERIES, _dashboard_queries

    client.force_login(world.user(Role.MANAGER))
    _slipped(world, "BT", "GB", 0, 3, 7)
    _slipped(world, "Sky", "GB", -1)
    _slipped(world, "Telekom", "DE", 2, 4)
    port_in_state(world, PortStatus.SUBMITTED)  # no confirmed date yet: not counted
    data = port_dashboard(PortRequest.objects.all())
    totals = data["totals"]
    assert (totals["slipped_count"], totals["avg_slippage"]) == (6, pytest.approx(15 / 6))
    assert [n for _, n in data["slippage_bands"]] == [1, 1, 3, 1]
    providers = {row["losing_provider"]: row for row in data["by_losing_provider"]}
    assert (providers["BT"]["slipped_count"], providers["BT"]["avg_slippage"]) == (3, pytest.approx(10 / 3))
    assert [providers["BT"][f"slippage_{b}"] for b in ("earlier", "as_asked", "up_to_5", "over_5")] == [0, 1, 1, 1]
    assert providers["Sky"]["slippage_earlier"] == 1
    countries = {row["country"]: row for row in data["by_country"]}
    assert (countries["DE"]["slipped_count"], countries["DE"]["avg_slippage"]) == (2, pytest.approx(3))
    if connection.vendor == "postgresql":
        from porting.dashboard import breakdowns_in_one_pass

        one_pass = breakdowns_in_one_pass(PortRequest.objects.all())
        assert one_pass == (
            breakdown(PortRequest.objects.all(), "losing_provider"),
            breakdown(PortRequest.objects.all(), "country"),
        )

    assert _dashboard_queries(client) == DASHBOARD_QUERIES, "the slippage adds no query"
    page = client.get(reverse("porting:dashboard")).content.decode()
    assert 'data-testid="avg-slippage">2.5<' in page
    assert "More than 5 working days later: <strong>1</strong>" in page
    assert 'data-testid="slippage-by-country"' in page


@time_machine.travel(TODAY, tick=False)
def test_P4_api_clears_a_requested_date_with_null_and_the_history_keeps_it(client, world):
    client.force_login(world.user(Role.PARTNER_USER))
    draft = new_draft(world, requested_port_date=EARLIEST)
    url = f"/api/v1/port-requests/{draft.pk}/"
    cleared = client.patch(url, {"requested_port_date": None}, content_type="application/json")
    assert cleared.status_code == 200 and cleared.json()["requested_port_date"] is None
    assert changes(draft)[-1] == ("requested", EARLIEST, None, world.user(Role.PARTNER_USER).username)
