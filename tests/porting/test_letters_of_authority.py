"""Letters of authority (#18): generated from the request, signed online or uploaded as a scan, and
required before submission where the country says so (P3, P6)."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.choices import Role
from accounts.models import AuditEvent
from customers.models import CustomerGroup
from porting import documents, loa, services
from porting.choices import DocumentKind, PortStatus
from porting.models import PortDocument, PortingCountry, PortRequest

from .loa_text import page_count, pdf_text
from .walk import new_draft, sign_loa

pytestmark = pytest.mark.django_db


def _group(world, name="Acme Dental Ltd"):
    return CustomerGroup.objects.create(partner=world.partner_a, group_id="acme-dental", name=name)


def test_P3_the_letter_is_pre_filled_from_the_request(world):
    draft = new_draft(
        world,
        customer_group=_group(world),
        registered_address="7 Park Row, Leeds LS1 5HD",
        losing_provider="Virgin Media",
    )
    draft.requested_port_date = date(2026, 12, 14)  # the port-dates slice adds the field; read if present
    text = pdf_text(loa.loa_pdf(draft, compress=False))
    for value in (
        "Acme Dental Ltd",
        "7 Park Row, Leeds LS1 5HD",
        draft.main_billing_number,
        draft.numbers[0],
        draft.numbers[-1],
        "Virgin Media",
        "14 December 2026",
        f"{world.partner_a.name} ({world.partner_a.partner_id})",
        "Gaining provider EXPO.e",
    ):
        assert value in text, value
    assert "Name: ____" in text  # to be signed by hand, or online


def test_P3_a_letter_for_10000_numbers_lists_every_one_over_as_many_pages_as_it_needs():
    scattered = [f"+44113{n:06d}" for n in range(0, 20_000, 2)]  # no two consecutive: no ranges
    port_request = SimpleNamespace(
        pk=1,
        country="GB",
        numbers=scattered,
        main_billing_number=scattered[0],
        registered_address="1 High Street, Leeds LS1 1AA",
        losing_provider="BT",
        customer_group=None,
        partner=SimpleNamespace(name="Acme", partner_id="ACME01"),
    )
    pdf = loa.loa_pdf(port_request, compress=False)
    text = pdf_text(pdf)
    assert page_count(pdf) > 20
    assert all(number in text for number in scattered[::997] + [scattered[-1]])
    assert "Numbers to port (10,000)" in text
    assert f"page {page_count(pdf)}" in text  # each page has its footer


def test_P3_consecutive_numbers_are_listed_as_ranges():
    numbers = [f"+4411349600{n:02d}" for n in range(50)] + ["+441134960099"]
    assert loa.number_ranges(numbers) == ["+441134960000 – +441134960049 (50 numbers)", "+441134960099"]


def test_P6_signing_online_stamps_name_position_time_and_address_into_the_pdf_and_audits(world):
    draft = new_draft(world)
    partner_user = world.user(Role.PARTNER_USER)
    with time_machine.travel(datetime(2026, 11, 30, 14, 5, 9, tzinfo=UTC), tick=False):
        signed = documents.loa_sign_online(
            by=partner_user,
            port_request=draft,
            name="Priya Shah",
            position="Practice Manager",
            consent=True,
            address="198.51.100.23",
        )
    assert signed.kind == DocumentKind.LETTER_OF_AUTHORITY and signed.uploaded_by == partner_user
    assert (signed.signer_name, signed.signer_position, str(signed.signed_from)) == (
        "Priya Shah",
        "Practice Manager",
        "198.51.100.23",
    )
    with signed.file.open("rb") as stored:
        text = pdf_text(stored.read())
    assert "Name: Priya Shah" in text and "Position: Practice Manager" in text
    assert "2026-11-30 14:05:09 UTC from the address 198.51.100.23" in text
    assert f"Collected by the portal user: {partner_user.display_name} ({partner_user.username})" in text
    assert loa.LOA_CONSENT[:60] in text
    audit = AuditEvent.objects.get(action="port_loa.signed_online")
    assert audit.actor == partner_user
    assert audit.changes["signer"] == "Priya Shah" and audit.changes["address"] == "198.51.100.23"
    assert audit.changes["signed_at"] == "2026-11-30T14:05:09+00:00"
    assert loa.current_loa(PortRequest.objects.get(pk=draft.pk)) == signed


def test_P6_signing_needs_a_name_a_position_and_the_consent(world):
    draft = new_draft(world)
    with pytest.raises(ValidationError) as exc:
        documents.loa_sign_online(
            by=world.user(Role.PARTNER_USER), port_request=draft, name=" ", position="", consent=False, address="::1"
        )
    assert set(exc.value.message_dict) == {"name", "position", "consent"}
    assert not PortDocument.objects.exists() and not AuditEvent.objects.filter(action="port_loa.signed_online")


def test_P3_GB_submission_is_refused_without_a_signed_letter_and_the_refusal_names_it(world):
    assert PortingCountry.objects.get(code="GB").required_documents == ["letter_of_authority"]
    draft = new_draft(world)
    with pytest.raises(ValidationError) as exc:
        services.port_request_submit(by=world.user(Role.PARTNER_USER), port_request=draft)
    errors = exc.value.message_dict
    assert set(errors) == {"letter_of_authority", "__all__"}
    assert errors["__all__"] == ["Cannot submit yet; missing: a signed letter of authority."]
    assert PortRequest.objects.get(pk=draft.pk).status == PortStatus.DRAFT
    sign_loa(world, draft)
    assert services.port_request_submit(by=world.user(Role.PARTNER_USER), port_request=draft).status == "submitted"


def test_P6_a_country_that_does_not_require_the_letter_submits_without_one(world):
    assert PortingCountry.objects.get(code="DE").required_documents == []
    draft = new_draft(
        world,
        country="DE",
        region="",
        registered_address="Hauptstraße 1, Berlin",
        main_billing_number="+49 30 901820",
        numbers=["+49 30 901821"],
    )
    submitted = services.port_request_submit(by=world.user(Role.PARTNER_USER), port_request=draft)
    assert submitted.status == PortStatus.SUBMITTED and not submitted.documents.exists()


def test_P3_an_uploaded_scan_of_the_signed_letter_counts(world):
    draft = new_draft(world)
    scan = SimpleUploadedFile("signed-loa.pdf", b"%PDF-1.4 signed scan", content_type="application/pdf")
    documents.port_document_add(
        by=world.user(Role.PARTNER_USER), port_request=draft, kind=DocumentKind.LETTER_OF_AUTHORITY, upload=scan
    )
    assert "letter_of_authority" not in services.missing_for_submission(PortRequest.objects.get(pk=draft.pk))
    bill = SimpleUploadedFile("bill.pdf", b"%PDF-1.4 bill", content_type="application/pdf")
    other = new_draft(world)
    documents.port_document_add(
        by=world.user(Role.PARTNER_USER), port_request=other, kind=DocumentKind.LATEST_BILL, upload=bill
    )
    assert "letter_of_authority" in services.missing_for_submission(PortRequest.objects.get(pk=other.pk))


@pytest.mark.parametrize(
    "change",
    [
        {"numbers": ["+441134969001"]},
        {"registered_address": "9 Other Road, London EC1A 1BB"},
        {"losing_provider": "TalkTalk"},
    ],
)
def test_P3_a_signed_letter_is_void_once_its_numbers_address_or_losing_provider_change(world, client, change):
    draft = new_draft(world, signed_loa=True)
    partner_user = world.user(Role.PARTNER_USER)
    services.port_request_update(by=partner_user, port_request=draft, data=change)
    draft = PortRequest.objects.get(pk=draft.pk)
    missing = services.missing_for_submission(draft)
    assert (
        "signed before the numbers, the address, the losing provider or the end customer changed"
        in (missing["letter_of_authority"])
    )
    with pytest.raises(ValidationError):
        services.port_request_submit(by=partner_user, port_request=draft)
    client.force_login(partner_user)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "no longer covers this request" in page and "(P3" not in page  # partners see no rule ids
    sign_loa(world, draft)
    assert services.port_request_submit(by=partner_user, port_request=draft).status == PortStatus.SUBMITTED


def test_P3_the_letter_downloads_from_the_page_and_is_signed_online_there(client, world):
    draft = new_draft(world)
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.get(draft.get_absolute_url()).content.decode()
    assert reverse("porting:loa_download", args=[draft.pk]) in page and "Not signed yet" in page
    pdf = client.get(reverse("porting:loa_download", args=[draft.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert draft.main_billing_number in pdf_text(pdf.content)
    form = client.get(reverse("porting:loa_sign", args=[draft.pk])).content.decode()
    assert loa.LOA_CONSENT in form
    refused = client.post(reverse("porting:loa_sign", args=[draft.pk]), {"name": "Sam Lee", "position": "Director"})
    assert refused.status_code == 200 and not PortDocument.objects.exists()
    signed = client.post(
        reverse("porting:loa_sign", args=[draft.pk]),
        {"name": "Sam Lee", "position": "Director", "consent": "on"},
        REMOTE_ADDR="203.0.113.50",
    )
    assert signed.status_code == 302
    letter = PortDocument.objects.get()
    assert (letter.signer_name, str(letter.signed_from)) == ("Sam Lee", "203.0.113.50")
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Signed online by Sam Lee (Director)" in page


def test_P3_the_api_serves_the_letter_as_a_pdf_and_signs_it(api_as, world):
    draft = new_draft(world)
    client = api_as(world.user(Role.PARTNER_USER))
    pdf = client.get(f"/api/v1/port-requests/{draft.pk}/loa/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert api_as(world.user("partner_b_user")).get(f"/api/v1/port-requests/{draft.pk}/loa/").status_code == 404
    client = api_as(world.user(Role.PARTNER_USER))
    refused = client.post(f"/api/v1/port-requests/{draft.pk}/loa/sign/", {"name": "Sam Lee"}, format="json")
    assert refused.status_code == 400 and {"position", "consent"} <= set(refused.json())
    unconsented = {"name": "Sam Lee", "position": "Director", "consent": False}
    refused = client.post(f"/api/v1/port-requests/{draft.pk}/loa/sign/", unconsented, format="json")
    assert refused.status_code == 400 and "consent" in refused.json()
    signed = client.post(f"/api/v1/port-requests/{draft.pk}/loa/sign/", {**unconsented, "consent": True}, format="json")
    assert signed.status_code == 201, signed.content
    body = signed.json()
    assert body["signer_name"] == "Sam Lee" and body["collected_by"] == "acme_user" and body["signed_online"]
    detail = client.get(f"/api/v1/port-requests/{draft.pk}/").json()
    assert detail["letter_of_authority"]["id"] == body["id"]
    assert "letter_of_authority" not in detail["missing_for_submission"]
