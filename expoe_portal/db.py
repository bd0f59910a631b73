"""Set-based SQL helpers, so that bulk operations run a fixed number of queries whatever their size."""

import json

from django.db import connection
from django.db.models import CharField, Lookup


def value_rows_sql(values: list[str]) -> tuple[str, list]:
    """SQL yielding `values` as rows of one text column named `value`, from a single parameter,
    so 10,000 values cost one parameter and not 10,000 placeholders."""
    if connection.vendor == "postgresql":
        return "SELECT unnest(%s::text[]) AS value", [list(values)]
    if connection.vendor == "sqlite":
        return "SELECT value FROM json_each(%s)", [json.dumps(list(values))]
    raise NotImplementedError(f"No row source for {connection.vendor}.")


@CharField.register_lookup
class InValues(Lookup):
    """`field__in_values=[...]`: like `__in`, but the list travels as one parameter.

    PostgreSQL compares with `= ANY(array)`, which an index on the field serves directly;
    SQLite reads the list from a JSON array."""

    lookup_name = "in_values"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [list(value)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::text[])", [*lhs_params, values]
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*lhs_params, json.dumps(values)]  # noqa: S608
