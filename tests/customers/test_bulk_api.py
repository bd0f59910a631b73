"""/api/v1/bulk-uploads/ (#15): the same check, confirmation and retry as the page, in API.md's shapes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.choices import Role
from customers import build_steps
from customers.models import BulkUpload, CustomerGroup, ServiceBuild
from integrations.base import PermanentError

from .build_request_data import stock_pool
from .bulk_data import as_csv, as_xlsx, customer_row
from .fake_platforms import fake_platforms

pytestmark = pytest.mark.django_db
URL = "/api/v1/bulk-uploads/"


@pytest.fixture
def platforms(monkeypatch):
    fake = fake_platforms()
    monkeypatch.setattr(build_steps, "get_platforms", lambda: fake)
    return fake


def post_file(client, content, name="customers.csv", **fields):
    return client.post(URL, {"file": SimpleUploadedFile(name, content), **fields}, format="multipart")


def test_a_partner_user_uploads_and_gets_every_mistake_by_row_column_and_cell_G5(api_as, world):
    stock_pool(world, count=6)
    client = api_as(world.user(Role.PARTNER_USER))
    response = post_file(client, as_csv([customer_row(0), customer_row(1, domain="example.com")]))
    assert response.status_code == 201
    body = response.json()
    assert (body["partner"], body["status"], body["row_count"], body["error_count"], body["can_confirm"]) == (
        "ACME01",
        "checked",
        2,
        1,
        False,
    )
    assert body["errors"] == [
        {"row": 3, "column": "domain", "cell": "C3", "message": "Choose exponential-e.com or hostedcomm.com (G5)."}
    ]
    assert [r["group_id"] for r in body["rows"]] == ["Customer0", "Customer1"] and body["progress"] is None


def test_a_file_that_cannot_be_read_or_a_partner_not_live_is_a_400_and_keeps_nothing_O6(api_as, world):
    client = api_as(world.user(Role.COORDINATOR))
    unreadable = post_file(client, b"group_id,admin_1_password\n", partner="ACME01")
    assert unreadable.status_code == 400 and "passwords never go in a spreadsheet" in unreadable.json()["file"][0]
    not_live = post_file(client, as_csv([customer_row(0)]), partner="BETA02")
    assert not_live.status_code == 400 and "(O6)" in not_live.json()["partner"][0]
    no_partner = post_file(client, as_csv([customer_row(0)]))
    assert no_partner.json() == {"partner": ["Name the partner these customers are for."]}
    assert not BulkUpload.objects.exists()


def test_a_partner_user_cannot_name_another_partner_and_a_trainer_cannot_upload(api_as, world):
    partner_client = api_as(world.user(Role.PARTNER_USER))
    assert post_file(partner_client, as_csv([customer_row(0)]), partner="BETA02").status_code == 400
    trainer_client = api_as(world.user(Role.TRAINER))
    assert post_file(trainer_client, as_csv([customer_row(0)]), partner="ACME01").status_code == 403


def test_confirm_once_returns_the_passwords_once_and_a_second_confirm_is_409_A2(api_as, world, platforms):
    stock_pool(world, count=6)
    client = api_as(world.user(Role.COORDINATOR))
    upload = post_file(client, as_xlsx([customer_row(0), customer_row(1)]), name="c.xlsx", partner="ACME01").json()
    assert upload["can_confirm"] is True
    confirmed = client.post(f"{URL}{upload['id']}/confirm/")
    assert confirmed.status_code == 200
    body = confirmed.json()
    assert body["status"] == "confirmed" and set(body["generated_passwords"]) == {"Customer0", "Customer1"}
    assert list(body["generated_passwords"]["Customer0"]) == ["ada.lovelace0@hostedcomm.com"]
    again = client.post(f"{URL}{upload['id']}/confirm/")
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    read = client.get(f"{URL}{upload['id']}/").json()
    assert "generated_passwords" not in read and read["progress"]["total"] == 2
    assert all(row["customer_group"] for row in read["rows"])
    assert CustomerGroup.objects.count() == 2 and ServiceBuild.objects.count() == 2


def test_an_upload_with_errors_is_not_confirmed(api_as, world):
    stock_pool(world, count=3)
    client = api_as(world.user(Role.PARTNER_USER))
    upload = post_file(client, as_csv([customer_row(0, domain="example.com")])).json()
    response = client.post(f"{URL}{upload['id']}/confirm/")
    assert response.status_code == 400 and "nothing is built while any row is wrong" in response.json()["file"][0]


def test_retry_reruns_every_failed_build_of_the_upload(api_as, world, platforms, django_capture_on_commit_callbacks):
    stock_pool(world, count=3)
    platforms.faults.fail("add_group_admin", PermanentError("[Error 4500] User already exists"))
    client = api_as(world.user(Role.PARTNER_USER))
    upload = post_file(client, as_csv([customer_row(0)])).json()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{URL}{upload['id']}/confirm/")
    progress = client.get(f"{URL}{upload['id']}/").json()["progress"]
    assert progress["failed"] == 1 and "User already exists" in progress["failures"][0]["error"]
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(f"{URL}{upload['id']}/retry/").json()
    assert retried["retried"] == ["Customer0"]
    assert client.get(f"{URL}{upload['id']}/").json()["progress"]["succeeded"] == 1


def test_another_partners_upload_is_a_404_everywhere(api_as, world):
    stock_pool(world, count=3)
    upload = post_file(api_as(world.user(Role.PARTNER_USER)), as_csv([customer_row(0)])).json()
    other = api_as(world.user("partner_b_user"))
    for method, path in (("get", ""), ("post", "confirm/"), ("post", "retry/")):
        assert getattr(other, method)(f"{URL}{upload['id']}/{path}").status_code == 404
    assert other.get(URL).json()["count"] == 0
    assert api_as(world.user(Role.MANAGER)).get(f"{URL}?partner=ACME01&status=checked").json()["count"] == 1
