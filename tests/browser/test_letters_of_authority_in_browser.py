"""P3, P6 in a real browser (#18): a partner user drafts a GB port, downloads the letter of
authority pre-filled from it, has it signed online, and submits; without the letter the
submission is refused naming it."""

import pytest
from playwright.sync_api import expect

from porting.choices import PortStatus
from porting.models import PortRequest
from porting.providers import providers_load

from .porting_steps import download_loa, draft_gb_port, sign_loa_online
from .test_porting_in_browser import run_transition, session_as  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser


def test_P3_P6_a_partner_user_generates_the_letter_signs_it_online_and_submits(session_as, world):  # noqa: F811
    providers_load()  # the list a live server's emptied database lost
    partner = session_as("acme_user")
    pk = draft_gb_port(
        partner,
        numbers="0113 496 0300\n0113 496 0301 - 0113 496 0304",
        main_billing_number="0113 496 0300",
        address="3 Park Row, Leeds LS1 5HD",
    )
    missing = partner.get_by_test_id("missing")
    expect(missing).to_contain_text("A signed letter of authority is required before submission.")
    expect(missing).not_to_contain_text("(P3")  # partners see no rule ids

    letter = download_loa(partner)
    for value in ("+441134960300", "+441134960304", "3 Park Row, Leeds LS1 5HD", "BT", "ACME01", "EXPO.e"):
        assert value in letter, value

    sign_loa_online(partner, name="Priya Shah", position="Practice Manager")
    expect(partner.get_by_test_id("missing")).to_have_count(0)
    run_transition(partner, "submit", "Submit")
    expect(partner.get_by_test_id("status")).to_have_text("Submitted")
    port_request = PortRequest.objects.get(pk=pk)
    assert port_request.status == PortStatus.SUBMITTED
    assert port_request.documents.get().signer_name == "Priya Shah"
