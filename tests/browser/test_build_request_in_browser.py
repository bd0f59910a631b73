"""A partner user requests a customer build in a real browser: one mistake per section, each message
beside its own field (G3, B1, V2, A2, K4, C5), corrected, then the preview lists the operations,
shows the generated passwords once, and confirming shows the group."""

import re

import pytest
from playwright.sync_api import expect

from customers.models import CustomerGroup
from tests.customers.build_request_data import stock_pool
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def beside(page, field_id):
    """The messages under one field (each field sits in its own wrapper with its messages)."""
    return page.locator("div.mb-3", has=page.locator(f"#{field_id}")).locator(".invalid-feedback")


def test_a_partner_user_corrects_a_build_request_and_reaches_the_preview(page, log_in, world):
    stock_pool(world)
    log_in("acme_user", TEST_PASSWORD)
    page.get_by_role("link", name="Customers", exact=True).click()
    page.get_by_role("link", name="New customer").click()
    expect(page.get_by_role("heading", name="New customer build request")).to_be_visible()
    expect(page.locator("#id_partner")).to_have_count(0)  # their own partner only
    expect(page.get_by_test_id("pool")).to_contain_text("10 available in ACME01")

    # One mistake per section.
    page.locator("#id_name").fill("Alpha Widgets Ltd")
    page.locator("#id_group_id").fill("Alpha Widgets")  # G3: no spaces in a group ID
    page.locator("#id_numbers").fill("020 7946 0000 - 020 7946 0002")
    page.locator("#id_business_profile_number").fill("020 7946 0009")  # B1: not one of the numbers
    page.locator("#id_voice_portal-extension").fill("8000")
    page.locator("#id_voice_portal-external_dial_in").check()  # V2: dialling in from outside, no number
    page.locator("#id_admins-0-first_name").fill("Ada")
    page.locator("#id_admins-0-last_name").fill("Lovelace")
    page.get_by_role("button", name="Add another admin").click()  # portal.js, no inline script
    page.locator("#id_admins-1-first_name").fill("Grace")  # A2: no last name
    page.locator("#id_akixi-licence").select_option("Reporting Standard")
    page.locator("#id_akixi_users-0-username").fill("alpha.reports")
    page.locator("#id_akixi_users-0-full_name").fill("Ada Lovelace")
    page.locator("#id_akixi_users-0-email").fill("ada-at-alpha")  # K4: not an email address
    page.locator("#id_callcabinet-admin_name").fill("Ada Lovelace")  # C5: no email
    page.get_by_role("button", name="Check and preview").click()

    expect(beside(page, "id_group_id")).to_contain_text("Use 1–30 letters, digits")
    expect(beside(page, "id_business_profile_number")).to_have_text(
        "The business profile number must be one of the group's numbers."
    )
    expect(beside(page, "id_voice_portal-number")).to_have_text(
        "Dialling into voicemail from outside (a mobile) needs a voice portal number."
    )
    expect(beside(page, "id_admins-1-last_name")).to_have_text("Enter the administrator's last name.")
    expect(beside(page, "id_admins-0-last_name")).to_have_count(0)
    expect(beside(page, "id_akixi_users-0-email")).to_have_text(
        "Enter a valid email address: the welcome email goes there."
    )
    expect(beside(page, "id_callcabinet-admin_email")).to_have_text(
        "Enter the administrator's email: the welcome email goes there."
    )
    expect(page.locator(".invalid-feedback")).to_have_count(6)
    expect(page.locator("#id_group_id")).to_have_class(re.compile(r"\bis-invalid\b"))
    assert not CustomerGroup.objects.exists()

    # What was typed is kept; correct each mistake.
    expect(page.locator("#id_admins-1-first_name")).to_have_value("Grace")
    page.locator("#id_group_id").fill("AlphaWidgets")
    page.locator("#id_business_profile_number").fill("020 7946 0000")
    page.locator("#id_voice_portal-number").fill("020 7946 0001")
    page.locator("#id_admins-1-last_name").fill("Hopper")
    page.locator("#id_akixi_users-0-email").fill("ada@alpha.invalid")
    page.locator("#id_callcabinet-admin_email").fill("ada@alpha.invalid")
    page.get_by_role("button", name="Check and preview").click()

    expect(page.get_by_role("heading", name="Preview the build of AlphaWidgets")).to_be_visible()
    plan = page.get_by_test_id("build-plan")
    for operation in (
        "Create the group from the clone",
        "Assign numbers",
        "Set the business profile number (group CLID)",
        "Enable the voice portal",
        "Add group administrator",
        "Create the customer's partition",
        "Add reporting user",
        "Add New Essential Customer",
    ):
        expect(plan).to_contain_text(operation)
    expect(plan.get_by_test_id("plan-broadworks").locator("li")).to_have_count(8)
    passwords = page.get_by_test_id("generated-passwords")
    expect(passwords).to_contain_text("copy them now")
    expect(passwords).to_contain_text("ada.lovelace@hostedcomm.com")
    expect(passwords).to_contain_text("grace.hopper@hostedcomm.com")
    expect(passwords.get_by_test_id("password")).to_have_count(2)

    page.reload()  # shown once only
    expect(page.get_by_role("heading", name="Preview the build of AlphaWidgets")).to_be_visible()
    expect(page.get_by_test_id("generated-passwords")).to_have_count(0)

    page.once("dialog", lambda dialog: dialog.accept())  # data-confirm
    page.get_by_role("button", name="Confirm and build").click()
    expect(page.get_by_role("alert").filter(has_text="Build of AlphaWidgets confirmed and queued.")).to_be_visible()
    expect(page.get_by_test_id("build-state")).to_contain_text("Confirmed at")
    expect(page.get_by_test_id("admins")).to_contain_text("grace.hopper@hostedcomm.com")
    assert not CustomerGroup.objects.get().is_draft
