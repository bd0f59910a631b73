"""Streaming CSV downloads: the one helper every export uses (port requests, escalations, audit log).

Rows are written as the database yields them, so 100,000 rows never sit in memory, and every cell
is guarded against spreadsheet formula injection."""

import csv
import re
from collections.abc import Iterable

from django.http import StreamingHttpResponse


class _Echo:
    """csv.writer needs a file; this one hands each formatted line straight back."""

    def write(self, value):
        return value


NUMBER = re.compile(r"[+-]?[\d .]+")


def csv_cell(value) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection); plain
    # numbers such as +442071234567 or -5 stay as they are.
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@") and not NUMBER.fullmatch(text):
        return f"'{text}"
    return text


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([csv_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
