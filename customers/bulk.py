"""Bulk onboarding (#15): a spreadsheet of customers, one per row, checked whole, then built at once.

`bulk_upload_check` reads the file (customers.bulk_sheet) and checks every row with the single
build request's own rules (customers.build_request: G3, G5, N1, N2, B1, V1, V2, A1, A2, K4, C2-C5;
O6 and G2 for the partner, once for the file), plus what only a file can get wrong: a group ID, a
number, an admin user ID or an Akixi username used by two rows. Every mistake is kept per row and
cell. Nothing is built from an upload with a mistake in it.

`bulk_upload_confirm` then creates every customer and queues every build in one transaction, each
through the single path (services.customer_group_create, builds.build_start), so each row is
checked once more against the database as it is now; one refusal rolls them all back. Admin
passwords are generated there and returned once (A2). The upload's status moves by compare-and-set
under its row lock, so a second press builds nothing.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.models import User
from accounts.services import audit_record
from expoe_portal.bounds import numbers_per_request, too_many_numbers
from expoe_portal.transitions import TransitionConflict
from partners.models import Partner

from . import builds, services
from .build_request import default_admin_user_id, partner_refusals, validate_build_request
from .bulk_sheet import RowRequest, Sheet, column_for, read_sheet, row_request
from .choices import BuildKind, BuildStatus, BulkUploadStatus, StepStatus
from .models import BulkRow, BulkUpload, CustomerGroup, ServiceBuild

ALREADY_CONFIRMED = "This upload is already confirmed: its customers are being built (nothing was built twice)."
# Kept beside a row's request (the service reads only the keys it knows): which numbered columns its
# admins and Akixi users came from, so a refusal at confirmation still names the right cell.
PEOPLE_COLUMNS = "spreadsheet_columns"
HAS_ERRORS = "Correct the rows with errors and upload the file again: nothing is built while any row is wrong."


def can_author(user: User, partner: Partner) -> bool:
    """Whether the user may upload, confirm and retry for this partner (what the pages offer)."""
    if not user.has_perm("customers.add_customergroup"):
        return False
    return not user.is_partner_user or user.partner_id == partner.pk


def bulk_upload_check(*, by: User, partner: Partner, filename: str, content: bytes) -> BulkUpload:
    """Read a spreadsheet of customers and check every row with every rule, before anything is
    built. The upload is kept, with each row's mistakes by cell, whether or not there are any;
    a file that cannot be read at all, or a partner that cannot have customers built yet (O6, G2),
    raises ValidationError and keeps nothing."""
    services.require_group_author(by, partner, action="upload customers")
    if refusals := partner_refusals(partner):
        raise ValidationError({"partner": refusals})
    sheet = read_sheet(filename, content)
    checked = check_rows(partner=partner, sheet=sheet)
    with transaction.atomic():
        upload = BulkUpload.objects.create(
            partner=partner,
            filename=(filename or "upload")[-255:],
            columns=sheet.columns,
            uploaded_by=by,
            row_count=len(checked),
            error_count=sum(1 for _line, _data, errors in checked if errors),
        )
        BulkRow.objects.bulk_create(
            BulkRow(upload=upload, line=line, data=data, errors=errors) for line, data, errors in checked
        )
        audit_record(
            actor=by,
            action="bulk_upload.checked",
            target=upload,
            changes={"rows": upload.row_count, "rows_with_errors": upload.error_count},
        )
    return upload


def check_rows(*, partner: Partner, sheet: Sheet) -> list[tuple[int, dict[str, Any], list[dict[str, str]]]]:
    """Every row against every rule, then against the other rows: (line, request, errors)."""
    read, named = [], 0
    for line, cells in sheet.rows:
        row = row_request(cells)
        # The whole file is one request: its numbers together are within the cap (NUMBERS_PER_REQUEST_MAX).
        named += len(row.data["numbers"])
        if named > numbers_per_request():
            raise ValidationError({"file": [f"{too_many_numbers(None).messages[0]} (row {line} goes past it)"]})
        read.append((line, row))
    found: dict[int, dict[str, list[str]]] = {}
    for line, row in read:
        errors = {column: list(messages) for column, messages in row.errors.items()}
        try:
            validate_build_request(partner=partner, data=row.data)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                column = column_for(key, row)
                # A cell that could not be read already says so; the service's "choose at least
                # one number" about the same cell would only repeat it.
                if column in row.errors and column == "numbers":
                    continue
                errors.setdefault(column, []).extend(messages)
        found[line] = errors
    for line, column, message in _across_rows(read):
        found[line].setdefault(column, []).append(message)
    return [
        (
            line,
            {**row.data, PEOPLE_COLUMNS: {"admins": row.admin_slots, "akixi_users": row.akixi_slots}},
            [
                {"column": column, "cell": sheet.cell(column, line), "message": message}
                for column, messages in found[line].items()
                for message in messages
            ],
        )
        for line, row in read
    ]


def _across_rows(read: list[tuple[int, RowRequest]]) -> Iterable[tuple[int, str, str]]:
    """What no single row can get wrong: a value unique on the platform used by two rows of the
    file (G3 group IDs and K4 Akixi usernames ignoring case, A1 admin user IDs exactly, N1 a number
    for one customer only). Said on the later row, naming the first."""
    first_group: dict[str, int] = {}
    first_number: dict[str, int] = {}
    first_admin: dict[str, int] = {}
    first_akixi: dict[str, int] = {}
    for line, row in read:
        data = row.data
        group_id = str(data["group_id"]).strip()
        if group_id:
            seen = first_group.setdefault(group_id.lower(), line)
            if seen != line:
                yield (
                    line,
                    "group_id",
                    f"The group ID “{group_id}” is also row {seen}'s: each customer needs its own (G3).",
                )
        twice = [n for n in data["numbers"] if first_number.setdefault(n, line) != line]
        if twice:
            rows = sorted({first_number[n] for n in twice})
            yield (
                line,
                "numbers",
                f"Also in row {', '.join(map(str, rows))}: {', '.join(twice[:10])}"
                + (f" and {len(twice) - 10} more" if len(twice) > 10 else "")
                + ". A number goes to one customer (N1).",
            )
        domain = str(data["domain"])
        for index, admin in enumerate(data["admins"]):
            first, last = admin["first_name"].strip(), admin["last_name"].strip()
            user_id = admin["user_id"].strip() or (default_admin_user_id(first, last, domain) if first and last else "")
            if user_id:
                seen = first_admin.setdefault(user_id, line)
                if seen != line:
                    column = f"admin_{row.admin_slots[index]}_user_id"
                    yield (
                        line,
                        column,
                        f"The admin user ID “{user_id}” is also in row {seen} (A1: user IDs are unique).",
                    )
        for index, user in enumerate(data["akixi"]["users"]):
            username = user["username"].strip()
            if username:
                seen = first_akixi.setdefault(username.lower(), line)
                if seen != line:
                    column = f"akixi_user_{row.akixi_slots[index]}_username"
                    yield (
                        line,
                        column,
                        f"The Akixi username “{username}” is also in row {seen} (K4: usernames are unique).",
                    )


class _Refused(Exception):
    """A row refused at confirmation: everything this confirmation made is rolled back."""

    def __init__(self, errors: dict[int, list[dict[str, str]]]):
        super().__init__("rows refused")
        self.errors = errors


@sensitive_variables("generated", "passwords")
def bulk_upload_confirm(*, by: User, upload: BulkUpload) -> tuple[BulkUpload, dict[str, dict[str, str]]]:
    """Create every customer of an upload without errors and queue every build, in one transaction
    (the platform work runs after it commits). Returns the upload and the generated admin
    passwords by group ID ({group_id: {user_id: password}}), to show once and never again (A2).

    A second confirmation raises TransitionConflict and builds nothing. A row that the database
    now refuses (a number taken since the check) rolls everything back; its errors are kept on the
    row and ValidationError says which rows."""
    services.require_group_author(by, upload.partner, action="build customers")
    try:
        with transaction.atomic():
            locked = BulkUpload.objects.select_for_update().select_related("partner").get(pk=upload.pk)
            if locked.status != BulkUploadStatus.CHECKED:
                raise TransitionConflict(ALREADY_CONFIRMED)
            if not locked.can_confirm:
                raise ValidationError({"file": [HAS_ERRORS]})
            rows = list(locked.rows.order_by("line"))
            passwords = _create_groups(by=by, upload=locked, rows=rows)
            # A2: shown once, on the confirmation's page (or in the API's reply), now.
            services.admin_passwords_shown(by=by, user_ids=[u for shown in passwords.values() for u in shown])
            for row in rows:
                assert row.group is not None  # every row made its group, or _Refused was raised
                builds.build_start(by=by, group=row.group)
            BulkRow.objects.bulk_update(rows, ["group"])
            locked.status, locked.confirmed_by, locked.confirmed_at = BulkUploadStatus.CONFIRMED, by, timezone.now()
            locked.save(update_fields=["status", "confirmed_by", "confirmed_at"])
            audit_record(actor=by, action="bulk_upload.confirmed", target=locked, changes={"customers": len(rows)})
    except _Refused as refused:
        _keep_refusals(by=by, upload=upload, errors=refused.errors)
        lines = ", ".join(str(line) for line in sorted(refused.errors))
        raise ValidationError(
            {"file": [f"Nothing was built: since the check, row {lines} can no longer be built as it is. {HAS_ERRORS}"]}
        ) from None
    return locked, passwords


@sensitive_variables("generated", "passwords")
def _create_groups(*, by: User, upload: BulkUpload, rows: list[BulkRow]) -> dict[str, dict[str, str]]:
    """Each row through the single customer's own path, every rule checked again against the
    database as it now is (rows made before it included); every refusal collected, then raised."""
    sheet = Sheet(columns=upload.columns)
    passwords: dict[str, dict[str, str]] = {}
    refused: dict[int, list[dict[str, str]]] = {}
    for row in rows:
        try:
            with transaction.atomic():  # a savepoint: the next rows are still checked
                group, generated = services.customer_group_create(by=by, partner=upload.partner, data=row.data)
        except ValidationError as exc:
            request = row_request_of(row)
            refused[row.line] = [
                {"column": column, "cell": sheet.cell(column, row.line), "message": message}
                for key, messages in exc.message_dict.items()
                for column in [column_for(key, request)]
                for message in messages
            ]
            continue
        row.group = group
        passwords[group.group_id] = dict(generated)
    if refused:
        raise _Refused(refused)
    return passwords


def row_request_of(row: BulkRow) -> RowRequest:
    """A stored row's request with the numbered columns its people came from."""
    slots = row.data.get(PEOPLE_COLUMNS, {})
    return RowRequest(
        data=row.data, errors={}, admin_slots=slots.get("admins", []), akixi_slots=slots.get("akixi_users", [])
    )


