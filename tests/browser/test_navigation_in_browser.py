"""The navigation (#16): one row at 1400 px for every role, menus that open by mouse and keyboard
and fold behind the toggle on a phone, SLA policies and lead-time rules reachable where the role
may open them, and a way back from the API docs.

Few tests, each visiting several roles in their own browser contexts: every live-server test
empties the database afterwards, which costs more than the visits."""

import re

import pytest
from playwright.sync_api import expect

from accounts.choices import Role
from tests.browser.every_page import page_of
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

# Who sees which of the "Reference" menu's entries.
REFERENCE = ["Escalation matrix", "SLA policies", "Lead-time rules", "API", "Webhooks"]
ROLES = {
    Role.PROVISIONING_ADMIN: ("provisioning_admin", REFERENCE),
    Role.COORDINATOR: ("coordinator", REFERENCE),
    Role.TRAINER: ("trainer", REFERENCE),
    Role.MANAGER: ("manager", REFERENCE),
    Role.PARTNER_USER: ("acme_user", ["Escalation matrix", "Lead-time rules", "API", "Webhooks"]),
}

# The top of every item in the bar; one row when they all start within one item's height.
BAR_ROWS = """() => {
  const items = [...document.querySelectorAll(
    ".navbar-brand, [data-testid=nav-menu] > li, #main-nav .navbar-text, #main-nav > .navbar-nav:last-child > *"
  )].filter((el) => el.offsetParent !== null).map((el) => el.getBoundingClientRect());
  const tops = items.map((r) => r.top);
  return {count: items.length, spread: Math.max(...tops) - Math.min(...tops),
          height: Math.min(...items.map((r) => r.height)),
          right: Math.max(...items.map((r) => r.right)), width: document.documentElement.clientWidth};
}"""


def test_every_roles_navigation_fits_one_row_at_1400px_and_reaches_the_rules(browser, live_server, world):
    for role, (username, reference) in ROLES.items():
        with page_of(browser, live_server.url, username, password=TEST_PASSWORD, width=1400) as page:
            page.goto("/escalation-matrix/")  # a page every role opens
            bar = page.evaluate(BAR_ROWS)
            assert bar["count"] >= 5, bar
            assert bar["spread"] < bar["height"], f"the navigation wraps for {role}: {bar}"
            assert bar["right"] <= bar["width"], f"the navigation runs off the screen for {role}: {bar}"

            page.get_by_role("button", name="Reference").click()
            menu = page.locator(".dropdown-menu.show")
            links = menu.get_by_role("link")
            expect(links).to_have_text(reference)
            links.filter(has_text="Lead-time rules").click()
            expect(page).to_have_url(re.compile(r"/ports/rules/$"))
            # The open page's menu reads as current, in words for screen readers too.
            expect(page.get_by_role("button", name="Reference")).to_have_class(re.compile(r"\bactive\b"))
            page.get_by_role("button", name="Reference").click()
            expect(page.get_by_role("link", name="Lead-time rules")).to_have_attribute("aria-current", "page")


def test_the_menus_open_from_the_keyboard_and_fold_behind_their_buttons_on_a_phone(browser, live_server, world):
    with page_of(browser, live_server.url, "manager", password=TEST_PASSWORD, width=1400) as page:
        page.get_by_role("button", name="Reports").focus()
        page.keyboard.press("Enter")
        page.keyboard.press("ArrowDown")  # Bootstrap's dropdown: the arrows move through its items
        expect(page.get_by_role("link", name="Drift", exact=True)).to_be_focused()
        page.keyboard.press("ArrowDown")
        expect(page.get_by_role("link", name="Port lead times", exact=True)).to_be_focused()
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"/ports/dashboard/$"))

    with page_of(browser, live_server.url, "manager", password=TEST_PASSWORD, width=390) as page:
        sla = page.get_by_role("link", name="SLA policies", exact=True)
        expect(sla).to_be_hidden()
        page.get_by_role("button", name="Toggle navigation").click()
        page.get_by_role("button", name="Reference").click()
        sla.click()
        expect(page).to_have_url(re.compile(r"/sla-policies/$"))

        # A list's filters fold behind their button too, which says how many are set.
        page.goto("/ports/?q=0161")
        filters = page.get_by_role("search", name="Filters")
        expect(filters).to_be_hidden()
        page.get_by_role("button", name="Filters (1 set)").click()
        expect(filters).to_be_visible()
        expect(page.get_by_label("Search")).to_have_value("0161")


def test_the_api_docs_link_back_to_the_portal(page, log_in, world):
    log_in("coordinator", TEST_PASSWORD)
    page.goto("/api/v1/docs/")
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/partners/")
    page.get_by_role("link", name="Back to the portal").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()
