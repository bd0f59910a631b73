"""Port request use cases through the services: P3 (what submission needs), P4 (port date), P5
(rejection and resubmission), P7 (risks, losing provider's cancellation), N1 (completion)."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.choices import Role
from customers.models import CustomerGroup
from expoe_portal.transitions import TransitionConflict, TransitionRefused
from number_pool.choices import NumberStatus
from number_pool.models import Number
from porting import services
from porting.calendar import UK
from porting.choices import PortStatus
from porting.models import LeadTimeRule, PortRequest

from .walk import complete_data, new_draft, port_in_state, run, sign_loa

pytestmark = pytest.mark.django_db


def test_P3_submission_is_refused_naming_each_missing_field(world):
    draft = services.port_request_create(
        by=world.user(Role.PARTNER_USER),
        partner=world.partner_a,
        data={"country": "GB", "numbers": "0113 496 0001", "registered_address": "1 High Street, Leeds"},
    )
    with pytest.raises(ValidationError) as exc:
        services.port_request_submit(by=world.user(Role.PARTNER_USER), port_request=draft)
    errors = exc.value.message_dict
    assert set(errors) == {
        "region",
        "main_billing_number",
        "registered_address",
        "losing_provider",
        "range_holder",
        "number_type",
        "letter_of_authority",
        "risks_acknowledged",
        "__all__",
    }
    assert errors["registered_address"] == ["Registered address: add the postcode of the address (P3)."]
    assert errors["range_holder"] == ["Range holder is required before submission (P3)."]
    summary = errors["__all__"][0]
    labels = ("main billing number", "losing service provider", "range holder", "a signed letter of authority")
    for label in (*labels, "risk acknowledgement"):
        assert label in summary
    assert PortRequest.objects.get(pk=draft.pk).status == PortStatus.DRAFT


def test_P6_another_country_asks_for_its_own_set(world):
    draft = new_draft(
        world,
        country="DE",
        region="",
        registered_address="Hauptstraße 1, Berlin",
        main_billing_number="+49 30 901820",
        numbers=["+49 30 901820"],
    )
    done = services.port_request_submit(by=world.user(Role.PARTNER_USER), port_request=draft)
    assert done.status == PortStatus.SUBMITTED  # no postcode check, no nation outside GB


def test_P2_numbers_must_belong_to_the_requests_country(world):
    with pytest.raises(ValidationError) as exc:
        new_draft(world, numbers=["+49 30 901820"])
    assert "Not GB numbers" in exc.value.message_dict["numbers"][0]


def test_numbers_accept_ranges_and_national_formats(world):
    draft = new_draft(world, numbers=["0113 496 0500", {"first": "0113 496 0510", "last": "0113 496 0512"}])
    assert draft.numbers == ["+441134960500", "+441134960510", "+441134960511", "+441134960512"]
    with pytest.raises(ValidationError) as exc:
        new_draft(world, numbers=["hello", {"first": "0113 496 0520", "last": "0113 496 0510"}])
    messages = exc.value.message_dict["numbers"]
    assert "Item 1 (hello)" in messages[0] and "ends" in messages[1]


def test_P7_risks_acknowledged_records_who_and_when(world):
    draft = new_draft(world, risks_acknowledged=False)
    with pytest.raises(ValidationError) as exc:
        services.port_request_submit(by=world.user(Role.PARTNER_USER), port_request=draft)
    assert "risks_acknowledged" in exc.value.message_dict
    updated = services.port_request_update(
        by=world.user(Role.PARTNER_USER), port_request=draft, data={"risks_acknowledged": True}
    )
    assert updated.risks_acknowledged_by == world.user(Role.PARTNER_USER)
    assert updated.risks_acknowledged_at is not None


@time_machine.travel(datetime(2026, 12, 11, 10, 0, tzinfo=UK), tick=False)
def test_P4_port_date_computed_at_acceptance_with_its_rule(world):
    submitted = port_in_state(world, PortStatus.SUBMITTED, region="SCT")
    accepted = services.port_request_accept(by=world.user(Role.COORDINATOR), port_request=submitted)
    # 22 working days from Fri 11 Dec 2026 in Scotland (2 January's substitute on Mon 4 Jan).
    assert accepted.accepted_on == date(2026, 12, 11)
    assert accepted.port_date == date(2027, 1, 18)
    assert accepted.lead_time_working_days == 22
    assert accepted.lead_time_rule == "GB, Analogue: 22 working days (onboarding guide)"


def test_P4_edited_rule_gives_the_port_date_and_a_house_rule_says_so(world):
    LeadTimeRule.objects.filter(country="GB", number_type="mobile").update(working_days=3)
    submitted = port_in_state(world, PortStatus.SUBMITTED, number_type="mobile")
    accepted = services.port_request_accept(
        by=world.user(Role.COORDINATOR), port_request=submitted, accepted_on=timezone.localdate()
    )
    assert accepted.lead_time_working_days == 3
    assert "house rule" in accepted.lead_time_rule


def test_P4_acceptance_cannot_be_in_the_future_or_before_the_submission(world):
    submitted = port_in_state(world, PortStatus.SUBMITTED)
    for when, fragment in [
        (timezone.localdate() + timedelta(days=1), "future"),
        (timezone.localdate() - timedelta(days=3), "before the submission"),
    ]:
        with pytest.raises(ValidationError) as exc:
            services.port_request_accept(by=world.user(Role.COORDINATOR), port_request=submitted, accepted_on=when)
        assert fragment in exc.value.message_dict["accepted_on"][0]


def test_P5_rejections_are_kept_and_resubmission_restarts_the_clock(world):
    coordinator, partner_user = world.user(Role.COORDINATOR), world.user(Role.PARTNER_USER)
    with time_machine.travel(datetime(2026, 11, 2, 9, 0, tzinfo=UK), tick=False):
        rejected = port_in_state(world, PortStatus.REJECTED)
    with time_machine.travel(datetime(2026, 11, 9, 9, 0, tzinfo=UK), tick=False):
        with pytest.raises(TransitionRefused):
            services.port_request_submit(by=partner_user, port_request=rejected)
        fixed = services.port_request_update(
            by=partner_user, port_request=rejected, data={"registered_address": "1 High Street, London EC1A 1BA"}
        )
        sign_loa(world, fixed)  # the address changed: the letter signed for the old one no longer covers it
        again = services.port_request_resubmit(by=partner_user, port_request=fixed)
        services.port_request_reject(
            by=coordinator, port_request=again, code="wrong_signatory", reason="Not a director"
        )
        again = services.port_request_resubmit(by=partner_user, port_request=again)
    with time_machine.travel(datetime(2026, 11, 12, 9, 0, tzinfo=UK), tick=False):
        accepted = services.port_request_accept(by=coordinator, port_request=again)
    assert [r.code for r in accepted.rejections.all()] == ["postcode_mismatch", "wrong_signatory"]
    assert accepted.submission_count == 3
    assert accepted.submitted_at == datetime(2026, 11, 9, 9, 0, tzinfo=UK)
    assert accepted.acceptance_days == 3  # from the latest submission, not the first
    # 22 working days from Thu 12 Nov 2026 in England.
    assert accepted.port_date == date(2026, 12, 14)


def test_P5_reject_needs_a_known_code_and_text_for_other(world):
    submitted = port_in_state(world, PortStatus.SUBMITTED)
    with pytest.raises(ValidationError) as exc:
        services.port_request_reject(by=world.user(Role.COORDINATOR), port_request=submitted, code="typo")
    assert "code" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.port_request_reject(by=world.user(Role.COORDINATOR), port_request=submitted, code="other")
    assert "reason" in exc.value.message_dict
    assert PortRequest.objects.get(pk=submitted.pk).status == PortStatus.SUBMITTED


def _accepted_with_port_date(world, port_date):
    """Accepted so that the port date is `port_date` (22 working days in England)."""
    accepted = port_in_state(world, PortStatus.ACCEPTED)
    PortRequest.objects.filter(pk=accepted.pk).update(port_date=port_date)
    return PortRequest.objects.get(pk=accepted.pk)


@pytest.mark.parametrize(
    ("at", "allowed"),
    [
        (datetime(2027, 1, 16, 23, 59, tzinfo=UK), True),  # 48 h 1 min before 00:00 on Tue 19 Jan
        (datetime(2027, 1, 17, 0, 0, tzinfo=UK), True),  # exactly 48 hours before
        (datetime(2027, 1, 17, 0, 1, tzinfo=UK), False),  # 47 h 59 min before: too late
    ],
)
def test_P7_losing_provider_cancels_only_until_48_hours_before_uk_midnight(world, at, allowed):
    with time_machine.travel(datetime(2026, 12, 14, 9, 0, tzinfo=UK), tick=False):
        accepted = _accepted_with_port_date(world, date(2027, 1, 19))
    with time_machine.travel(datetime(2027, 1, 18, 12, 0, tzinfo=UK), tick=False):
        if allowed:
            done = services.port_request_cancel_by_losing_provider(
                by=world.user(Role.COORDINATOR), port_request=accepted, reason="Customer disputed", at=at
            )
            assert done.status == PortStatus.DRAFT and done.port_date is None and done.accepted_on is None
            assert done.losing_provider_cancelled_at == at
        else:
            with pytest.raises(ValidationError) as exc:
                services.port_request_cancel_by_losing_provider(
                    by=world.user(Role.COORDINATOR), port_request=accepted, reason="Customer disputed", at=at
                )
            assert "17 Jan 2027 00:00 UK time" in exc.value.message_dict["at"][0]
            assert PortRequest.objects.get(pk=accepted.pk).status == PortStatus.ACCEPTED


def test_P7_cancellation_window_uses_real_hours_across_the_clock_change(world):
    """Port date Tue 30 Mar 2027 (BST): the deadline is 23:00 GMT on Sat 27 Mar, not 00:00 on the 28th."""
    with time_machine.travel(datetime(2027, 3, 1, 9, 0, tzinfo=UK), tick=False):
        accepted = _accepted_with_port_date(world, date(2027, 3, 30))
    with time_machine.travel(datetime(2027, 3, 29, 9, 0, tzinfo=UK), tick=False):
        with pytest.raises(ValidationError):
            services.port_request_cancel_by_losing_provider(
                by=world.user(Role.COORDINATOR),
                port_request=accepted,
                reason="late",
                at=datetime(2027, 3, 27, 23, 30, tzinfo=UK),
            )
        done = services.port_request_cancel_by_losing_provider(
            by=world.user(Role.COORDINATOR),
            port_request=accepted,
            reason="in time",
            at=datetime(2027, 3, 27, 23, 0, tzinfo=UK),
        )
    assert done.status == PortStatus.DRAFT


def test_P7_cancellation_time_defaults_to_now_and_is_never_in_the_future(world):
    accepted = port_in_state(world, PortStatus.ACCEPTED)
    with pytest.raises(ValidationError) as exc:
        services.port_request_cancel_by_losing_provider(
            by=world.user(Role.COORDINATOR), port_request=accepted, reason="x", at=timezone.now() + timedelta(hours=2)
        )
    assert "future" in exc.value.message_dict["at"][0]
    done = services.port_request_cancel_by_losing_provider(
        by=world.user(Role.COORDINATOR), port_request=accepted, reason="Customer disputed the order"
    )
    assert abs(done.losing_provider_cancelled_at - timezone.now()) < timedelta(minutes=1)
    # The numbers reserved at acceptance are released; the request can be submitted again.
    assert not Number.objects.filter(e164__in=done.numbers).exists()
    again = services.port_request_submit(by=world.user(Role.PARTNER_USER), port_request=done)
    assert again.status == PortStatus.SUBMITTED


def test_numbers_are_porting_while_in_flight_and_join_the_pool_and_group_on_completion(world):
    group = CustomerGroup.objects.create(partner=world.partner_a, group_id="AlphaPort", name="Alpha Port")
    accepted = port_in_state(world, PortStatus.ACCEPTED, customer_group=group)
    statuses = set(Number.objects.filter(e164__in=accepted.numbers).values_list("partner_id", "status"))
    assert statuses == {(world.partner_a.pk, NumberStatus.PORTING)}
    done = services.port_request_complete(by=world.user(Role.COORDINATOR), port_request=accepted)
    rows = Number.objects.filter(e164__in=done.numbers)
    assert rows.count() == 4
    assert set(rows.values_list("partner_id", "status", "customer_group_id")) == {
        (world.partner_a.pk, NumberStatus.ASSIGNED, group.pk)
    }
    assert done.completion_working_days == 0 and done.platform_status == "pending"


def test_N2_another_partners_group_cannot_be_named(world):
    other = CustomerGroup.objects.create(partner=world.partner_b, group_id="BetaPort", name="Beta Port")
    with pytest.raises(ValidationError) as exc:
        new_draft(world, customer_group=other)
    assert "customer_group" in exc.value.message_dict


def test_P3_numbers_already_in_a_pool_cannot_be_submitted(world):
    Number.objects.create(e164="+441134969990", partner=world.partner_b)
    draft = new_draft(world, numbers=["+441134969990"], main_billing_number="+441134969990", signed_loa=True)
    with pytest.raises(ValidationError) as exc:
        services.port_request_submit(by=world.user(Role.PARTNER_USER), port_request=draft)
    assert "+441134969990 is already in BETA02's pool" in exc.value.message_dict["numbers"][0]


def test_stale_expected_status_is_a_conflict_and_changes_nothing(world):
    submitted = port_in_state(world, PortStatus.SUBMITTED)
    with pytest.raises(TransitionConflict):
        services.port_request_transition(
            by=world.user(Role.COORDINATOR), port_request=submitted, name="accept", expected_status=PortStatus.DRAFT
        )
    assert PortRequest.objects.get(pk=submitted.pk).status == PortStatus.SUBMITTED


def test_partner_users_create_only_for_their_own_partner(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.port_request_create(by=world.user(Role.PARTNER_USER), partner=world.partner_b, data=complete_data())
    with pytest.raises(PermissionDenied):
        services.port_request_create(by=world.user(Role.MANAGER), partner=world.partner_b, data=complete_data())


def test_notifications_go_to_the_partners_users_after_commit(world, django_capture_on_commit_callbacks):
    partner_user = world.user(Role.PARTNER_USER)
    draft = new_draft(world, signed_loa=True)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.port_request_submit(by=partner_user, port_request=draft)
    assert mail.outbox == [], "nothing is sent before the transaction commits"
    for callback in callbacks:
        callback()
    (submitted,) = mail.outbox
    assert submitted.to == [partner_user.email] and "submitted" in submitted.subject
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run(world, draft, "reject")
    assert "Postcode mismatch" in mail.outbox[-1].body and "EC1A 1BA" in mail.outbox[-1].body
    with django_capture_on_commit_callbacks(execute=True):
        services.port_request_resubmit(by=partner_user, port_request=draft)
        accepted = run(world, draft, "accept")
    assert f"{accepted.port_date:%d %B %Y}" in mail.outbox[-1].subject
    assert accepted.lead_time_rule in mail.outbox[-1].body
    with django_capture_on_commit_callbacks(execute=True):
        run(world, draft, "complete")
    assert "complete" in mail.outbox[-1].subject
    with django_capture_on_commit_callbacks(execute=True):
        run(world, port_in_state(world, PortStatus.SUBMITTED), "cancel")
    assert "cancelled" in mail.outbox[-1].subject and "Customer changed their mind" in mail.outbox[-1].body
    assert all(m.to == [partner_user.email] for m in mail.outbox)
