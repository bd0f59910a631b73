"""A database made by the release before the layout move (issue #12), filled by that release's
`seed_demo`, migrates forward with every row of every table kept.

`tests/data/demo_before_layout.json` is that release's `dumpdata` after its `seed_demo` (sessions
and login attempts left out; password hashes and the encrypted admin passwords scrubbed: the rows
matter here, not the secrets). The test takes the database back to that release's schema, loads
the rows through that schema's own (historical) models, migrates forward and compares every table.
"""

import json
from collections import defaultdict
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

DUMP = Path(__file__).resolve().parents[1] / "data" / "demo_before_layout.json"
# The newest migration of each app in the release before the move; apps it did not have yet are None.
PREVIOUS_RELEASE = [
    ("accounts", "0001_initial"),
    ("onboarding", "0008_durable_work"),
    ("porting", "0005_ported_numbers_durable_work"),
    ("escalations", "0002_sla_policies_and_escalations"),
    ("integrations", "0002_externalcall_platform_latest"),
    ("portal", "0001_initial"),
    ("partners", None),
    ("number_pool", None),
    ("customers", None),
]

pytestmark = pytest.mark.django_db(transaction=True)


def _load(apps, objects: list[dict]) -> None:
    """Insert the dumped rows with the schema's historical models, keeping their primary keys."""
    related = []
    by_model = defaultdict(list)
    for obj in objects:
        model = apps.get_model(obj["model"])
        values, many = {}, {}
        for name, value in obj["fields"].items():
            field = model._meta.get_field(name)
            if field.many_to_many:
                many[name] = value
            elif field.is_relation:
                values[field.attname] = value
            else:
                values[name] = field.to_python(value)
        by_model[model].append(model(pk=obj["pk"], **values))
        related.append((model, obj["pk"], many))
    # Rows arrive in dump order, not in the order of their foreign keys: checked once all are in.
    with connection.constraint_checks_disabled(), transaction.atomic():
        for model, rows in by_model.items():
            model.objects.bulk_create(rows)
        for model, pk, many in related:
            for name, values in many.items():
                getattr(model.objects.get(pk=pk), name).set(values)
    connection.check_constraints()


def _tables() -> dict[str, tuple[int, frozenset]]:
    """Every table's row count and set of ids (where it has an id column)."""
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            quoted = connection.ops.quote_name(table)
            if "id" in columns:
                cursor.execute(f"SELECT id FROM {quoted}")  # noqa: S608 (table names from introspection)
                ids = frozenset(row[0] for row in cursor.fetchall())
                found[table] = (len(ids), ids)
            else:
                cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608
                found[table] = (cursor.fetchone()[0], frozenset())
    return found


def test_a_database_of_the_previous_release_migrates_forward_with_every_row_kept():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(PREVIOUS_RELEASE)
    executor.loader.build_graph()
    old_apps = executor.loader.project_state(
        [(app, name) for app, name in PREVIOUS_RELEASE if name]
        + [n for n in latest if n[0] not in dict(PREVIOUS_RELEASE)]
    ).apps
    # The release's tables, emptied (the flush of earlier tests' rows), then filled by its seed_demo.
    with connection.constraint_checks_disabled(), transaction.atomic(), connection.cursor() as cursor:
        for table in connection.introspection.django_table_names(only_existing=True, include_views=False):
            if table != "django_migrations":
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608
    dump = json.loads(DUMP.read_text())
    _load(old_apps, dump)
    before = _tables()
    assert before["onboarding_partner"][0] == 8 and before["onboarding_number"][0] == 114, "the demo is loaded"

    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    after = _tables()
    lost = {
        table: (before[table][0], after.get(table, (0,))[0])
        for table in before
        if before[table] != after.get(table) and table != "django_migrations"  # which gains the new migrations
    }
    assert lost == {}, "tables whose rows changed: {table: (rows before, rows after)}"

    # The moved models are the same rows under their new apps, with the same content types, so
    # their permissions, role groups and state logs still point at them.
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from accounts.models import EscalationContact, User
    from customers.models import CustomerGroup
    from number_pool.models import Number
    from partners.models import Partner

    ContentType.objects.clear_cache()
    old_types = {
        (o["fields"]["app_label"], o["fields"]["model"]): o["pk"]
        for o in dump
        if o["model"] == "contenttypes.contenttype"
    }
    assert ContentType.objects.get_for_model(Partner).pk == old_types[("onboarding", "partner")]
    assert ContentType.objects.get_for_model(CustomerGroup).pk == old_types[("onboarding", "customergroup")]
    assert ContentType.objects.get_for_model(Number).pk == old_types[("onboarding", "number")]
    assert ContentType.objects.get_for_model(EscalationContact).pk == old_types[("escalations", "escalationcontact")]
    assert Permission.objects.get(codename="add_partner").content_type.app_label == "partners"
    assert User.objects.get(username="coordinator").has_perm("partners.add_partner")
    # The partner's copy of its current order's status is filled from its orders.
    assert Partner.objects.get(partner_id="ACME01").onboarding_status == "live"
    assert Partner.objects.get(partner_id="BETA02").onboarding_status == "kickoff_arranged"
    assert CustomerGroup.objects.filter(partner__partner_id="ACME01").count() == 3
