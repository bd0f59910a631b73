"""Set-based SQL helpers, so that bulk operations run a fixed number of queries whatever their size."""

import json

from django.db import connection
from django.db.models.expressions import RawSQL


def value_rows_sql(values: list[str]) -> tuple[str, list]:
    """SQL yielding `values` as rows of one text column named `value`, from a single parameter
    (a JSON array), so 10,000 values cost one parameter and not 10,000 placeholders."""
    if connection.vendor == "postgresql":
        # An array parameter (not JSON): the planner sees its size and hashes it, rather than
        # re-expanding it for every row it compares.
        return "SELECT unnest(%s::text[]) AS value", [list(values)]
    payload = json.dumps(list(values))
    if connection.vendor == "sqlite":
        return "SELECT value FROM json_each(%s)", [payload]
    raise NotImplementedError(f"No JSON row source for {connection.vendor}.")


def in_values(values: list[str]) -> RawSQL:
    """For `field__in=in_values([...])`: a subquery over the values, one parameter however many."""
    sql, params = value_rows_sql(values)
    return RawSQL(sql, params)  # noqa: S611 -- fixed SQL text; the values travel as one parameter
