import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("partners", "0001_initial"),
        ("porting", "0005_ported_numbers_durable_work"),
    ]

    # Only Django's state: the foreign key already points at the same table.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="portrequest",
                    name="customer_group",
                    field=models.ForeignKey(
                        blank=True,
                        help_text="Where the numbers go on completion (optional).",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="port_requests",
                        to="customers.customergroup",
                    ),
                ),
                migrations.AlterField(
                    model_name="portrequest",
                    name="partner",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="port_requests", to="partners.partner"
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
