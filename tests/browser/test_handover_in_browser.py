"""The partner opens a built customer's hand-over page in a real browser: the End Customer Portal
URL (O7), the group and its administrator, the generated password shown once on request (A2) and,
on the page reloaded, never again (platforms in memory)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.choices import Role
from customers import build_steps, builds
from customers.services import customer_group_create
from tests.customers.build_request_data import stock_pool, valid_request
from tests.customers.fake_platforms import fake_platforms
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def built(world, monkeypatch):
    platforms = fake_platforms()  # one set, kept between the build's steps
    monkeypatch.setattr(build_steps, "get_platforms", lambda: platforms)
    stock_pool(world)
    group, _ = customer_group_create(by=world.user(Role.COORDINATOR), partner=world.partner_a, data=valid_request())
    builds.build_start(by=world.user(Role.COORDINATOR), group=group)  # committed: its tasks run at once
    group.refresh_from_db()
    assert group.build.status == "succeeded"
    return group


def test_a_partner_user_reveals_a_generated_password_once_on_the_hand_over_page(page, log_in, built):
    log_in("acme_user", TEST_PASSWORD)
    page.goto(built.get_absolute_url())
    expect(page.get_by_test_id("build-broadworks")).to_be_visible()
    page.get_by_test_id("handover-link").click()
    expect(page.get_by_test_id("handover-heading")).to_have_text("Hand-over for Alpha Widgets Ltd")
    expect(page.get_by_test_id("end-customer-portal-url")).to_have_text("https://ucaas.hostedcomm.com/app/#!/")
    admins = page.get_by_test_id("handover-admins")
    expect(admins).to_contain_text("ada.lovelace@hostedcomm.com")

    page.once("dialog", lambda dialog: dialog.accept())  # data-confirm
    admins.get_by_role("button", name="Show the password once").click()
    shown = page.get_by_test_id("revealed-password").get_by_test_id("password")
    expect(shown).to_be_visible()
    password = shown.inner_text()
    assert len(password) >= 12 and password not in page.url

    page.goto(reverse("customers:group_handover", args=[built.pk]))  # again: the password is gone for good
    expect(page.get_by_test_id("revealed-password")).to_have_count(0)
    expect(admins).to_contain_text("Already shown to")
    expect(admins.get_by_role("button", name="Show the password once")).to_have_count(0)
    assert password not in page.content()
