"""Streaming CSV downloads: the one helper every export uses (port requests, escalations, audit log).

Rows are written as the database yields them, so 100,000 rows never sit in memory, and every cell
is guarded against spreadsheet formula injection."""

import csv
import io
import re
from collections.abc import Iterable
from contextlib import nullcontext

from django.db import connections
from django.db.backends.utils import CursorDebugWrapper
from django.db.models import Func, QuerySet, TextField
from django.http import StreamingHttpResponse

NUMBER = re.compile(r"[+-]?[\d .]+")
# Text a spreadsheet would turn into a number and so change: a phone number (or several) loses its
# "+", a national number its leading 0. Written as the formula ="…", which every spreadsheet shows
# as that text (a leading apostrophe, the other habit, shows up as an apostrophe when a CSV is
# opened). Only digits, spaces, dots and pluses reach the quotes, so nothing in them can run.
KEPT_AS_TEXT = re.compile(r"(?:\+|0(?=[\d ]))[\d .+]*")
KEPT_AS_TEXT_SQL = r"^(\+|0[0-9 ])[0-9 .+]*$"


def csv_cell(value) -> str:
    text = "" if value is None else str(value)
    if isinstance(value, str) and KEPT_AS_TEXT.fullmatch(text):
        return f'="{text}"'
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection); plain
    # numbers such as -5 stay as they are.
    if text[:1] in ("=", "+", "-", "@") and not NUMBER.fullmatch(text):
        return f"'{text}"
    return text


# Lines sent in one piece: a chunk per row meant a write to the socket per row (100,000 for the
# port export), which cost more than making the rows.
CHUNK_BYTES = 64 * 1024


def _attachment(filename: str, pieces: Iterable[bytes | str]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(pieces, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def taken() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    def lines():
        writer.writerow(header)
        yield taken()  # at once, before the first row is read
        for row in rows:
            writer.writerow([csv_cell(value) for value in row])
            if buffer.tell() >= CHUNK_BYTES:
                yield taken()
        yield taken()

    return _attachment(filename, lines())


# --- The same CSV written by PostgreSQL ---------------------------------------------------------
# On PostgreSQL an export of 100,000 rows is COPY ... TO STDOUT (FORMAT CSV): the database writes
# the lines and Python only passes them on, instead of converting and formatting 1.5 million cells
# (decision 110). Each column is then an SQL expression that gives the same text csv_cell gives,
# and a test holds the two paths to the same bytes.


class CsvText(Func):
    """csv_cell in SQL, for a text expression: phone-like text kept as text (="…"); a cell a
    spreadsheet would run as a formula gets a leading apostrophe (numbers such as -5 excepted); an
    empty cell is NULL, which COPY writes as an empty field (an empty string it would write as "")."""

    # The regular expressions (the second a zero-width match at the start when the text starts with
    # = + - @ and is not a number) only for the rare cell that starts so: on every cell they doubled
    # the time.
    template = (
        f"CASE WHEN left(%(expressions)s, 1) IN ('+', '0') AND %(expressions)s ~ '{KEPT_AS_TEXT_SQL}'"
        """ THEN '="' || %(expressions)s || '"'"""
        " WHEN left(%(expressions)s, 1) IN ('=', '+', '-', '@')"
        " THEN regexp_replace(%(expressions)s, '^(?![+-]?[0-9 .]+$)(?=[=+@-])', '''')"
        " ELSE NULLIF(%(expressions)s, '') END"
    )
    output_field = TextField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        return sql, params * 6  # the expression stands six times


class IsoDateTime(Func):
    """datetime.isoformat() of a stored timestamp, in UTC as Django reads it:
    2026-11-29T10:42:00.123450+00:00, and without the fraction when it is zero. (PostgreSQL's own
    text of a timestamp would drop the fraction's trailing zeros; ".000000" can only be the fraction,
    so a plain replace takes it away, cheaper than a regular expression.)"""

    template = (
        "(replace(to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', '')"
        " || '+00:00')"
    )
    output_field = TextField()


class IsoDate(Func):
    template = "to_char(%(expressions)s, 'YYYY-MM-DD')"
    output_field = TextField()


class JoinedNumbers(Func):
    """A JSON list of E.164 numbers joined by spaces (" ".join(numbers)): its JSON text without the
    brackets and quotes, which E.164 numbers (a + and digits) never contain. (Taking the list apart
    row by row cost as much as the rest of the export.)"""

    template = """replace(translate(%(expressions)s::text, '[]"', ''), ', ', ' ')"""
    output_field = TextField()


def database_writes_csv(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def csv_copy_response(filename: str, header: list[str], texts: QuerySet) -> StreamingHttpResponse:
    """The rows of `texts` (a values_list of text expressions, each wrapped in CsvText), written by
    PostgreSQL with COPY and streamed as csv_response streams its rows: the header at once, then
    pieces of about CHUNK_BYTES."""
    sql, params = texts.query.sql_with_params()
    copy_sql = f"COPY ({sql}) TO STDOUT (FORMAT CSV)"
    connection = connections[texts.db]

    def lines():
        buffer = io.StringIO()
        csv.writer(buffer).writerow(header)
        yield buffer.getvalue().encode()  # at once, before the first row is read
        piece = bytearray()
        with connection.cursor() as cursor:
            # Counted and logged like any query where queries are (DEBUG, tests' query counts).
            logged = cursor.debug_sql(copy_sql, params) if isinstance(cursor, CursorDebugWrapper) else nullcontext()
            with logged, cursor.cursor.copy(copy_sql, params) as copy:
                # PostgreSQL sends one message per row, ending in "\n"; csv.writer ends a line with
                # "\r\n", and so do these (a line break inside a quoted value stays as it is).
                for row in copy:
                    piece += row[:-1]
                    piece += b"\r\n"
                    if len(piece) >= CHUNK_BYTES:
                        yield bytes(piece)
                        piece.clear()
        yield bytes(piece)

    return _attachment(filename, lines())
