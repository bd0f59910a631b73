"""Port pages: partner users draft and submit their own; the co-ordinators' queue and its filters;
the request page with its timeline, rejections, documents and comments (P1, P3-P5, P7)."""

import csv
import io
import os
import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from porting import views
from porting.choices import PortStatus
from porting.models import LeadTimeRule, PortComment, PortDocument, PortRequest
from tests.services import require_postgresql

from .walk import port_in_state, run

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_documents(settings, tmp_path):
    settings.PORTING_DOCUMENT_ROOT = str(tmp_path / "private")


def test_P3_partner_user_drafts_sees_what_is_missing_and_submits(client, world):
    client.force_login(world.user(Role.PARTNER_USER))
    response = client.post(
        reverse("porting:create"),
        {"country": "GB", "numbers": "0113 496 0700\n0113 496 0701 - 0113 496 0703", "number_type": "analogue"},
    )
    port_request = PortRequest.objects.get()
    assert response.status_code == 302 and port_request.partner == world.partner_a
    assert port_request.numbers[-1] == "+441134960703"
    page = client.get(port_request.get_absolute_url()).content.decode()
    assert "Still needed before submission" in page and "Range holder is required before submission." in page
    refused = client.post(reverse("porting:transition", args=[port_request.pk, "submit"]), {"submit-note": ""})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Cannot submit yet; missing:" in text and "main billing number" in text and "risk acknowledgement" in text
    edit = client.post(
        reverse("porting:edit", args=[port_request.pk]),
        {
            "country": "GB",
            "region": "WLS",
            "number_type": "analogue",
            "main_billing_number": "0113 496 0700",
            "numbers": "0113 496 0700\n0113 496 0701 - 0113 496 0703",
            "registered_address": "2 Castle Street, Cardiff CF10 1BH",
            "losing_provider": "BT",
            "range_holder": "BT",
            "risks_acknowledged": "on",
        },
    )
    assert edit.status_code == 302, edit.content.decode()[:2000]
    signed = client.post(
        reverse("porting:loa_sign", args=[port_request.pk]),
        {"name": "Alex Example", "position": "Director", "consent": "on"},
    )
    assert signed.status_code == 302, signed.content.decode()[:2000]
    done = client.post(reverse("porting:transition", args=[port_request.pk, "submit"]), {"submit-note": "LoA signed"})
    assert done.status_code == 302
    assert PortRequest.objects.get().status == PortStatus.SUBMITTED


def test_bad_input_is_shown_beside_the_field(client, world):
    client.force_login(world.user(Role.PARTNER_USER))
    response = client.post(reverse("porting:create"), {"country": "GB", "numbers": "not a number", "region": ""})
    assert response.status_code == 200
    assert "“not a number”" in response.content.decode()
    assert not PortRequest.objects.exists()


def test_P1_partner_user_cannot_pick_another_partner_and_staff_can(client, world):
    client.force_login(world.user(Role.PARTNER_USER))
    assert 'name="partner"' not in client.get(reverse("porting:create")).content.decode()
    client.force_login(world.user(Role.COORDINATOR))
    response = client.post(reverse("porting:create"), {"partner": world.partner_b.pk, "country": "DE"})
    assert response.status_code == 302 and PortRequest.objects.get().partner == world.partner_b


def test_P4_detail_shows_the_port_date_with_its_rule_and_the_timeline(client, world):
    accepted = port_in_state(world, PortStatus.ACCEPTED)
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.get(accepted.get_absolute_url()).content.decode()
    assert f"{accepted.port_date:%-d %B %Y}" in page
    assert "GB, Analogue: 22 working days (onboarding guide)" in page
    assert "England bank holidays" in page and "The losing provider can cancel until" in page
    assert page.count('<li data-kind="state">') == 2  # submitted, accepted
    assert page.count('<li data-kind="created">') == 1


