"""Bulk onboarding (#15): a spreadsheet of customers checked whole, every rule per row and cell,
then built at once; confirmed once; failed builds retried together."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.choices import Role
from accounts.models import AuditEvent
from customers import build_steps
from customers.bulk import bulk_progress, bulk_upload_check, bulk_upload_confirm, bulk_upload_retry_failed
from customers.bulk_sheet import read_sheet, template_csv, template_xlsx
from customers.models import BulkUpload, CustomerGroup, GroupAdmin, ServiceBuild
from customers.services import customer_group_create
from expoe_portal import vault
from expoe_portal.transitions import TransitionConflict
from integrations.base import PermanentError
from number_pool.models import Number
from tests.factories import PartnerFactory

from .build_request_data import stock_pool, valid_request
from .bulk_data import as_csv, as_xlsx, customer_row
from .fake_platforms import fake_platforms

pytestmark = pytest.mark.django_db


@pytest.fixture
def platforms(monkeypatch):
    fake = fake_platforms()
    monkeypatch.setattr(build_steps, "get_platforms", lambda: fake)
    return fake


def check(world, rows, *, by=Role.PARTNER_USER, filename="customers.csv", content=None):
    return bulk_upload_check(
        by=world.user(by),
        partner=world.partner_a,
        filename=filename,
        content=as_csv(rows) if content is None else content,
    )


def errors_of(upload):
    return {(row.line, e["column"]): e for row in upload.rows.all() for e in row.errors}


def test_a_file_of_valid_customers_is_checked_without_errors_and_builds_nothing(world):
    stock_pool(world, count=6)
    upload = check(world, [customer_row(0), customer_row(1)])
    assert (upload.row_count, upload.error_count, upload.can_confirm) == (2, 0, True)
    assert [row.line for row in upload.rows.all()] == [2, 3]
    assert upload.rows.get(line=3).data["numbers"] == ["+442079460003", "+442079460004", "+442079460005"]
    assert not CustomerGroup.objects.exists(), "checking builds nothing"
    assert AuditEvent.objects.filter(action="bulk_upload.checked", partner_id=world.partner_a.pk).count() == 1


def test_every_single_customer_rule_is_named_by_row_and_cell_G3_G5_N2_B1_V1_V2_A1_A2_K4_C5(world):
    stock_pool(world, count=31)
    only = "+442079460030"
    taken, _ = customer_group_create(
        by=world.user(Role.COORDINATOR),
        partner=world.partner_a,
        data=valid_request(numbers=[only], business_profile_number=only, voice_portal__number=only),
    )
    Number.objects.create(e164="+442079469999", partner=world.partner_b)
    rows = [
        customer_row(0, group_id=taken.group_id),  # G3: on the platform already
        customer_row(1, domain="example.com"),  # G5
        customer_row(
            2, numbers="020 7946 0006; 020 7946 9999", voice_portal_number="020 7946 0006"
        ),  # N2: another partner's number
        customer_row(3, business_profile_number="020 7946 0028"),  # B1: not one of the group's
        customer_row(4, voice_portal_number="", voice_portal_extension="", voice_portal_external_dial_in="no"),  # V1
        customer_row(5, voice_portal_number="", voice_portal_extension="8000"),  # V2
        customer_row(6, admin_1_first_name="Ada", admin_1_last_name="Lovelace"),  # A1: ada.lovelace exists
        customer_row(7, admin_1_last_name=""),  # A2
        customer_row(8, akixi_user_1_email="not-an-address"),  # K4
        customer_row(9, callcabinet_admin_email=""),  # C5
    ]
    upload = check(world, rows)
    found = errors_of(upload)
    assert upload.error_count == 10 and not upload.can_confirm
    assert found[(2, "group_id")]["message"] == "The group ID “AlphaWidgets” is already used on the platform (G3)."
    assert found[(2, "group_id")]["cell"] == "A2"
    assert "(G5)" in found[(3, "domain")]["message"] and found[(3, "domain")]["cell"] == "C3"
    assert "+442079469999" in found[(4, "numbers")]["message"] and "(N2)" in found[(4, "numbers")]["message"]
    assert "(B1)" in found[(5, "business_profile_number")]["message"]
    assert "(V1)" in found[(6, "voice_portal_number")]["message"]
    assert "(V2)" in found[(7, "voice_portal_number")]["message"]
    assert "already exists on the platform (A1)" in found[(8, "admin_1_user_id")]["message"]
    assert found[(9, "admin_1_last_name")]["message"] == "Enter the administrator's last name (A2)."
    assert "(K4)" in found[(10, "akixi_user_1_email")]["message"]
    assert "(C5)" in found[(11, "callcabinet_admin_email")]["message"]
    assert len(found) == 10, "one mistake per row, each only where it is"


def test_values_unique_on_the_platform_used_twice_in_the_file_are_named_on_the_later_row_G3_N1_A1_K4(world):
    stock_pool(world, count=15)
    rows = [
        customer_row(0),
        customer_row(1, group_id="CUSTOMER0"),  # G3 ignores case
        customer_row(2, numbers="020 7946 0006 - 020 7946 0008; 020 7946 0002"),  # N1: row 2's number
        customer_row(3, admin_1_last_name="Lovelace0"),  # A1: ada.lovelace0@hostedcomm.com again
        customer_row(4, akixi_user_1_username="CUSTOMER0.reports"),  # K4 ignores case
    ]
    found = errors_of(check(world, rows))
    assert (
        found[(3, "group_id")]["message"]
        == "The group ID “CUSTOMER0” is also row 2's: each customer needs its own (G3)."
    )
    assert found[(4, "numbers")]["message"] == "Also in row 2: +442079460002. A number goes to one customer (N1)."
    assert found[(5, "admin_1_user_id")]["message"] == (
        "The admin user ID “ada.lovelace0@hostedcomm.com” is also in row 2 (A1: user IDs are unique)."
    )
    assert "is also in row 2 (K4" in found[(6, "akixi_user_1_username")]["message"]
    assert (2, "group_id") not in found, "the first use is the one kept"


def test_admin_user_ids_differing_only_in_case_are_two_ids_A1(world):
    stock_pool(world, count=6)
    rows = [
        customer_row(0, admin_1_user_id="Ada.Lovelace@hostedcomm.com"),
        customer_row(1, admin_1_user_id="ada.lovelace@hostedcomm.com"),
    ]
    assert check(world, rows).error_count == 0


def test_a_message_about_a_second_admin_names_that_admins_own_columns_A2(world):
    stock_pool(world, count=3)
    row = customer_row(0, admin_1_first_name="", admin_1_last_name="", admin_2_first_name="Grace")
    found = errors_of(check(world, [row]))
    assert list(found) == [(2, "admin_2_last_name")]
    assert found[(2, "admin_2_last_name")]["cell"] == "O2"


def test_unreadable_numbers_and_yes_no_cells_are_named_with_what_was_written(world):
    stock_pool(world, count=3)
    row = customer_row(0, numbers="020 7946 0000 - 020 7946 0002; call me", voice_portal_external_dial_in="maybe")
    found = errors_of(check(world, [row]))
    assert found[(2, "numbers")]["message"].startswith("Not numbers or ranges: “call me”")
    assert found[(2, "voice_portal_external_dial_in")]["message"] == "Write yes or no, not “maybe”."


def test_a_password_column_refuses_the_file_A2(world):
    stock_pool(world, count=3)
    columns = [*as_csv([]).decode().strip().split(","), "admin_1_password"]
    with pytest.raises(ValidationError) as refused:
        check(world, [customer_row(0, admin_1_password="secret-123")], content=as_csv([customer_row(0)], columns))
    assert "passwords never go in a spreadsheet" in refused.value.message_dict["file"][0]
    assert not BulkUpload.objects.exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "The file is empty"),
        (b"group_id,name,colour\n", "Unknown column colour"),
        (b"group_id,name,domain,numbers,business_profile_number,admin_1_first_name\n", "no customers"),
        (b"name,domain,numbers,admin_1_first_name\nA,b,c,d\n", "no group_id, business_profile_number column"),
        (b"PK\x03\x04 not really a workbook", "not a readable .xlsx"),
        (
            b"group_id,name,domain,numbers,business_profile_number,admin_1_first_name\n" + b"A,b,c,d,e,f\n" * 501,
            "more than 500 customers",
        ),
    ],
)
def test_a_file_that_cannot_be_read_says_why_and_keeps_nothing(world, content, message):
    with pytest.raises(ValidationError) as refused:
        check(world, [], content=content)
    assert message in " ".join(refused.value.message_dict["file"])
    assert not BulkUpload.objects.exists()


def test_a_partner_not_live_is_refused_once_for_the_file_O6(world):
    with pytest.raises(ValidationError) as refused:
        bulk_upload_check(
            by=world.user(Role.COORDINATOR),
            partner=world.partner_b,
            filename="c.csv",
            content=as_csv([customer_row(0)]),
        )
    assert refused.value.message_dict["partner"] == ["BETA02 is not live yet: customers are built after go-live (O6)."]


def test_a_partner_user_uploads_for_their_own_partner_only(world):
    other = PartnerFactory(partner_id="GAMMA3", live=True)
    with pytest.raises(PermissionDenied):
        bulk_upload_check(by=world.user(Role.PARTNER_USER), partner=other, filename="c.csv", content=b"")
    with pytest.raises(PermissionDenied):
        bulk_upload_check(by=world.user(Role.TRAINER), partner=world.partner_a, filename="c.csv", content=b"")


def test_an_xlsx_file_is_read_as_the_csv_is_and_the_templates_are_readable(world):
    stock_pool(world, count=6)
    rows = [customer_row(0), customer_row(1, domain="example.com")]
    from_csv, from_xlsx = check(world, rows), check(world, rows, filename="customers.xlsx", content=as_xlsx(rows))
    assert errors_of(from_csv) == errors_of(from_xlsx) and from_xlsx.error_count == 1
    assert [r.data for r in from_csv.rows.all()] == [r.data for r in from_xlsx.rows.all()]
    for name, content in (("t.csv", template_csv().encode()), ("t.xlsx", template_xlsx())):
        sheet = read_sheet(name, content)
        assert sheet.rows[0][1]["group_id"] == "AlphaWidgets" and "admin_2_user_id" in sheet.columns


def test_confirming_creates_every_customer_and_queues_every_build_after_commit_with_passwords_once_A2(
    world, platforms, django_capture_on_commit_callbacks
):
    stock_pool(world, count=6)
    upload = check(world, [customer_row(0), customer_row(1, admin_2_first_name="Grace", admin_2_last_name="Hopper")])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        upload, passwords = bulk_upload_confirm(by=world.user(Role.PARTNER_USER), upload=upload)
    assert upload.status == "confirmed" and callbacks, "platform work is queued for after the commit"
    assert not platforms.calls, "nothing reached a platform inside the transaction"
    groups = CustomerGroup.objects.filter(bulk_rows__upload=upload).order_by("group_id")
    assert [g.group_id for g in groups] == ["Customer0", "Customer1"] and all(not g.is_draft for g in groups)
    assert ServiceBuild.objects.filter(group__in=groups, status="queued").count() == 2
    assert set(passwords["Customer1"]) == {"ada.lovelace1@hostedcomm.com", "grace.hopper@hostedcomm.com"}
    admin = GroupAdmin.objects.get(user_id="grace.hopper@hostedcomm.com")
    assert admin.password_generated and passwords["Customer1"][admin.user_id] not in admin.password_encrypted
    assert vault.decrypt(admin.password_encrypted) == passwords["Customer1"][admin.user_id]
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    assert bulk_progress(upload)["succeeded"] == 2


def test_a_second_confirmation_builds_nothing_twice(world, platforms, django_capture_on_commit_callbacks):
    stock_pool(world, count=3)
    upload = check(world, [customer_row(0)])
    with django_capture_on_commit_callbacks(execute=True):
        bulk_upload_confirm(by=world.user(Role.COORDINATOR), upload=upload)
    with pytest.raises(TransitionConflict):
        bulk_upload_confirm(by=world.user(Role.PARTNER_USER), upload=upload)
    assert CustomerGroup.objects.count() == 1 and ServiceBuild.objects.count() == 1


def test_an_upload_with_errors_cannot_be_confirmed(world):
    stock_pool(world, count=3)
    upload = check(world, [customer_row(0, domain="example.com")])
    with pytest.raises(ValidationError):
        bulk_upload_confirm(by=world.user(Role.COORDINATOR), upload=upload)
    assert not CustomerGroup.objects.exists()


def test_a_row_refused_at_confirmation_rolls_every_customer_back_and_names_its_cell_N2(world, platforms):
    stock_pool(world, count=6)
    upload = check(world, [customer_row(0), customer_row(1)])
    # Since the check, someone gave row 3's business profile number to another customer.
    customer_group_create(
        by=world.user(Role.COORDINATOR),
        partner=world.partner_a,
        data=valid_request(
            numbers=["+442079460003"],
            business_profile_number="+442079460003",
            voice_portal__number="+442079460003",
            admins__0__last_name="Byron",
            akixi__users__0__username="someone.else",
        ),
    )
    with pytest.raises(ValidationError) as refused:
        bulk_upload_confirm(by=world.user(Role.COORDINATOR), upload=upload)
    assert "row 3 can no longer be built" in refused.value.message_dict["file"][0]
    assert CustomerGroup.objects.count() == 1, "row 2's customer was rolled back with the rest"
    upload.refresh_from_db()
    assert (upload.status, upload.error_count) == ("checked", 1)
    found = errors_of(upload)
    assert "(N2)" in found[(3, "numbers")]["message"] and found[(3, "numbers")]["cell"] == "E3"


def test_retry_all_failed_retries_every_failed_build_of_the_upload(
    world, platforms, django_capture_on_commit_callbacks
):
    stock_pool(world, count=9)
    upload = check(world, [customer_row(0), customer_row(1), customer_row(2)])
    platforms.faults.fail("add_group_admin", PermanentError("[Error 4500] User already exists"))
    platforms.faults.fail("add_group_admin", PermanentError("[Error 4500] User already exists"))
    with django_capture_on_commit_callbacks(execute=True):
        bulk_upload_confirm(by=world.user(Role.COORDINATOR), upload=upload)
    progress = bulk_progress(upload)
    assert (progress["succeeded"], progress["failed"], progress["total"], progress["moving"]) == (1, 2, 3, False)
    assert all("User already exists" in f["error"] for f in progress["failures"])
    with django_capture_on_commit_callbacks(execute=True):
        retried = bulk_upload_retry_failed(by=world.user(Role.PARTNER_USER), upload=upload)
    assert len(retried) == 2
    progress = bulk_progress(upload)
    assert (progress["succeeded"], progress["failed"], progress["percent"]) == (3, 0, 100)
    assert AuditEvent.objects.filter(action="bulk_upload.retried").count() == 1
