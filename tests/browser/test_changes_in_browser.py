"""A co-ordinator changes a built customer in a real browser (#15): the "Make a change" menu, a
mistake shown beside its field (B1), the preview of the platform operation, the confirmation dialog,
and the change followed to "Succeeded" on the customer's page (platforms in memory)."""

import pytest
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
    platforms = fake_platforms()
    monkeypatch.setattr(build_steps, "get_platforms", lambda: platforms)
    stock_pool(world)
    group, _ = customer_group_create(by=world.user(Role.COORDINATOR), partner=world.partner_a, data=valid_request())
    builds.build_start(by=world.user(Role.COORDINATOR), group=group)  # committed: its tasks run at once
    group.refresh_from_db()
    assert group.build.status == "succeeded"
    return group, platforms


def test_B1_a_coordinator_changes_the_business_profile_number_and_follows_the_change(page, log_in, built):
    group, platforms = built
    log_in("coordinator", TEST_PASSWORD)
    page.goto(group.get_absolute_url())
    page.get_by_test_id("start-change").click()  # Bootstrap's dropdown, from the static bundle
    page.get_by_role("link", name="Change the business profile number").click()
    expect(page.get_by_role("heading", name="Change the business profile number: AlphaWidgets")).to_be_visible()
    expect(page.locator("#id_number")).to_have_value("+442079460000")  # today's, preselected

    page.get_by_role("button", name="Preview").click()  # nothing changed yet
    expect(page.locator(".invalid-feedback")).to_contain_text("already")

    page.locator("#id_number").select_option("+442079460002")
    page.get_by_label("Present it as the users' caller ID").check()
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_test_id("change-plan")).to_contain_text("Set the group's calling line ID")
    expect(page.get_by_test_id("change-plan")).to_contain_text("+442079460002 on AlphaWidgets; presented")

    page.once("dialog", lambda dialog: dialog.accept())  # data-confirm
    page.get_by_test_id("confirm-change").click()
    expect(page.get_by_role("heading", name="Alpha Widgets Ltd", level=1)).to_be_visible()
    changes = page.get_by_test_id("change-list")
    expect(changes).to_contain_text("Business profile number +442079460002")
    expect(changes.locator("tr[data-status='succeeded']")).to_have_count(1)
    assert platforms.broadworks.clid["AlphaWidgets"] == {"number": "+442079460002", "present_as_caller_id": True}