def test_the_timeline_mixes_state_changes_comments_and_documents_and_hides_internal_ones_from_partners(client, world):
    draft = port_in_state(world, PortStatus.DRAFT)
    client.force_login(world.user(Role.PARTNER_USER))
    client.post(reverse("porting:comment_add", args=[draft.pk]), {"body": "The LoA is attached."})
    client.post(
        reverse("porting:document_add", args=[draft.pk]),
        {"kind": "letter_of_authority", "file": SimpleUploadedFile("LoA.pdf", PDF)},
    )
    client.force_login(world.user(Role.COORDINATOR))
    client.post(
        reverse("porting:comment_add", args=[draft.pk]), {"body": "Chase BT on Monday"}
    )  # internal: the default

    def kinds_and_texts(page):
        return re.findall(r'<li data-kind="(\w+)">.*?(?:<div class="small">([^<]*)</div>)?</li>', page, re.S)

    staff = client.get(draft.get_absolute_url()).content.decode()
    assert [kind for kind, _ in kinds_and_texts(staff)] == ["created", "comment", "document", "comment"]
    assert "Internal comment" in staff and "Chase BT on Monday" in staff
    client.force_login(world.user(Role.PARTNER_USER))
    partner = client.get(draft.get_absolute_url()).content.decode()
    assert [kind for kind, _ in kinds_and_texts(partner)] == ["created", "comment", "document"]
    assert "Chase BT on Monday" not in partner and "Internal comment" not in partner


def test_P5_coordinator_records_a_rejection_on_the_page(client, world):
    submitted = port_in_state(world, PortStatus.SUBMITTED)
    client.force_login(world.user(Role.COORDINATOR))
    response = client.post(
        reverse("porting:transition", args=[submitted.pk, "reject"]),
        {"reject-code": "associated_numbers_missing", "reject-reason": "0113 496 0099 is on the account too"},
    )
    assert response.status_code == 302
    page = client.get(submitted.get_absolute_url()).content.decode()
    assert "Associated numbers missing" in page and "0113 496 0099 is on the account too" in page


def test_P7_late_cancellation_is_refused_on_the_page_with_the_reason(client, world):
    accepted = port_in_state(world, PortStatus.ACCEPTED)
    PortRequest.objects.filter(pk=accepted.pk).update(port_date=timezone.localdate() + timedelta(days=1))
    client.force_login(world.user(Role.COORDINATOR))
    response = client.post(
        reverse("porting:transition", args=[accepted.pk, "cancel_by_losing_provider"]),
        {"cancel_by_losing_provider-reason": "Customer disputed"},
    )
    assert response.status_code == 400
    assert "Too late: the losing provider could cancel only until" in response.content.decode()
    assert PortRequest.objects.get(pk=accepted.pk).status == PortStatus.ACCEPTED


def test_queue_filters_search_and_scope(client, world):
    a_submitted = port_in_state(world, PortStatus.SUBMITTED, losing_provider="Virgin Media")
    a_accepted = port_in_state(world, PortStatus.ACCEPTED)
    b_draft = port_in_state(world, PortStatus.DRAFT, partner=world.partner_b)
    de = port_in_state(
        world, PortStatus.DRAFT, country="DE", region="", numbers=["+49 30 901821"], main_billing_number="+49 30 901821"
    )
    soon = port_in_state(world, PortStatus.ACCEPTED)
    PortRequest.objects.filter(pk=soon.pk).update(port_date=timezone.localdate() + timedelta(days=1))
    client.force_login(world.user(Role.COORDINATOR))

    def ids(**params):
        page = client.get(reverse("porting:list"), params)
        assert page.status_code == 200
        return {
            pk
            for pk in (a_submitted.pk, a_accepted.pk, b_draft.pk, de.pk, soon.pk)
            if f'href="/ports/{pk}/"' in page.content.decode()
        }

    assert ids() == {a_submitted.pk, a_accepted.pk, b_draft.pk, de.pk, soon.pk}
    assert ids(status="accepted") == {a_accepted.pk, soon.pk}
    assert ids(country="DE") == {de.pk}
    assert ids(losing_provider="virgin media") == {a_submitted.pk}
    assert ids(due_soon="true") == {soon.pk}
    assert ids(in_window="true") == {soon.pk}
    assert ids(q="0113 496 " + a_accepted.numbers[1][-4:]) == {a_accepted.pk}
    client.force_login(world.user(Role.PARTNER_USER))
    assert ids() == {a_submitted.pk, a_accepted.pk, de.pk, soon.pk}
    assert client.get(b_draft.get_absolute_url()).status_code == 404


