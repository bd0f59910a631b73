"""Request bodies over their limit (#17, expoe_portal.middleware.RequestSizeLimitMiddleware): the API
answers 413 JSON `request_too_large`, a page the friendly error page; uploads get their own room."""

import json
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory

from accounts.choices import Role
from expoe_portal import bounds
from expoe_portal.middleware import RequestSizeLimitMiddleware

OVER = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
THREE_MB = 3 * 2**20


@pytest.mark.django_db
def test_an_over_size_api_request_is_413_json(api_as, world):
    client = api_as(world.user(Role.PARTNER_USER))
    body = json.dumps({"registered_address": "x" * THREE_MB})
    response = client.generic("POST", "/api/v1/port-requests/", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "The request is 3.0 MB; the limit is 2.5 MB.", "code": "request_too_large"}


@pytest.mark.django_db
def test_an_over_size_page_request_shows_the_friendly_error_page(client, world):
    client.force_login(world.user(Role.PARTNER_USER))
    body = urlencode({"registered_address": "x" * THREE_MB})
    response = client.post("/ports/new/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    page = response.content.decode()
    assert "That was too much to send at once" in page and "The request is 3.0 MB; the limit is 2.5 MB." in page


@pytest.mark.django_db
def test_a_multipart_form_whose_text_is_over_the_limit_gets_the_same_answers(client, api_as, world):
    # A multipart body has room for an upload, so Django's own check on its text fields refuses it.
    client.force_login(world.user(Role.PARTNER_USER))
    response = client.post("/ports/new/", {"registered_address": "x" * THREE_MB})
    assert response.status_code == 413
    assert "The fields of the form are over 2.5 MB in all." in response.content.decode()
    api = api_as(world.user(Role.PARTNER_USER))
    response = api.post("/api/v1/port-requests/", {"registered_address": "x" * THREE_MB}, format="multipart")
    assert response.status_code == 413
    assert response.json() == {"detail": "The fields of the form are over 2.5 MB in all.", "code": "request_too_large"}


def _passes(request) -> bool:
    return RequestSizeLimitMiddleware(lambda r: HttpResponse("read"))(request).status_code == 200


def test_an_upload_gets_room_for_its_file_and_no_more():
    factory = RequestFactory()

    def multipart(size):
        return factory.post(
            "/ports/1/documents/",
            data=b"x" * size,
            content_type="multipart/form-data; boundary=xyz",
        )

    assert _passes(multipart(settings.PORTING_DOCUMENT_MAX_BYTES + 100_000))  # its fields beside the file
    assert not _passes(multipart(settings.UPLOAD_REQUEST_MAX_BYTES + 1))
    assert not _passes(factory.post("/api/v1/port-requests/", data=b"x" * OVER, content_type="application/json"))
    assert _passes(factory.post("/api/v1/port-requests/", data=b"x" * (OVER - 1), content_type="application/json"))


def test_the_limits_agree_with_each_other():
    # Every upload fits in a request with room for its form fields; the checks that name the
    # upload's own limit (porting/documents.py, customers/bulk_sheet.py) are the ones people see.
    for upload_limit in (settings.PORTING_DOCUMENT_MAX_BYTES, settings.CUSTOMER_BULK_UPLOAD_MAX_BYTES):
        assert upload_limit + 2**19 < settings.UPLOAD_REQUEST_MAX_BYTES
    # The longest list of numbers a form takes fits in a body even form-encoded (3 bytes a character).
    assert 3 * bounds.numbers_text_length() < settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    # The cap the next issue needs (10,000 numbers per port request).
    assert bounds.numbers_per_request() >= 10_000


@pytest.mark.django_db
def test_too_many_fields_get_the_friendly_page_and_json_on_the_api(client, api_as, world):
    fields = urlencode({f"field{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)})
    client.force_login(world.user(Role.PARTNER_USER))
    response = client.post("/ports/new/", fields, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "The form sent more fields or files than any of ours has." in response.content.decode()
    api = api_as(world.user(Role.PARTNER_USER))
    response = api.generic("POST", "/api/v1/port-requests/", fields, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_system_written_text_is_cut_to_its_column():
    from expoe_portal.outbox import EMAILS

    fields = EMAILS._within_limits({"last_error": "e" * (bounds.SYSTEM_TEXT + 5), "status": "failed"})
    assert len(fields["last_error"]) == bounds.SYSTEM_TEXT and fields["last_error"].endswith("…")
    assert fields["status"] == "failed"
