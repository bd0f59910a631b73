from django.db import migrations

from expoe_portal.migrating import content_types_mover

move_content_types, move_content_types_back = content_types_mover({"accounts": ("escalations", ["escalationcontact"])})


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("escalations", "0003_partner_moved_to_partners"),
    ]

    # The table stays where it is (db_table); only Django's idea of which app owns the model changes.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name="EscalationContact",
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
