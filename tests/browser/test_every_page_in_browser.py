"""Every page for every role on the demo's data (#16): none wider than a 390 px phone, none with a
serious or critical axe-core violation, and no rule id (G3, O1, ...) on any page a partner user reads.

Each test seeds the demo once and visits each role's pages in one browser context: a live-server
test empties the database afterwards, which costs more than many page visits."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.every_page import DEMO_LOGINS, PARTNER_LOGINS, page_of, pages_for, seed
from tests.portal.test_access_matrix import ANON

pytestmark = pytest.mark.browser

PHONE, DESKTOP = 390, 1400
AXE = Axe()
# axe-core's impacts worth failing on; "moderate" and "minor" ones are reported by axe, not here.
BLOCKING = {"serious", "critical"}
# The guide's rule ids as the portal wrote them in labels ("Group ID (G3)"): never on partner pages.
RULE_ID = re.compile(r"\b[OGNBVAKCPE][0-9]{1,2}\b")
WIDTH = "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"


def _open(page, url: str, name: str):
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    assert response.headers["content-type"].startswith("text/html"), (url, response.headers["content-type"])
    if name == "api-docs":  # Swagger UI draws the page after loading the schema
        page.locator(".swagger-ui .info").wait_for()


def _violations(page) -> list[str]:
    found = AXE.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(str(n['target']) for n in v['nodes'][:8])}"
        for v in found
        if v["impact"] in BLOCKING
    ]


def test_every_page_fits_a_phone_and_passes_axe_for_every_role(browser, live_server, settings, tmp_path):
    seed(settings, tmp_path)
    too_wide, inaccessible, visited = [], [], 0
    for who in [ANON, *DEMO_LOGINS]:
        with page_of(browser, live_server.url, DEMO_LOGINS.get(who), width=PHONE, height=844) as page:
            for visit in pages_for(who):
                _open(page, visit.url, visit.name)
                visited += 1
                width = page.evaluate(WIDTH)
                if width > PHONE:
                    too_wide.append(f"{who}: {visit.url} ({visit.name}) is {width} px wide")
                # axe-core at a desktop's width, where the bar's links and the filters show (it
                # skips what is hidden); the same page, resized, not loaded again.
                page.set_viewport_size({"width": DESKTOP, "height": 900})
                inaccessible += [f"{who}: {visit.url}: {v}" for v in _violations(page)]
                page.set_viewport_size({"width": PHONE, "height": 844})
    assert visited > 150, visited  # the demo's pages for six kinds of user, not a handful
    problems = too_wide + inaccessible
    assert not problems, f"{len(too_wide)} pages too wide, {len(inaccessible)} axe violations:\n" + "\n".join(problems)


def test_no_partner_page_shows_a_rule_id(browser, live_server, settings, tmp_path):
    # At a desktop's width, so that nothing folded away (a menu, the filters) escapes the check.
    seed(settings, tmp_path)
    shown = []
    for who in PARTNER_LOGINS:
        with page_of(browser, live_server.url, DEMO_LOGINS[who], width=DESKTOP) as page:
            for visit in pages_for(who):
                if visit.name == "api-docs":  # the API's reference, not the portal's words
                    continue
                _open(page, visit.url, visit.name)
                ids = sorted(set(RULE_ID.findall(page.locator("body").inner_text())))
                if ids:
                    shown.append(f"{who}: {visit.url} ({visit.name}) shows {', '.join(ids)}")
    assert not shown, "rule ids on partner pages:\n" + "\n".join(shown)
