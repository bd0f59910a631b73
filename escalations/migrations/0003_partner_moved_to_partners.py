import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("escalations", "0002_sla_policies_and_escalations"),
        ("partners", "0001_initial"),
    ]

    # Only Django's state: the foreign key already points at the same table.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="escalation",
                    name="partner",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="escalations",
                        to="partners.partner",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
