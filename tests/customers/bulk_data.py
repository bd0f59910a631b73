"""Spreadsheets of customers for the bulk onboarding tests (#15): rows as dicts, written as CSV or XLSX."""

import csv
import io

from openpyxl import Workbook

from customers.bulk_sheet import template_columns

COLUMNS = [name for name, _ in template_columns()]


def customer_row(n: int, **overrides) -> dict:
    """A valid customer for partner A's pool of stock_pool(world, count=...): numbers 3n to 3n+2."""
    first = 3 * n
    row = {
        "group_id": f"Customer{n}",
        "name": f"Customer {n} Ltd",
        "domain": "hostedcomm.com",
        "numbers": f"020 7946 {first:04d} - 020 7946 {first + 2:04d}",
        "business_profile_number": f"020 7946 {first:04d}",
        "voice_portal_number": f"020 7946 {first + 1:04d}",
        "voice_portal_external_dial_in": "yes",
        "admin_1_first_name": "Ada",
        "admin_1_last_name": f"Lovelace{n}",
        "akixi_licence": "Reporting Standard",
        "akixi_user_1_username": f"customer{n}.reports",
        "akixi_user_1_full_name": "Ada Lovelace",
        "akixi_user_1_email": f"ada@customer{n}.invalid",
        "callcabinet_admin_name": "Ada Lovelace",
        "callcabinet_admin_email": f"ada@customer{n}.invalid",
    }
    row.update(overrides)
    return row


def as_csv(rows: list[dict], columns=None) -> bytes:
    columns = columns or COLUMNS
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return buffer.getvalue().encode()


def as_xlsx(rows: list[dict], columns=None) -> bytes:
    columns = columns or COLUMNS
    book = Workbook()
    sheet = book.active
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c, "") for c in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
