"""The bulk onboarding spreadsheet (#15): its columns, reading a CSV or XLSX file into rows, each
row into a build request (customers.build_request's shape), and the template to fill in.

One customer per row. People come in numbered columns (admin_1_first_name, admin_2_first_name, ...;
akixi_user_1_username, ...) rather than packed into one cell, so every message can name the exact
cell it is about. Passwords never go in a spreadsheet: a column that looks like one refuses the
file, and the confirmation generates them (A2).
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from expoe_portal.bounds import numbers_per_request, too_many_numbers
from number_pool.parsing import parse_entry

MAX_ROWS = 500  # a partner's whole estate at once is a migration, not an upload
TEMPLATE_ADMINS = 2
TEMPLATE_AKIXI_USERS = 2

# (column, what goes in it): the template's header and its notes, in order.
GROUP_COLUMNS = [
    ("group_id", "Unique on the platform; letters, digits, no spaces (G3)"),
    ("name", "The end customer's name (G4)"),
    ("domain", "exponential-e.com or hostedcomm.com (G5)"),
    ("extension_length", "Digits in an extension; blank for the default"),
    ("numbers", "Numbers and ranges from the partner's available pool, separated by ; (N1, N2)"),
    ("business_profile_number", "One of the group's numbers (B1)"),
    ("present_group_number_as_clid", "yes or no: users present the business profile number (B1)"),
    ("voice_portal_number", "One of the group's numbers; a number or an extension (V1)"),
    ("voice_portal_extension", "The voice portal's extension (V1)"),
    ("voice_portal_external_dial_in", "yes or no: voicemail dialled from outside needs a number (V2)"),
]
ADMIN_FIELDS = {
    "first_name": "First name (A2)",
    "last_name": "Last name (A2)",
    "user_id": "Blank: firstname.surname@domain (A1)",
}
AKIXI_USER_FIELDS = {
    "username": "Unique on Akixi (K4)",
    "full_name": "Full name (K4)",
    "email": "Gets the welcome email (K4)",
}
AKIXI_COLUMNS = [("akixi_licence", "Blank: not licensed for Akixi (K2)")]
CALLCABINET_COLUMNS = [
    ("callcabinet_admin_name", "Blank with the email: no call recording (C5)"),
    ("callcabinet_admin_email", "Gets Call Cabinet's welcome email (C5)"),
]
REQUIRED = ("group_id", "name", "domain", "numbers", "business_profile_number")
_ADMIN = re.compile(r"\Aadmin_(\d{1,2})_(first_name|last_name|user_id)\Z")
_AKIXI_USER = re.compile(r"\Aakixi_user_(\d{1,2})_(username|full_name|email)\Z")
_SINGLE = {name for name, _ in [*GROUP_COLUMNS, *AKIXI_COLUMNS, *CALLCABINET_COLUMNS]}
_NUMBER_SEPARATOR = re.compile(r"[\n;,]+")
_YES, _NO = {"yes", "y", "true", "1", "on"}, {"no", "n", "false", "0", "off", ""}


def template_columns() -> list[tuple[str, str]]:
    people = [(f"admin_{n}_{name}", note) for n in range(1, TEMPLATE_ADMINS + 1) for name, note in ADMIN_FIELDS.items()]
    akixi = [
        (f"akixi_user_{n}_{name}", note)
        for n in range(1, TEMPLATE_AKIXI_USERS + 1)
        for name, note in AKIXI_USER_FIELDS.items()
    ]
    return [*GROUP_COLUMNS, *people, *AKIXI_COLUMNS, *akixi, *CALLCABINET_COLUMNS]


EXAMPLE_ROW = {
    "group_id": "AlphaWidgets",
    "name": "Alpha Widgets Ltd",
    "domain": "hostedcomm.com",
    "extension_length": "4",
    "numbers": "020 7946 0000 - 020 7946 0009; 020 7946 0100",
    "business_profile_number": "020 7946 0000",
    "present_group_number_as_clid": "no",
    "voice_portal_number": "020 7946 0001",
    "voice_portal_extension": "8000",
    "voice_portal_external_dial_in": "yes",
    "admin_1_first_name": "Ada",
    "admin_1_last_name": "Lovelace",
    "akixi_licence": "",
    "callcabinet_admin_name": "Ada Lovelace",
    "callcabinet_admin_email": "ada@alpha.example",
}


def template_csv() -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns = [name for name, _ in template_columns()]
    writer.writerow(columns)
    writer.writerow([EXAMPLE_ROW.get(name, "") for name in columns])
    return buffer.getvalue()


def template_xlsx() -> bytes:
    """The template as a workbook: the header, one example row to overwrite, and a second sheet
    saying what goes in each column. Every cell is text, so a spreadsheet keeps a number's
    leading 0 (020 ...) instead of turning it into a figure."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Customers"
    columns = template_columns()
    sheet.append([name for name, _ in columns])
    sheet.append([EXAMPLE_ROW.get(name, "") for name, _ in columns])
    for index, (name, _) in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(name) + 2)
        sheet.column_dimensions[letter].number_format = "@"
        for row in range(1, MAX_ROWS + 2):
            sheet.cell(row=row, column=index).number_format = "@"
    notes = book.create_sheet("Columns")
    notes.append(["column", "what goes in it"])
    for name, note in columns:
        notes.append([name, note])
    notes.append(["admin_N_*, akixi_user_N_*", "Add columns with N = 3, 4, ... for more people"])
    notes.append(["(passwords)", "Never in the spreadsheet: generated at confirmation and shown once (A2)"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass
class Sheet:
    """A spreadsheet read: its columns (normalised names, in order) and its non-blank rows as
    (row number in the file, {column: text})."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)

    def cell(self, column: str, line: int) -> str:
        """A cell's reference (F3), or just the row's when the column is not in the file."""
        if column in self.columns:
            return f"{get_column_letter(self.columns.index(column) + 1)}{line}"
        return f"row {line}"


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def read_sheet(filename: str, content: bytes) -> Sheet:
    """The rows of a CSV or XLSX file; a file that cannot be read as one raises ValidationError
    under "file", naming why (nothing of it is kept)."""
    limit = settings.CUSTOMER_BULK_UPLOAD_MAX_BYTES
    if len(content) > limit:
        raise _file_error(f"The file is over {limit // 2**20} MB; split it into several uploads.")
    if content[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        table = _xlsx_table(content)
    elif filename.lower().endswith((".csv", ".txt")) or not filename:
        table = _csv_table(content)
    else:
        raise _file_error("Upload a .csv or .xlsx file (download the template from this page).")
    table = iter(table)
    header = next(table, None)
    if not header or not any(_text(h) for h in header):
        raise _file_error("The file is empty: its first row must be the template's header.")
    columns = [_column_name(h) for h in header]
    _check_header(columns)
    sheet = Sheet(columns=columns)
    for line, values in enumerate(table, start=2):
        texts = [_text(v) for v in values]
        if not any(texts):
            continue  # blank rows between customers are not customers
        if len(sheet.rows) == MAX_ROWS:
            raise _file_error(f"The file has more than {MAX_ROWS} customers; split it into several uploads.")
        sheet.rows.append((line, {c: (texts[i] if i < len(texts) else "") for i, c in enumerate(columns) if c}))
    if not sheet.rows:
        raise _file_error("The file has a header but no customers below it.")
    return sheet


def _csv_table(content: bytes) -> Iterator[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")  # "CSV" as saved by Excel on Windows
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return csv.reader(io.StringIO(text), dialect)


def _xlsx_table(content: bytes) -> Iterator[tuple]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _file_error("The file is not a readable .xlsx workbook.") from exc

    def rows() -> Iterator[tuple]:
        # Read as they are needed: a sheet of a million rows is refused at the 501st customer, not
        # read whole first. The first sheet holds the customers (the template's second explains them).
        try:
            yield from book.worksheets[0].iter_rows(values_only=True)
        finally:
            book.close()

    return rows()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet's 4 is 4.0 once read
    return str(value).strip()


def _column_name(header) -> str:
    return re.sub(r"[\s\-]+", "_", _text(header).lower())


def _check_header(columns: list[str]) -> None:
    problems = []
    named = [c for c in columns if c]
    if passwords := [c for c in named if "password" in c]:
        problems.append(
            f"Remove the column {', '.join(passwords)}: passwords never go in a spreadsheet; they are "
            "generated when you confirm and shown once (A2)."
        )
    unknown = [c for c in named if c not in _SINGLE and not _ADMIN.match(c) and not _AKIXI_USER.match(c)]
    if unknown := [c for c in unknown if c not in passwords]:
        problems.append(f"Unknown column {', '.join(unknown)}: use the template's column names.")
    if twice := sorted({c for c in named if named.count(c) > 1}):
        problems.append(f"The column {', '.join(twice)} appears twice.")
    if missing := [c for c in REQUIRED if c not in columns]:
        problems.append(f"The file has no {', '.join(missing)} column.")
    if not any(_ADMIN.match(c) for c in named):
        problems.append("The file has no administrator columns (admin_1_first_name, admin_1_last_name) (G6).")
    if problems:
        raise ValidationError({"file": problems})


@dataclass
class RowRequest:
    """One row read into a build request, the mistakes found reading it (by column), and which
    numbered column each admin and Akixi user came from (admins[0] may be admin_2 when admin_1 is
    blank), so that the service's "admins.0.user_id" names the right cell."""

    data: dict
    errors: dict[str, list[str]]
    admin_slots: list[int]
    akixi_slots: list[int]


def row_request(cells: dict[str, str]) -> RowRequest:
    errors: dict[str, list[str]] = {}

    def flag(column: str) -> bool:
        value = cells.get(column, "").lower()
        if value not in _YES | _NO:
            errors.setdefault(column, []).append(f"Write yes or no, not “{cells[column]}”.")
        return value in _YES

    numbers, unreadable = [], []
    for entry in _NUMBER_SEPARATOR.split(cells.get("numbers", "")):
        if not entry.strip():
            continue
        try:
            numbers.extend(parse_entry(entry))
        except ValidationError as exc:
            unreadable.append(f"“{entry.strip()[:40]}”: {exc.messages[0]}")
        if len(numbers) > numbers_per_request():  # a row is one build request: the same cap
            unreadable.append(too_many_numbers(None).messages[0])
            break
    if unreadable:
        errors["numbers"] = [f"Not numbers or ranges: {'; '.join(unreadable)}"]
    admins, admin_slots = _people(cells, "admin", ADMIN_FIELDS)
    users, akixi_slots = _people(cells, "akixi_user", AKIXI_USER_FIELDS)
    length = cells.get("extension_length", "")
    data = {
        "group_id": cells.get("group_id", ""),
        "name": cells.get("name", ""),
        "domain": cells.get("domain", "").lower(),
        "extension_length": length or settings.GROUP_EXTENSION_LENGTH_DEFAULT,
        "numbers": list(dict.fromkeys(numbers)),
        "business_profile_number": cells.get("business_profile_number", ""),
        "present_group_number_as_clid": flag("present_group_number_as_clid"),
        "voice_portal": {
            "number": cells.get("voice_portal_number", ""),
            "extension": cells.get("voice_portal_extension", ""),
            "external_dial_in": flag("voice_portal_external_dial_in"),
        },
        "admins": [{**admin, "password": ""} for admin in admins],
        "akixi": {"licence": cells.get("akixi_licence", ""), "users": users},
        "callcabinet": {
            "admin_name": cells.get("callcabinet_admin_name", ""),
            "admin_email": cells.get("callcabinet_admin_email", ""),
        },
    }
    return RowRequest(data=data, errors=errors, admin_slots=admin_slots, akixi_slots=akixi_slots)


def _people(cells: dict[str, str], prefix: str, fields: dict[str, str]) -> tuple[list[dict], list[int]]:
    """The people of a row's numbered columns, in number order, leaving out wholly blank ones."""
    pattern = re.compile(rf"\A{prefix}_(\d{{1,2}})_")
    slots = sorted({int(m.group(1)) for c in cells if (m := pattern.match(c))})
    people, kept = [], []
    for n in slots:
        person = {name: cells.get(f"{prefix}_{n}_{name}", "") for name in fields}
        if any(person.values()):
            people.append(person)
            kept.append(n)
    return people, kept


def column_for(key: str, row: RowRequest) -> str:
    """The spreadsheet column a service error key is about ("admins.1.user_id" -> the column of the
    second admin present in the row, e.g. admin_2_user_id)."""
    parts = key.split(".")
    if parts[0] == "voice_portal" and len(parts) == 2:
        return f"voice_portal_{parts[1]}"
    if parts[0] == "callcabinet" and len(parts) == 2:
        return f"callcabinet_{parts[1]}"
    if parts[0] == "admins":
        return _person_column("admin", parts[1:], row.admin_slots, "first_name")
    if parts[0] == "akixi":
        if parts[1:] == ["licence"]:
            return "akixi_licence"
        return _person_column("akixi_user", parts[2:], row.akixi_slots, "username")
    return parts[0]


def _person_column(prefix: str, parts: list[str], slots: list[int], first_field: str) -> str:
    if len(parts) == 2 and parts[0].isdigit() and int(parts[0]) < len(slots):
        return f"{prefix}_{slots[int(parts[0])]}_{parts[1]}"
    return f"{prefix}_1_{first_field}"  # "add at least one": where the first one goes
