import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0002_externalcall_platform_latest"),
        ("partners", "0001_initial"),
    ]

    # Only Django's state: the foreign key already points at the same table.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="externalcall",
                    name="partner",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="external_calls",
                        to="partners.partner",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
