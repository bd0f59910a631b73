"""Staff open a rule's help from a page (#16, decision 142): hidden until asked for, then a card as
large as its text; partner users get no help button at all."""

import pytest
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_a_rules_help_stays_closed_until_opened_then_shows_its_text_only(page, log_in, world):
    log_in("coordinator", TEST_PASSWORD)
    page.goto("/ports/rules/")
    helps = page.locator("[popover]")
    expect(helps.first).to_be_hidden()  # Bootstrap's .card must not show a closed popover
    page.get_by_test_id("rule-help").first.click()
    expect(helps.first).to_be_visible()
    expect(helps.first).to_contain_text("P4")
    assert page.locator("[popover]:popover-open").count() == 1
    box = helps.first.bounding_box()
    assert box["height"] < 300, "as large as its text, not the window's height"
    page.keyboard.press("Escape")
    expect(helps.first).to_be_hidden()

    page.context.clear_cookies()  # signed out
    log_in("acme_user", TEST_PASSWORD)
    page.goto("/ports/rules/")
    expect(page.get_by_test_id("rule-help")).to_have_count(0)
