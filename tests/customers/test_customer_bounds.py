"""Bounds on what a customer's requests take (#17): the numbers cap on changes and bulk uploads,
and text within its column's length (PostgreSQL would refuse a longer one with a server error)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.choices import Role
from customers.models import BulkUpload, ServiceBuild

from .bulk_data import as_csv, customer_row

pytestmark = pytest.mark.django_db


def test_a_change_naming_more_numbers_than_the_cap_is_refused_naming_it(api_as, world, built):
    client = api_as(world.user(Role.COORDINATOR))
    many = [f"+4420794{n:05d}" for n in range(10_001)]
    response = client.post(
        f"/api/v1/customer-groups/{built.pk}/changes/", {"change": "add_numbers", "numbers": many}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "numbers": ["One request may name at most 10,000 numbers. Split it into several requests."]
    }
    assert not ServiceBuild.objects.filter(kind="change").exists()


def test_an_administrators_name_longer_than_its_column_is_refused_beside_the_field(api_as, world, built):
    client = api_as(world.user(Role.COORDINATOR))
    response = client.post(
        f"/api/v1/customer-groups/{built.pk}/changes/",
        {"change": "add_admin", "first_name": "A" * 65, "last_name": "Lovelace"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"first_name": ["Ensure this field has no more than 64 characters."]}


def test_a_bulk_upload_naming_more_numbers_than_the_cap_in_all_is_refused_naming_it(api_as, world, settings):
    settings.NUMBERS_PER_REQUEST_MAX = 5  # each row names three numbers
    client = api_as(world.user(Role.PARTNER_USER))
    content = as_csv([customer_row(0), customer_row(1)])
    response = client.post(
        "/api/v1/bulk-uploads/", {"file": SimpleUploadedFile("customers.csv", content)}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json() == {
        "file": [
            "That is more than 5 numbers; one request may name at most 5 numbers. Split it into several requests. "
            "(row 3 goes past it)"
        ]
    }
    assert not BulkUpload.objects.exists()
