"""Bulk onboarding in a real browser (#15): a partner user downloads the template, uploads customers,
reads each mistake by row and cell (and downloads them), uploads the corrected file, checks the one
preview, confirms once, copies the generated passwords (A2), watches n of N built and retries the
failed one."""

import csv
from pathlib import Path

import pytest
from playwright.sync_api import expect

from customers import build_steps
from customers.models import CustomerGroup
from integrations.base import PermanentError
from tests.customers.build_request_data import stock_pool
from tests.customers.bulk_data import as_csv, customer_row
from tests.customers.fake_platforms import fake_platforms
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def choose_file(page, name, content):
    page.locator("#id_file").set_input_files(files=[{"name": name, "mimeType": "text/csv", "buffer": content}])
    page.get_by_role("button", name="Check the file").click()


def test_a_partner_user_onboards_customers_from_a_spreadsheet(page, log_in, world, monkeypatch):
    platforms = fake_platforms()
    monkeypatch.setattr(build_steps, "get_platforms", lambda: platforms)  # the live server runs in this process
    platforms.faults.fail("add_group_admin", PermanentError("[Error 4500] User already exists"))
    stock_pool(world, count=9)
    log_in("acme_user", TEST_PASSWORD)
    page.get_by_role("link", name="Customers", exact=True).click()
    page.get_by_role("link", name="Bulk onboarding").click()
    expect(page.get_by_role("heading", name="Bulk onboarding")).to_be_visible()
    expect(page.locator("#id_partner")).to_have_count(0)  # their own partner only
    with page.expect_download() as template:
        page.get_by_role("link", name="Download the template (XLSX)").click()
    assert template.value.suggested_filename == "customers-template.xlsx"

    # Two mistakes: a group ID used twice in the file (G3), a business profile number outside the group (B1).
    rows = [
        customer_row(0),
        customer_row(1, group_id="customer0"),
        customer_row(2, business_profile_number="020 7946 0000"),
    ]
    choose_file(page, "customers.csv", as_csv(rows))
    expect(page.get_by_role("alert").filter(has_text="2 of 3 rows have errors: nothing will be built.")).to_be_visible()
    errors = page.get_by_test_id("upload-errors")
    expect(errors.locator("tbody tr")).to_have_count(2)
    expect(errors.locator('tr[data-row="3"][data-column="group_id"]')).to_contain_text("also row 2's")
    expect(errors.locator('tr[data-row="4"][data-column="business_profile_number"]')).to_contain_text("F4")
    expect(page.get_by_role("button", name="Confirm and build")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the errors (CSV)").click()
    lines = list(csv.reader(Path(download.value.path()).read_text().splitlines()))
    assert [line[:3] for line in lines] == [
        ["row", "column", "cell"],
        ["3", "group_id", "A3"],
        ["4", "business_profile_number", "F4"],
    ]
    assert not CustomerGroup.objects.exists()

    # Corrected and uploaded again: one preview, one confirmation.
    page.get_by_role("link", name="Upload another file").click()
    choose_file(page, "customers-fixed.csv", as_csv([customer_row(0), customer_row(1), customer_row(2)]))
    expect(page.get_by_role("alert").filter(has_text="All 3 rows are ready")).to_be_visible()
    preview = page.get_by_test_id("upload-preview")
    expect(preview.locator("tbody tr")).to_have_count(3)
    expect(preview).to_contain_text("ada.lovelace2@hostedcomm.com")
    page.once("dialog", lambda dialog: dialog.accept())  # data-confirm
    page.get_by_role("button", name="Confirm and build all 3").click()

    expect(page.get_by_role("alert").filter(has_text="3 customers confirmed; their builds are queued.")).to_be_visible()
    passwords = page.get_by_test_id("generated-passwords")
    expect(passwords.get_by_test_id("password")).to_have_count(3)
    expect(passwords).to_contain_text("ada.lovelace1@hostedcomm.com")
    expect(page.get_by_test_id("bulk-count")).to_contain_text("2 of 3 built; 1 failed")
    expect(page.get_by_test_id("bulk-failures")).to_contain_text("User already exists")

    page.get_by_role("button", name="Retry all failed").click()
    expect(page.get_by_role("alert").filter(has_text="Retrying 1 failed builds")).to_be_visible()
    expect(page.get_by_test_id("bulk-count")).to_contain_text("3 of 3 built")
    expect(page.get_by_test_id("generated-passwords")).to_have_count(0)  # shown once
    assert CustomerGroup.objects.filter(submitted_at__isnull=False).count() == 3