def _keep_refusals(*, by: User, upload: BulkUpload, errors: dict[int, list[dict[str, str]]]) -> None:
    with transaction.atomic():
        rows = list(upload.rows.filter(line__in=errors))
        for row in rows:
            row.errors = errors[row.line]
        BulkRow.objects.bulk_update(rows, ["errors"])
        BulkUpload.objects.filter(pk=upload.pk).update(error_count=upload.rows.exclude(errors=[]).count())
        audit_record(actor=by, action="bulk_upload.refused", target=upload, changes={"rows": sorted(errors)})
    upload.refresh_from_db()


def bulk_upload_retry_failed(*, by: User, upload: BulkUpload) -> list[str]:
    """Retry every failed build of the upload from its failed step (the build engine's own retry,
    builds.build_start). Returns the group IDs retried."""
    services.require_group_author(by, upload.partner, action="retry customer builds")
    retried = []
    for group in bulk_failed_groups(upload):
        try:
            _build, outcome = builds.build_start(by=by, group=group)
        except TransitionConflict:
            continue  # someone retried or cancelled this one a moment ago
        if outcome == builds.StartOutcome.RETRYING:
            retried.append(group.group_id)
    if retried:
        with transaction.atomic():
            audit_record(actor=by, action="bulk_upload.retried", target=upload, changes={"groups": retried})
    return retried


