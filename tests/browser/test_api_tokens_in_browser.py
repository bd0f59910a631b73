"""The API tokens page in a browser (#17): a token is created, shown once with a copy button that
works under the CSP (its script is a file), listed, and revoked after a confirmation; at a phone's
width and with no serious axe-core violation, for a partner user and for an administrator."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from accounts.models import ApiToken
from tests.browser.every_page import page_of
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

PHONE = 390
AXE = Axe()


def serious(page) -> list[str]:
    found = AXE.run(page).response["violations"]
    return [f"{v['id']}: {v['help']}" for v in found if v["impact"] in {"serious", "critical"}]


def test_create_copy_and_revoke_a_token_at_a_phones_width(browser, live_server, world):
    with page_of(browser, live_server.url, "acme_user", password=TEST_PASSWORD, width=PHONE, height=844) as page:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        page.goto("/accounts/tokens/")
        page.get_by_label("Name").fill("billing sync")
        page.get_by_role("button", name="Create token").click()
        shown = page.get_by_label("The new token")
        secret = shown.input_value()
        assert secret.startswith("expoe_")
        page.get_by_test_id("copy-token").click()
        expect(page.get_by_test_id("copy-token")).to_have_text("Copied")
        assert page.evaluate("navigator.clipboard.readText()") == secret
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
        assert serious(page) == []
        expect(page.get_by_test_id("token-row")).to_contain_text("billing sync")

        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Revoke billing sync").click()
        expect(page.get_by_role("alert")).to_contain_text("Revoked the API token “billing sync”")
        expect(page.get_by_test_id("token-row")).to_have_count(0)
        assert ApiToken.objects.get().revoked_at is not None
        page.goto("/accounts/tokens/")
        assert secret not in page.content()


def test_an_administrator_sees_everyones_tokens_with_a_user_filter(browser, live_server, world):
    from accounts.tokens import token_issue

    for username in ("acme_user", "beta_user"):
        user = type(world.user("partner_b_user")).objects.get(username=username)
        token_issue(user=user, name=f"{username} sync", by=user)
    with page_of(browser, live_server.url, "provisioning_admin", password=TEST_PASSWORD, width=1400) as page:
        page.get_by_role("button", name="Account").click()  # the user's own menu
        page.get_by_role("link", name="API tokens").click()
        expect(page.get_by_test_id("token-row")).to_have_count(2)
        page.get_by_label("User (username)").fill("beta_user")
        page.get_by_role("button", name="Filter").click()
        expect(page.get_by_test_id("token-row")).to_have_count(1)
        expect(page.get_by_test_id("token-row")).to_contain_text("beta_user sync")
        assert serious(page) == []
