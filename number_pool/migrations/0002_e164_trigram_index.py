from django.db import migrations

from expoe_portal.migrating import RunSQLOnPostgreSQL, TrigramExtensionKept


class Migration(migrations.Migration):
    # The pool's number search is e164 LIKE '%<digits>%' (number_pool.filters): a trigram index
    # serves it without reading a million numbers. E.164 is already the digits behind a "+", so
    # the column itself is indexed. Built concurrently: numbers can be added while it is built.
    atomic = False

    dependencies = [
        ("number_pool", "0001_initial"),
    ]

    operations = [
        TrigramExtensionKept(),
        RunSQLOnPostgreSQL(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS number_pool_e164_trgm ON onboarding_number "
            "USING gin (e164 gin_trgm_ops)",
            "DROP INDEX CONCURRENTLY IF EXISTS number_pool_e164_trgm",
        ),
    ]
