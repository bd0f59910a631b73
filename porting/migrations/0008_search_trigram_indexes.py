from django.db import migrations

from expoe_portal.migrating import RunSQLOnPostgreSQL, TrigramExtensionKept

# The queue's search (porting.filters) reads these columns with LIKE '%...%' (Django's icontains is
# UPPER(column) LIKE UPPER(...)): pg_trgm's GIN indexes serve both forms, each branch of the search's
# OR, so PostgreSQL combines them instead of reading every row. Built concurrently: writes go on
# while an index of 100,000 requests is built.
INDEXES = {
    "porting_port_digits_trgm": "number_digits gin_trgm_ops",
    "porting_port_provider_trgm": "UPPER(losing_provider) gin_trgm_ops",
    "porting_port_holder_trgm": "UPPER(range_holder) gin_trgm_ops",
    "porting_port_address_trgm": "UPPER(registered_address) gin_trgm_ops",
}


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("porting", "0007_rejection_count_and_number_digits"),
    ]

    operations = [
        TrigramExtensionKept(),
        *(
            RunSQLOnPostgreSQL(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON porting_portrequest USING gin ({expression})",
                f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
            )
            for name, expression in INDEXES.items()
        ),
    ]
