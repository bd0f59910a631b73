"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright for Python.

`playwright install` cannot run here (no downloads), so the browser is always the system one.
"""

import os

import pytest

from tests.services import chromium_or_skip

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


# Module scope, not session: Playwright's sync API keeps an asyncio loop running in this thread
# while it is open, and code that later calls asyncio.run (the OCI-P client) must not find one.
@pytest.fixture(scope="module")
def browser():
    executable = chromium_or_skip()
    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a
    # thread with a running loop unless told this is deliberate (the ORM is used synchronously).
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    # A blocked inline script or a missing static file (or favicon) shows up as a console error:
    # fail on it. The one expected "Failed to load resource" is an intended 404 page's own load.
    errors = []
    page.on(
        "console", lambda msg: errors.append((msg.text, msg.location.get("url", ""))) if msg.type == "error" else None
    )
    yield page
    context.close()
    unexpected = [
        (text, url)
        for text, url in errors
        if not ("status of 404" in text and "/static/" not in url and not url.endswith("favicon.ico"))
    ]
    assert not unexpected, f"browser console errors: {unexpected}"


@pytest.fixture
def log_in(page):
    def submit(username, password):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()

    return submit
