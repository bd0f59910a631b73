"""Set-based SQL helpers, so that bulk operations run a fixed number of queries whatever their size."""

import json
from datetime import UTC

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import CharField, Lookup, QuerySet
from django.db.models.query import ValuesListIterable


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


def id_rows_sql(ids: list[int]) -> tuple[str, list]:
    """SQL yielding `ids` as rows of one integer column, from a single parameter: `pk__in=RawSQL(...)`
    with 100,000 ids is one statement, where `pk__in=ids` would need 100,000 placeholders."""
    if connection.vendor == "postgresql":
        return "SELECT unnest(%s::bigint[])", [list(ids)]
    if connection.vendor == "sqlite":
        return "SELECT value FROM json_each(%s)", [json.dumps(list(ids))]
    raise NotImplementedError(f"No row source for {connection.vendor}.")


def plain_rows(queryset: QuerySet) -> list[tuple]:
    """`list(queryset)` for a `values_list()` queryset, reading timestamps with psycopg's own loader.

    Django's psycopg 3 backend loads every timestamptz through a loader written in Python (it
    subclasses psycopg's, whose compiled twin cannot be subclassed; Django ticket #36960): about
    5 microseconds a value, most of the time a 100,000-row read spends in Python. When the
    connection's time zone is UTC, as Django sets it, psycopg's compiled loader yields the same
    aware datetimes in UTC, so this registers it on this one cursor. Elsewhere (SQLite, a
    queryset whose fields need converting) it is simply `list(queryset)`."""
    database = connections[queryset.db]
    if (
        database.vendor != "postgresql"
        or database.timezone != UTC
        or queryset._iterable_class is not ValuesListIterable
    ):
        return list(queryset)
    compiler = queryset.query.get_compiler(queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return []
    if compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]]):
        return list(queryset)
    from psycopg.types.datetime import TimestamptzLoader

    with database.cursor() as cursor:
        # Registering the pure-Python class makes psycopg pick its compiled version of it.
        cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        cursor.execute(sql, params)
        return cursor.fetchall()
