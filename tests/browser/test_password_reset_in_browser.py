"""#17 in a real browser: "Forgot your password?" on the login page, the emailed link, a new
password that must pass the rules, and a log-in with it."""

import re

import pytest
from playwright.sync_api import expect

from accounts.choices import Role
from expoe_portal.models import OutboundEmail

pytestmark = pytest.mark.browser

NEW_PASSWORD = "amber-lantern-quietly-47"


def test_a_forgotten_password_is_reset_from_the_login_page(page, world, log_in, settings, live_server):
    settings.PORTAL_BASE_URL = live_server.url
    trainer = world.user(Role.TRAINER)
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Your email address").fill(trainer.email)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    email = OutboundEmail.objects.get(kind="account.password_reset", to=[trainer.email])
    page.goto(re.search(r"https?://\S+", email.body).group(0))
    expect(page.get_by_text("Your password must contain at least 10 characters.")).to_be_visible()  # not HTML
    page.locator("#id_new_password1").fill("trainertrainer")
    page.get_by_label("New password confirmation").fill("trainertrainer")
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_text("This password is too easy to guess")).to_be_visible()

    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_role("heading", name="Your password has been changed")).to_be_visible()

    log_in(trainer.username, NEW_PASSWORD)
    expect(page.get_by_test_id("current-user")).to_be_visible()
