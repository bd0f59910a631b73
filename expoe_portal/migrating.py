"""Helpers for migrations: moving a model to another app without moving its table; SQL only PostgreSQL runs."""

from collections.abc import Callable
from typing import Any

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


def content_types_mover(moves: dict[str, tuple[str, list[str]]]) -> tuple[Callable[..., None], Callable[..., None]]:
    """A RunPython pair that renames each moved model's content type in place, so that its
    permissions (and the role groups holding them), audit and state-log rows keep pointing at it.
    `moves` maps the new app label to (the old app label, the model names).

    A content type the new app got by itself meanwhile (a `migrate` whose post-migrate step ran
    between the two apps' migrations) holds nothing yet: it gives way to the old one."""

    def move(apps: Any, schema_editor: Any, *, forward: bool = True) -> None:
        content_type = apps.get_model("contenttypes", "ContentType")
        for new_app, (old_app, models) in moves.items():
            source, target = (old_app, new_app) if forward else (new_app, old_app)
            for model in models:
                if content_type.objects.filter(app_label=source, model=model).exists():
                    content_type.objects.filter(app_label=target, model=model).delete()
                    content_type.objects.filter(app_label=source, model=model).update(app_label=target)
        content_type.objects.clear_cache()

    def back(apps: Any, schema_editor: Any) -> None:
        move(apps, schema_editor, forward=False)

    return move, back


class RunSQLOnPostgreSQL(migrations.RunSQL):
    """SQL only PostgreSQL runs (pg_trgm indexes, say); on SQLite the migration does nothing, and
    the queries it speeds up work there without it (a plain scan)."""

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class TrigramExtensionKept(TrigramExtension):
    """pg_trgm, created on PostgreSQL only (Django's operation checks the vendor going forward).
    Unapplying leaves it installed: several apps' indexes use it, and dropping it is no one
    migration's business; on other databases there is nothing to undo."""

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        return None
