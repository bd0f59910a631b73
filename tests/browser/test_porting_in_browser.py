"""P3-P5 end to end in a real browser: a partner user drafts and submits a port request, a
co-ordinator records a rejection, the partner corrects and resubmits, the co-ordinator accepts,
and the partner sees the port date with the rule that produced it."""

import re

import pytest
from playwright.sync_api import expect

from porting.calendar import add_working_days
from porting.models import PortRequest
from porting.providers import providers_load
from tests.factories import TEST_PASSWORD

from .porting_steps import sign_loa_online

pytestmark = pytest.mark.browser


@pytest.fixture
def session_as(browser, live_server):
    """A logged-in page for one user, in a browser context of its own (its own cookies)."""
    contexts, errors = [], []

    def open_as(username):
        context = browser.new_context(base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", lambda msg: errors.append(f"{username}: {msg.text}") if msg.type == "error" else None)
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_test_id("current-user")).to_contain_text(username)
        return page

    yield open_as
    for context in contexts:
        context.close()
    unexpected = [e for e in errors if "status of 404" not in e]
    assert not unexpected, f"browser console errors: {unexpected}"


def run_transition(page, name, label, fill=None):
    """Open a transition's form (waiting for Bootstrap's collapse), fill it, confirm it."""
    page.get_by_role("button", name=label, exact=True).click()
    expect(page.locator(f"#form-{name}")).to_have_class(re.compile(r"\bshow\b"))
    if fill:
        fill(page.locator(f"#form-{name}"))
    with page.expect_navigation():
        page.get_by_role("button", name=f"Confirm: {label}", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text=f"Done: {label}.")).to_be_visible()


def test_P3_P5_a_port_is_drafted_rejected_corrected_resubmitted_and_accepted(session_as, world):
    providers_load()  # the list a live server's emptied database lost
    partner = session_as("acme_user")
    partner.get_by_role("link", name="Ports", exact=True).click()
    partner.get_by_role("link", name="New port request").click()
    expect(partner.locator("#id_partner")).to_have_count(0)  # their own partner only
    partner.locator("#id_region").select_option("SCT")
    partner.locator("#id_number_type").select_option("analogue")
    partner.locator("#id_main_billing_number").fill("0131 496 0100")
    partner.locator("#id_numbers").fill("0131 496 0100\n0131 496 0101 - 0131 496 0104")
    partner.locator("#id_registered_address").fill("1 Princes Street, Edinburgh EH2 2AN")
    partner.locator("#id_losing_provider").select_option("BT")  # from the providers' list
    partner.get_by_role("button", name="Save draft").click()

    # P3, P7: the request names what is still missing, and submission is refused until it is there.
    missing = partner.get_by_test_id("missing")
    expect(missing).to_contain_text("Range holder is required before submission.")
    expect(missing).to_contain_text("acknowledgement of the porting risks")
    partner.get_by_role("link", name="Edit").click()
    expect(partner.get_by_test_id("risks")).to_contain_text("franking machines")
    partner.locator("#id_range_holder").select_option("BT Wholesale")
    partner.locator("#id_risks_acknowledged").check()
    partner.get_by_role("button", name="Save draft").click()
    expect(partner.get_by_test_id("missing")).to_contain_text("signed letter of authority")  # GB (P3, P6)
    sign_loa_online(partner, name="Alex Example", position="Director")
    expect(partner.get_by_test_id("missing")).to_have_count(0)
    run_transition(partner, "submit", "Submit")
    expect(partner.get_by_test_id("status")).to_have_text("Submitted")
    port_request = PortRequest.objects.get()

    # The co-ordinator records the losing provider's rejection (P5).
    coordinator = session_as("coordinator")
    coordinator.goto(f"/ports/{port_request.pk}/")

    def rejection(form):
        form.get_by_label("Reason").select_option("postcode_mismatch")
        form.get_by_label("Details").fill("The losing provider has EH2 2AQ")

    run_transition(coordinator, "reject", "Record rejection", rejection)
    expect(coordinator.get_by_test_id("status")).to_have_text("Rejected")

    # The partner sees why, corrects the address and resubmits.
    partner.reload()
    expect(partner.get_by_test_id("rejections")).to_contain_text("Postcode mismatch")
    expect(partner.get_by_test_id("rejections")).to_contain_text("EH2 2AQ")
    partner.get_by_role("link", name="Edit").click()
    partner.locator("#id_registered_address").fill("1 Princes Street, Edinburgh EH2 2AQ")
    partner.get_by_role("button", name="Save draft").click()
    expect(partner.get_by_test_id("address")).to_contain_text("EH2 2AQ")
    # The letter was signed for the old address: it is void, and signed again before resubmission.
    expect(partner.get_by_test_id("loa-void")).to_be_visible()
    sign_loa_online(partner, name="Alex Example", position="Director")
    run_transition(partner, "resubmit", "Resubmit")

    # The co-ordinator records the acceptance; the port date follows (P4).
    coordinator.reload()
    run_transition(coordinator, "accept", "Record acceptance")
    port_request.refresh_from_db()
    expected = add_working_days(port_request.accepted_on, 22, "GB", "SCT")
    assert port_request.port_date == expected

    partner.reload()
    port_date = partner.get_by_test_id("port-date")
    expect(port_date).to_contain_text(f"{expected:%A} {expected.day} {expected:%B %Y}")
    expect(port_date).to_contain_text("GB, Analogue: 22 working days (onboarding guide)")
    expect(port_date).to_contain_text("Scotland bank holidays")
    expect(partner.get_by_test_id("history")).to_contain_text("Rejected")