def bulk_failed_groups(upload: BulkUpload) -> QuerySet[CustomerGroup]:
    return CustomerGroup.objects.filter(
        bulk_rows__upload=upload, builds__kind=BuildKind.BUILD, builds__status=BuildStatus.FAILED
    ).select_related("partner")


def bulk_progress(upload: BulkUpload) -> dict[str, Any]:
    """The builds of a confirmed upload: how many of N succeeded, how many are still under way or
    wait for a person, and the failed ones with their reasons. Counted in the database."""
    first_builds = ServiceBuild.objects.filter(group__bulk_rows__upload=upload, kind=BuildKind.BUILD)
    counts = first_builds.aggregate(
        succeeded=Count("id", filter=Q(status=BuildStatus.SUCCEEDED), distinct=True),
        failed=Count("id", filter=Q(status=BuildStatus.FAILED), distinct=True),
        cancelled=Count("id", filter=Q(status=BuildStatus.CANCELLED), distinct=True),
        open=Count("id", filter=Q(status__in=[BuildStatus.QUEUED, BuildStatus.RUNNING]), distinct=True),
        waiting=Count(
            "id",
            filter=Q(status__in=[BuildStatus.QUEUED, BuildStatus.RUNNING], steps__status=StepStatus.WAITING),
            distinct=True,
        ),
    )
    failures = list(
        first_builds.filter(status=BuildStatus.FAILED)
        .order_by("group__group_id")
        .values("group_id", "group__group_id", "group__name", "last_error")
    )
    total = upload.row_count
    return {
        **counts,
        "total": total,
        "percent": round(100 * counts["succeeded"] / total) if total else 0,
        # Polling stops once nothing moves by itself: every build finished or waits for a person.
        "moving": counts["open"] > counts["waiting"],
        "failures": [
            {
                "group": f["group_id"],
                "group_id": f["group__group_id"],
                "name": f["group__name"],
                "error": f["last_error"],
            }
            for f in failures
        ],
    }
