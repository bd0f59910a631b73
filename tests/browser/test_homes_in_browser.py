"""#16 acceptance: for each of the six demo users, the home lists the demo's items for that user with
their deadlines, and each count's link shows exactly those rows (in Chromium, on `seed_demo`'s data)."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

ITEM_URL = re.compile(r"^/(onboarding|ports|customers)/\d+/$")
OVERDUE, DUE, NONE = "overdue by", "due in", "no deadline"

# username -> the work lists on their home: key -> [(text in the row, text in its deadline cells)]
DEMO_HOMES = {
    "admin": {
        "orders-to-confirm": [
            ("Onboarding of HOTEL08", OVERDUE),
            ("Onboarding of GOLF07", OVERDUE),
            ("Onboarding of FOXTROT06", OVERDUE),
            ("Onboarding of ECHO05", OVERDUE),
            ("Onboarding of GLOBEX03", "At risk"),
        ],
        "orders-unassigned": [("Onboarding of DELTA04", DUE)],
        "orders-coordinators": [],
        "builds-failed": [],
        "builds-waiting": [],
        "ports-submitted": [("+441134960510", DUE)],
        "ports-due-soon": [],
    },
    "coordinator": {
        "orders-mine": [],
        "builds-failed": [],
        "builds-waiting": [],
        "ports-submitted": [("+441134960510", DUE)],
        "ports-due-soon": [],
        "escalations-mine": [
            ("+441134960510", DUE),
            ("Onboarding of BETA02", DUE),
            ("+442920180530", DUE),
        ],
    },
    "trainer": {"orders-training": [("Onboarding of BETA02", DUE)]},
    "manager": {
        "escalations-breached": [
            ("Onboarding of HOTEL08", OVERDUE),
            ("Onboarding of GOLF07", OVERDUE),
            ("Onboarding of FOXTROT06", OVERDUE),
            ("Onboarding of ECHO05", OVERDUE),
        ],
        "escalations-at-risk": [("Onboarding of GLOBEX03", "At risk")],
        "orders-unassigned": [("Onboarding of DELTA04", DUE)],
    },
    "acme": {
        "builds-not-started": [("NorthwindTraders", NONE), ("ContosoDental", NONE), ("FabrikamLaw", NONE)],
        "builds-open": [],
        "ports-rejected": [("+441314960520", NONE)],
        "ports-draft": [("+441134960500", NONE)],
    },
    "betacom": {"builds-not-started": [], "builds-open": [], "ports-rejected": [], "ports-draft": []},
}


def seed_demo():
    call_command("seed_demo", stdout=StringIO())


def item_links(page, scope) -> list[str]:
    hrefs = [link.get_attribute("href") for link in page.locator(scope).locator("a[href]").all()]
    return sorted({href for href in hrefs if href and ITEM_URL.match(href)})


def test_each_demo_users_home_lists_their_items_with_deadlines_and_each_count_shows_exactly_them(page, log_in):
    seed_demo()
    for username, lists in DEMO_HOMES.items():
        page.context.clear_cookies()
        log_in(username, DEMO_PASSWORD)
        expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
        expect(page.locator("main section[data-testid^='work-']")).to_have_count(len(lists))
        for key, expected in lists.items():
            section = page.get_by_test_id(f"work-{key}")
            rows = section.get_by_test_id("work-row")
            expect(rows).to_have_count(len(expected))
            expect(section.get_by_test_id("count")).to_have_text(str(len(expected)))
            for row, (text, deadline) in zip(rows.all(), expected, strict=True):
                expect(row).to_contain_text(text)
                expect(row).to_contain_text(deadline)
            on_home = item_links(page, f"[data-testid='work-{key}'] tbody")
            section.get_by_test_id("count-link").click()
            page.wait_for_load_state()
            assert item_links(page, "main table") == on_home, f"{username}: {key}"
            page.go_back()
        main = page.locator("main")
        if username == "trainer":
            expect(main).not_to_contain_text("failed")
            expect(main).not_to_contain_text("Port")
            expect(page.get_by_test_id("work-orders-training")).to_contain_text("kickoff")
        if username == "manager":
            expect(page.get_by_test_id("load-row")).to_contain_text("Colin Coordinator")
        if username in ("acme", "betacom"):
            expect(main).not_to_contain_text("BETA02" if username == "acme" else "ACME01")
        if username == "betacom":
            expect(page.get_by_test_id("next-step")).to_have_text("Training on each platform")
            expect(page.get_by_test_id("next-step-owner")).to_have_text("Tara Trainer")


def test_the_demo_managers_dashboard_names_the_item_at_risk_and_the_contact_to_call(page, log_in):
    seed_demo()
    log_in("manager", DEMO_PASSWORD)
    page.goto("/escalations/")
    at_risk = page.get_by_test_id("at-risk-row")
    expect(at_risk).to_have_count(1)
    expect(at_risk).to_contain_text("Onboarding of GLOBEX03")
    expect(at_risk).to_contain_text("due in")
    oldest = page.get_by_test_id("breach-row").first
    expect(oldest.locator("a[href^='tel:+44']")).to_have_count(1)
    expect(oldest.locator("a[href^='mailto:']")).to_have_count(1)
    page.get_by_test_id("card-at-risk").click()
    expect(page.get_by_test_id("escalation-row")).to_have_count(1)
    expect(page.get_by_test_id("escalation-row")).to_contain_text("Onboarding of GLOBEX03")
