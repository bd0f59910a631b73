"""Bulk onboarding pages (#15): upload, errors by row and cell (and as a file), one preview, one
confirmation, one progress view with "retry all failed"."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.choices import Role
from customers import build_steps
from customers.bulk_sheet import read_sheet
from customers.models import BulkUpload, CustomerGroup, ServiceBuild
from integrations.base import PermanentError

from .build_request_data import stock_pool
from .bulk_data import as_csv, as_xlsx, customer_row
from .fake_platforms import fake_platforms

pytestmark = pytest.mark.django_db


@pytest.fixture
def platforms(monkeypatch):
    fake = fake_platforms()
    monkeypatch.setattr(build_steps, "get_platforms", lambda: fake)
    return fake


def upload_file(client, content, name="customers.csv", follow=False, **fields):
    data = {"file": SimpleUploadedFile(name, content), **fields}
    return client.post(reverse("customers:bulk_upload"), data, follow=follow)


def test_the_customers_list_links_to_bulk_onboarding_and_the_page_offers_both_templates(client, world):
    client.force_login(world.user(Role.PARTNER_USER))
    assert reverse("customers:bulk_upload") in client.get(reverse("customers:group_list")).content.decode()
    page = client.get(reverse("customers:bulk_upload"))
    assert "partner" not in page.context["form"].fields, "a partner user uploads for their own partner"
    for fmt in ("xlsx", "csv"):
        response = client.get(reverse("customers:bulk_template", args=[fmt]))
        assert response["Content-Disposition"] == f'attachment; filename="customers-template.{fmt}"'
        assert read_sheet(f"t.{fmt}", response.content).rows[0][1]["name"] == "Alpha Widgets Ltd"


def test_a_file_with_mistakes_lists_them_by_row_and_cell_and_as_a_download_G5_B1(client, world):
    stock_pool(world, count=6)
    client.force_login(world.user(Role.PARTNER_USER))
    rows = [customer_row(0, domain="example.com"), customer_row(1, business_profile_number="020 7946 0000")]
    response = upload_file(client, as_csv(rows), follow=True)
    body = response.content.decode()
    assert "2 of 2 rows have errors: nothing will be built." in body
    assert 'data-row="2" data-column="domain"' in body and 'data-row="3" data-column="business_profile_number"' in body
    assert "Confirm and build" not in body
    upload = BulkUpload.objects.get()
    download = client.get(reverse("customers:bulk_errors", args=[upload.pk]))
    lines = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert lines[0] == ["row", "column", "cell", "message"]
    assert lines[1][:3] == ["2", "domain", "C2"] and "(G5)" in lines[1][3]
    assert lines[2][:3] == ["3", "business_profile_number", "F3"] and "(B1)" in lines[2][3]


def test_an_unreadable_file_is_refused_beside_the_file_field(client, world):
    client.force_login(world.user(Role.PARTNER_USER))
    response = upload_file(client, b"group_id,colour\nA,red\n")
    assert response.status_code == 200
    assert "Unknown column colour" in " ".join(response.context["form"].errors["file"])
    assert not BulkUpload.objects.exists()


def test_staff_choose_the_partner_and_a_partner_not_live_is_refused_there_O6(client, world):
    client.force_login(world.user(Role.COORDINATOR))
    response = upload_file(client, as_csv([customer_row(0)]), partner=world.partner_b.pk)
    assert response.context["form"].errors["partner"] == [
        "BETA02 is not live yet: customers are built after go-live (O6)."
    ]


def test_one_preview_one_confirmation_then_progress_with_the_passwords_shown_once_A2(
    client, world, platforms, django_capture_on_commit_callbacks
):
    stock_pool(world, count=6)
    client.force_login(world.user(Role.COORDINATOR))
    response = upload_file(
        client, as_xlsx([customer_row(0), customer_row(1)]), name="c.xlsx", partner=world.partner_a.pk, follow=True
    )
    body = response.content.decode()
    assert "All 2 rows are ready" in body and 'data-testid="upload-preview"' in body
    assert "ada.lovelace1@hostedcomm.com" in body and "3: +442079460003–+442079460005" in body
    upload = BulkUpload.objects.get()
    with django_capture_on_commit_callbacks(execute=True):  # the builds run as the confirmation commits
        client.post(reverse("customers:bulk_confirm", args=[upload.pk]))
    body = client.get(reverse("customers:bulk_detail", args=[upload.pk])).content.decode()
    assert "2 customers confirmed; their builds are queued." in body
    assert body.count('data-testid="password"') == 2 and "ada.lovelace0@hostedcomm.com" in body
    assert "<strong>2 of 2</strong> built" in body and "hx-trigger" not in body, "no polling once all are built"
    again = client.get(reverse("customers:bulk_detail", args=[upload.pk])).content.decode()
    assert 'data-testid="password"' not in again, "shown once"
    with django_capture_on_commit_callbacks(execute=True):
        twice = client.post(reverse("customers:bulk_confirm", args=[upload.pk]), follow=True)
    assert "already confirmed" in twice.content.decode()
    assert CustomerGroup.objects.count() == 2 and ServiceBuild.objects.count() == 2


def test_progress_polls_while_builds_run(client, world, django_capture_on_commit_callbacks):
    stock_pool(world, count=3)
    client.force_login(world.user(Role.PARTNER_USER))
    upload_file(client, as_csv([customer_row(0)]))
    upload = BulkUpload.objects.get()
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("customers:bulk_confirm", args=[upload.pk]))
    partial = client.get(reverse("customers:bulk_progress", args=[upload.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in partial and "<strong>0 of 1</strong> built; 1 under way" in partial


def test_retry_all_failed_from_the_progress_view(client, world, platforms, django_capture_on_commit_callbacks):
    stock_pool(world, count=6)
    platforms.faults.fail("add_group_admin", PermanentError("[Error 4500] User already exists"))
    client.force_login(world.user(Role.PARTNER_USER))
    upload_file(client, as_csv([customer_row(0), customer_row(1)]))
    upload = BulkUpload.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customers:bulk_confirm", args=[upload.pk]))
    body = client.get(reverse("customers:bulk_detail", args=[upload.pk])).content.decode()
    assert "<strong>1 of 2</strong> built; 1 failed" in body and "User already exists" in body
    assert "Retry all failed" in body
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customers:bulk_retry", args=[upload.pk]))
    body = client.get(reverse("customers:bulk_detail", args=[upload.pk])).content.decode()
    assert "Retrying 1 failed builds from their failed steps." in body and "<strong>2 of 2</strong> built" in body


def test_staff_who_do_not_build_read_an_upload_but_neither_confirm_nor_retry(client, world):
    stock_pool(world, count=3)
    client.force_login(world.user(Role.PARTNER_USER))
    upload_file(client, as_csv([customer_row(0)]))
    upload = BulkUpload.objects.get()
    client.force_login(world.user(Role.TRAINER))
    assert "Confirm and build" not in client.get(reverse("customers:bulk_detail", args=[upload.pk])).content.decode()
    assert client.post(reverse("customers:bulk_confirm", args=[upload.pk])).status_code == 403
    assert not CustomerGroup.objects.exists()
