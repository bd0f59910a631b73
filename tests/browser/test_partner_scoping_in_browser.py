import re

import pytest
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_partner_user_sees_their_partner_and_a_404_page_for_another(page, log_in, world):
    log_in("acme_user", TEST_PASSWORD)
    expect(page.get_by_test_id("onboarding-next-step")).to_be_visible()  # their home
    page.get_by_role("link", name="Your onboarding page").click()
    expect(page).to_have_url(re.compile(r"/my-partner/$"))
    expect(page.get_by_test_id("partner-heading")).to_have_text("Acme Telecom")
    expect(page.get_by_test_id("current-user")).to_contain_text("ACME01")
    expect(page.get_by_role("link", name="Partners", exact=True)).to_have_count(0)

    response = page.goto(f"/partners/{world.partner_b.pk}/")
    assert response.status == 404
    expect(page.get_by_test_id("not-found")).to_contain_text("Page not found")
    expect(page.locator("body")).not_to_contain_text("Betacom")


def test_coordinator_creates_a_partner_with_two_contacts_in_the_browser(page, log_in, world):
    log_in("coordinator", TEST_PASSWORD)
    page.get_by_role("link", name="Partners", exact=True).click()
    page.get_by_role("link", name="New partner").click()
    page.get_by_label("Partner ID").fill("GAMMA03")
    page.get_by_label("Name").first.fill("Gamma Comms")
    page.locator("#id_contacts-0-name").fill("Gail Gamma")
    page.locator("#id_contacts-0-email").fill("gail@gamma.invalid")
    page.locator("#id_contacts-0-phone").fill("020 7946 0123")
    page.get_by_role("button", name="Add another contact").click()  # portal.js, no inline script
    page.locator("#id_contacts-1-name").fill("Gus Gamma")
    page.locator("#id_contacts-1-email").fill("gus@gamma.invalid")
    page.locator("#id_contacts-1-phone").fill("not a phone")
    page.get_by_role("button", name="Create partner").click()
    expect(page.locator("body")).to_contain_text("is not a phone number")
    page.locator("#id_contacts-1-phone").fill("0161 496 0124")
    page.get_by_role("button", name="Create partner").click()
    expect(page.get_by_test_id("partner-heading")).to_have_text("Gamma Comms")
    expect(page.locator("body")).to_contain_text("0161 496 0124")


def test_api_docs_render_under_the_content_security_policy(page, world):
    page.goto("/api/v1/docs/")
    # Swagger UI comes from the drf-spectacular-sidecar package and renders the schema's paths.
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/partners/")
