"""Issue #18's acceptance in a real browser: a partner user generates the letter of authority, has it
signed online and submits; a co-ordinator records a partial acceptance with the carrier's confirmed
date; the refused numbers appear as a child request, linked both ways (P3, P4, P6)."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from porting.calendar import add_working_days
from porting.choices import PortStatus
from porting.models import PortRequest
from porting.providers import providers_load

from .porting_steps import download_loa, draft_gb_port, sign_loa_online
from .test_porting_in_browser import run_transition, session_as  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser


def test_P3_P4_P6_letter_signed_online_then_a_partial_acceptance_with_a_confirmed_date_splits_a_child(
    session_as,  # noqa: F811
    world,
):
    providers_load()  # the list a live server's emptied database lost
    partner = session_as("acme_user")
    pk = draft_gb_port(
        partner,
        numbers="0113 496 0400 - 0113 496 0404",
        main_billing_number="0113 496 0400",
        address="5 Park Row, Leeds LS1 5HD",
    )
    assert "+441134960404" in download_loa(partner)
    sign_loa_online(partner, name="Sam Okafor", position="Director")
    run_transition(partner, "submit", "Submit")
    expect(partner.get_by_test_id("status")).to_have_text("Submitted")

    # The carrier accepts all but one number, and confirms a date two working days after the rule's.
    today = timezone.localdate()
    confirmed = add_working_days(today, 24, "GB", "ENG")
    coordinator = session_as("coordinator")
    coordinator.goto(f"/ports/{pk}/")

    def partial_acceptance(form):
        form.get_by_label("Carrier's confirmed port date").fill(confirmed.isoformat())
        form.get_by_label("Numbers the carrier refused").fill("0113 496 0404")
        form.get_by_label("Why they were refused").fill("Not on the losing provider's records")

    run_transition(coordinator, "accept", "Record acceptance", fill=partial_acceptance)
    expect(coordinator.get_by_test_id("status")).to_have_text("Accepted")
    parent = PortRequest.objects.get(pk=pk)
    assert parent.port_date == confirmed and parent.rule_port_date == add_working_days(today, 22, "GB", "ENG")
    assert parent.numbers == [f"+44113496040{n}" for n in range(4)]

    # The refused number is a draft child request, linked from the parent, and back.
    child = PortRequest.objects.get(parent=parent)
    assert child.status == PortStatus.DRAFT and child.numbers == ["+441134960404"]
    partner.reload()
    expect(partner.get_by_test_id("children")).to_contain_text(f"port request {child.pk}")
    partner.get_by_test_id("children").get_by_role("link", name=f"port request {child.pk}").click()
    expect(partner.get_by_test_id("status")).to_have_text("Draft")
    expect(partner.locator("main")).to_contain_text("Not on the losing provider's records")
    expect(partner.locator(f'a[href="/ports/{pk}/"]').first).to_be_visible()
