import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("onboarding", "0008_durable_work"),
        ("customers", "0001_initial"),
        ("partners", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # The tables stay where they are (db_table); only Django's idea of which app owns the models changes.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Number",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "e164",
                            models.CharField(
                                help_text="E.164, e.g. +442079460000.",
                                max_length=16,
                                unique=True,
                                verbose_name="number",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[("available", "Available"), ("assigned", "Assigned"), ("porting", "Porting")],
                                default="available",
                                max_length=16,
                            ),
                        ),
                        ("added_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "added_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "customer_group",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="numbers",
                                to="customers.customergroup",
                            ),
                        ),
                        (
                            "partner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="numbers",
                                to="partners.partner",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "onboarding_number",
                        "ordering": ["e164"],
                        "indexes": [
                            models.Index(fields=["partner", "status", "e164"], name="onboarding__partner_e2a015_idx"),
                            models.Index(fields=["customer_group", "e164"], name="onboarding__custome_26874d_idx"),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("status", "assigned"), ("customer_group__isnull", False)),
                                    models.Q(
                                        models.Q(("status", "assigned"), _negated=True),
                                        ("customer_group__isnull", True),
                                    ),
                                    _connector="OR",
                                ),
                                name="number_assigned_iff_in_a_group",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