def test_queue_paginates(client, world):
    for _ in range(27):
        PortRequest.objects.create(partner=world.partner_a, country="GB")
    client.force_login(world.user(Role.COORDINATOR))
    first = client.get(reverse("porting:list")).content.decode()
    assert (
        first.count('href="/ports/')
        - first.count('href="/ports/new')
        - first.count("/ports/dashboard")
        - first.count("/ports/rules")
        - first.count("/ports/export")
        >= 25
    )
    second = client.get(reverse("porting:list"), {"page": 2})
    assert second.status_code == 200


def test_csv_export_is_filtered_and_scoped(client, world):
    port_in_state(world, PortStatus.SUBMITTED, losing_provider="=HYPERLINK(1)")
    port_in_state(world, PortStatus.DRAFT)
    port_in_state(world, PortStatus.DRAFT, partner=world.partner_b)
    client.force_login(world.user(Role.PARTNER_USER))
    response = client.get(reverse("porting:export_csv"), {"status": "submitted"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1 and rows[0]["partner"] == "ACME01" and rows[0]["status"] == "submitted"
    assert rows[0]["losing_provider"] == "'=HYPERLINK(1)"  # no formula in a spreadsheet
    everything = client.get(reverse("porting:export_csv"))
    assert len(list(csv.DictReader(io.StringIO(b"".join(everything.streaming_content).decode())))) == 2


def test_csv_export_writes_every_column_from_one_query_whatever_the_number_of_rows(
    client, world, django_assert_num_queries
):
    accepted = port_in_state(world, PortStatus.ACCEPTED)
    for _ in range(3):
        port_in_state(world, PortStatus.SUBMITTED)
    client.force_login(world.user(Role.COORDINATOR))
    response = client.get(reverse("porting:export_csv"))
    with django_assert_num_queries(1):  # the rows, read as plain values (#14), however many
        body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 4
    first = next(row for row in rows if row["id"] == str(accepted.pk))
    # Phone numbers stay text in a spreadsheet, "+" and all (#17).
    assert first["numbers"] == f'="{" ".join(accepted.numbers)}"'
    assert first["port_date"] == str(accepted.port_date)
    assert first["submitted_at"] == accepted.submitted_at.isoformat()


def test_postgresql_writes_the_same_csv_as_python_byte_for_byte(client, world, monkeypatch):
    """#14: on PostgreSQL the database writes the export (COPY); its bytes are the Python writer's,
    formula guard, quoting, empty cells, dates and numbers included."""
    require_postgresql()
    odd = port_in_state(
        world,
        PortStatus.ACCEPTED,
        losing_provider="=HYPERLINK(1)",
        range_holder='Smith, "Jones"\nand Sons',
    )
    PortRequest.objects.filter(pk=odd.pk).update(
        submitted_at=odd.submitted_at.replace(microsecond=0), region="-x", main_billing_number="-5"
    )
    submitted = port_in_state(world, PortStatus.SUBMITTED, range_holder="@SUM(A1) ünïcode")
    # (A fraction with trailing zeros: PostgreSQL's own text of it would drop them.)
    PortRequest.objects.filter(pk=submitted.pk).update(
        submitted_at=submitted.submitted_at.replace(microsecond=123450), main_billing_number="01134960500"
    )
    port_in_state(world, PortStatus.DRAFT, partner=world.partner_b, numbers=[])
    client.force_login(world.user(Role.COORDINATOR))

    def export() -> bytes:
        return b"".join(client.get(reverse("porting:export_csv")).streaming_content)

    by_database = export()
    monkeypatch.setattr(views, "database_writes_csv", lambda queryset: False)
    by_python = export()
    assert by_database == by_python
    rows = list(csv.DictReader(io.StringIO(by_database.decode())))
    assert len(rows) == 3 and rows[0]["losing_provider"] == "'=HYPERLINK(1)"
    assert rows[0]["range_holder"] == 'Smith, "Jones"\nand Sons' and rows[0]["region"] == "'-x"
    assert rows[0]["numbers"].startswith('="+44') and rows[1]["main_billing_number"] == '="01134960500"'


def test_csv_export_streams_in_chunks_from_one_query(client, world, monkeypatch):
    """100,000 rows start arriving at once: nothing is read before the response starts, and the
    rows come chunk by chunk from one query (a server-side cursor on PostgreSQL)."""
    monkeypatch.setattr(views, "CSV_CHUNK_ROWS", 2)
    client.force_login(world.user(Role.COORDINATOR))

    def export():
        with CaptureQueriesContext(connection) as before_body:
            response = client.get(reverse("porting:export_csv"), {"country": "GB"})
        assert isinstance(response, StreamingHttpResponse)
        rows = iter(response.streaming_content)
        with CaptureQueriesContext(connection) as header:
            assert next(rows).startswith(b"id,partner,country,")
        with CaptureQueriesContext(connection) as body:
            lines = b"".join(rows).splitlines()  # (sent in pieces of many lines, not a piece a line)
        reads_rows = [q for q in before_body.captured_queries if "porting_portrequest" in q["sql"]]
        assert reads_rows == [] and len(header.captured_queries) == 0
        return len(before_body.captured_queries), len(body.captured_queries), len(lines)

    port_in_state(world, PortStatus.SUBMITTED)
    one = export()
    for _ in range(6):
        port_in_state(world, PortStatus.DRAFT)
    seven = export()
    assert one == (one[0], 1, 1) and seven == (one[0], 1, 7)


def _queue_queries(client, **params):
    client.get(reverse("porting:list"), params)  # warm the session and permission caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("porting:list"), params).status_code == 200
    return len(queries.captured_queries)


def test_the_queue_query_count_does_not_grow_with_requests(client, world):
    coordinator, partner_user = world.user(Role.COORDINATOR), world.user(Role.PARTNER_USER)
    port_in_state(world, PortStatus.SUBMITTED)
    pages = [({}, coordinator), ({"q": "0113 496", "status": "submitted"}, coordinator), ({}, partner_user)]

    def counts():
        result = []
        for params, user in pages:
            client.force_login(user)
            result.append(_queue_queries(client, **params))
        return result

    one = counts()
    for state in (PortStatus.SUBMITTED, PortStatus.ACCEPTED, PortStatus.REJECTED):
        for _ in range(10):
            port_in_state(world, state)
    assert PortRequest.objects.count() == 31
    assert counts() == one


def test_comments_internal_ones_never_reach_partner_users(client, world):
    draft = port_in_state(world, PortStatus.DRAFT)
    client.force_login(world.user(Role.COORDINATOR))
    client.post(reverse("porting:comment_add", args=[draft.pk]), {"body": "Losing provider is slow"})
    client.post(
        reverse("porting:comment_add", args=[draft.pk]), {"body": "Please attach the latest bill", "for_partner": "on"}
    )
    assert PortComment.objects.filter(internal=True).count() == 1  # a staff comment is internal unless shown
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Please attach the latest bill" in page and "Losing provider is slow" not in page
    assert 'name="for_partner"' not in page
    client.post(reverse("porting:comment_add", args=[draft.pk]), {"body": "Done"})
    assert PortComment.objects.get(body="Done").internal is False  # the field is not theirs to set


def test_documents_type_and_size_limits_and_a_permission_checked_download(client, world, settings):
    draft = port_in_state(world, PortStatus.DRAFT)
    client.force_login(world.user(Role.PARTNER_USER))
    url = reverse("porting:document_add", args=[draft.pk])
    bad = client.post(url, {"kind": "latest_bill", "file": SimpleUploadedFile("bill.pdf", b"MZ\x90\x00 not a pdf")})
    assert bad.status_code == 400 and "Upload a PDF, PNG or JPEG file" in bad.content.decode()
    settings.PORTING_DOCUMENT_MAX_BYTES = 10
    big = client.post(url, {"kind": "latest_bill", "file": SimpleUploadedFile("bill.pdf", PDF)})
    assert big.status_code == 400 and "the limit is" in big.content.decode()
    del settings.PORTING_DOCUMENT_MAX_BYTES
    ok = client.post(url, {"kind": "letter_of_authority", "file": SimpleUploadedFile("LoA signed.pdf", PDF)})
    assert ok.status_code == 302
    document = PortDocument.objects.get()
    assert document.original_name == "LoA signed.pdf" and "LoA" not in document.file.name
    assert document.file.path.startswith(settings.PORTING_DOCUMENT_ROOT)
    download = client.get(reverse("porting:document_download", args=[draft.pk, document.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")
    client.force_login(world.user("partner_b_user"))
    assert client.get(reverse("porting:document_download", args=[draft.pk, document.pk])).status_code == 404
    assert client.post(url, {"kind": "latest_bill", "file": SimpleUploadedFile("x.pdf", PDF)}).status_code == 404


def test_a_document_uploaded_by_mistake_is_removed_after_confirmation_and_the_removal_is_audited(
    client, world, settings, django_capture_on_commit_callbacks
):
    from accounts.models import AuditEvent

    draft = port_in_state(world, PortStatus.DRAFT)
    client.force_login(world.user(Role.PARTNER_USER))
    client.post(
        reverse("porting:document_add", args=[draft.pk]),
        {"kind": "latest_bill", "file": SimpleUploadedFile("wrong bill.pdf", PDF)},
    )
    document = PortDocument.objects.get()
    path = document.file.path
    remove = reverse("porting:document_remove", args=[draft.pk, document.pk])
    assert f'action="{remove}"' in client.get(draft.get_absolute_url()).content.decode()
    assert (
        'data-confirm="Remove wrong bill.pdf from this port request?"'
        in client.get(draft.get_absolute_url()).content.decode()
    )
    assert client.get(remove).status_code == 405

    client.force_login(world.user("partner_b_user"))
    assert client.post(remove).status_code == 404
    client.force_login(world.user(Role.PARTNER_USER))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remove, follow=True)
    assert "Removed latest bill “wrong bill.pdf”." in response.content.decode()
    assert not PortDocument.objects.exists() and not os.path.exists(path)
    event = AuditEvent.objects.get(action="port_document.removed")
    assert event.actor == world.user(Role.PARTNER_USER) and event.changes["name"] == "wrong bill.pdf"


def test_documents_cannot_be_removed_once_the_port_is_completed(client, world):
    from porting.documents import port_document_remove

    draft = port_in_state(world, PortStatus.DRAFT)
    client.force_login(world.user(Role.PARTNER_USER))
    client.post(
        reverse("porting:document_add", args=[draft.pk]),
        {"kind": "letter_of_authority", "file": SimpleUploadedFile("LoA.pdf", PDF)},
    )
    document = PortDocument.objects.get()
    PortRequest.objects.filter(pk=draft.pk).update(status=PortStatus.COMPLETED)
    document.refresh_from_db()
    with pytest.raises(PermissionDenied):
        port_document_remove(by=world.user(Role.COORDINATOR), document=document)
    assert client.post(reverse("porting:document_remove", args=[draft.pk, document.pk])).status_code == 403
    assert PortDocument.objects.filter(pk=document.pk).exists()


def test_P4_managers_edit_lead_time_rules_and_others_cannot(client, world):
    rule = LeadTimeRule.objects.get(country="DE", number_type="")
    client.force_login(world.user(Role.COORDINATOR))
    assert client.get(reverse("porting:rule_edit", args=[rule.pk])).status_code == 403
    client.force_login(world.user(Role.MANAGER))
    response = client.post(
        reverse("porting:rule_edit", args=[rule.pk]),
        {"working_days": "18", "house_rule": "on", "source": "Agreed with the German carrier"},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.working_days, rule.house_rule, rule.updated_by) == (18, True, world.user(Role.MANAGER))
    invalid = client.post(reverse("porting:rule_edit", args=[rule.pk]), {"working_days": "0", "source": ""})
    assert invalid.status_code == 200 and "greater than or equal to 1" in invalid.content.decode()


def test_nav_shows_ports(client, world):
    client.force_login(world.user(Role.PARTNER_USER))
    assert 'href="/ports/">Ports</a>' in client.get(reverse("porting:list")).content.decode().replace(" active", "")


def test_refused_transition_on_the_page_changes_nothing(client, world):
    draft = port_in_state(world, PortStatus.DRAFT)
    client.force_login(world.user(Role.PARTNER_USER))
    response = client.post(reverse("porting:transition", args=[draft.pk, "accept"]), {})
    assert response.status_code == 403
    assert PortRequest.objects.get(pk=draft.pk).status == PortStatus.DRAFT
    run(world, draft, "cancel")


def test_nav_offers_the_lead_time_dashboard_to_managers_and_marks_only_it_current(client, world):
    client.force_login(world.user(Role.MANAGER))
    page = " ".join(client.get(reverse("porting:dashboard")).content.decode().split())
    # (The dashboard is in the Reports menu, which shows as current too.)
    found = re.findall(r'class="((?:nav-link|dropdown-item)[^"]*)"[^>]*>([^<]+)</a>', page)
    links = {label.strip(): "active" in classes for classes, label in found}
    assert links["Port lead times"] is True and links["Ports"] is False
    client.force_login(world.user(Role.PARTNER_USER))
    assert "Port lead times" not in client.get(reverse("porting:list")).content.decode()


def test_P3_P6_managers_change_what_a_country_requires_and_submission_follows_it(client, world):
    from accounts.models import AuditEvent
    from porting.models import PortingCountry

    germany = PortingCountry.objects.get(code="DE")
    client.force_login(world.user(Role.COORDINATOR))
    assert client.get(reverse("porting:country_edit", args=[germany.pk])).status_code == 403
    client.force_login(world.user(Role.MANAGER))
    page = client.get(reverse("porting:country_edit", args=[germany.pk])).content.decode()
    assert "Range holder" in page and "Registered address of the numbers" in page
    response = client.post(
        reverse("porting:country_edit", args=[germany.pk]),
        {"required_fields": ["range_holder", "main_billing_number", "numbers"]},
        follow=True,
    )
    assert "Saved what Germany requires" in response.content.decode()
    germany.refresh_from_db()
    assert germany.required_fields == ["main_billing_number", "numbers", "range_holder"]
    assert germany.required_documents == []  # P6: the letter is GB's requirement, not Germany's
    assert AuditEvent.objects.filter(action="porting_country.updated", actor=world.user(Role.MANAGER)).exists()
    bad = client.post(reverse("porting:country_edit", args=[germany.pk]), {"required_fields": ["shoe_size"]})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()

    from django.core.exceptions import ValidationError

    from porting import services

    from .walk import new_draft

    german = {"country": "DE", "region": "", "main_billing_number": "+49 30 901820", "numbers": ["+49 30 901820"]}
    # No longer required: the address and losing provider may be left out...
    draft = new_draft(world, **german, registered_address="", losing_provider="")
    assert services.port_request_submit(by=world.user(Role.PARTNER_USER), port_request=draft).status == "submitted"
    # ...while what is still required is still refused, by name.
    draft = new_draft(world, **{**german, "main_billing_number": "+49 30 901821", "numbers": ["+49 30 901821"]})
    draft = services.port_request_update(
        by=world.user(Role.PARTNER_USER), port_request=draft, data={"range_holder": ""}
    )
    with pytest.raises(ValidationError) as refused:
        services.port_request_submit(by=world.user(Role.PARTNER_USER), port_request=draft)
    assert (
        list(refused.value.message_dict) == ["__all__", "range_holder"] or "range_holder" in refused.value.message_dict
    )
    # P6: a document is required the same way, from the same page.
    client.post(
        reverse("porting:country_edit", args=[germany.pk]),
        {"required_fields": germany.required_fields, "required_documents": ["letter_of_authority"]},
    )
    germany.refresh_from_db()
    assert germany.required_documents == ["letter_of_authority"]
    draft = new_draft(world, **{**german, "main_billing_number": "+49 30 901822", "numbers": ["+49 30 901822"]})
    assert "letter_of_authority" in services.missing_for_submission(draft)


def test_partner_user_never_reads_an_internal_transition_note_on_the_page_or_in_the_api(client, api_as, world):
    submitted = port_in_state(world, PortStatus.SUBMITTED)
    run(world, submitted, "reject", note="Their LoA looked forged; call the customer.")
    rejected = PortRequest.objects.get(pk=submitted.pk)
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.get(rejected.get_absolute_url()).content.decode()
    assert "EC1A 1BA" in page  # the rejection's reason is theirs to read, to correct it
    assert "forged" not in page and 'name="resubmit-note_for_partner"' not in page
    body = api_as(world.user(Role.PARTNER_USER)).get(f"/api/v1/port-requests/{rejected.pk}/").json()
    assert "forged" not in str(body)
    assert body["history"][-1]["note"].startswith("Postcode")

    staff = api_as(world.user(Role.COORDINATOR)).get(f"/api/v1/port-requests/{rejected.pk}/").json()
    assert "forged" in staff["history"][-1]["note"] and staff["history"][-1]["note_for_partner"] is False
    client.force_login(world.user(Role.COORDINATOR))
    assert "the partner reads only" in client.get(rejected.get_absolute_url()).content.decode()
