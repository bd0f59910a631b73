import django.db.models.deletion
import expoe_portal.phone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("escalations", "0003_partner_moved_to_partners"),
        ("accounts", "0002_partner_moved_to_partners"),
    ]

    # The table stays where it is (db_table); only Django's idea of which app owns the model changes.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="EscalationContact",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "level",
                            models.PositiveSmallIntegerField(
                                choices=[
                                    (0, "0 – UC Provisioning Team"),
                                    (1, "1 – UC Provisioning Team Leader"),
                                    (2, "2 – UC Provisioning Manager"),
                                    (3, "3 – Director of UC & Contact Centre Operations"),
                                ],
                                unique=True,
                            ),
                        ),
                        ("role", models.CharField(max_length=120)),
                        ("name", models.CharField(max_length=120)),
                        (
                            "phone",
                            models.CharField(
                                help_text="Stored as E.164.",
                                max_length=20,
                                validators=[expoe_portal.phone.validate_e164],
                            ),
                        ),
                        ("email", models.EmailField(max_length=254)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "updated_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "escalations_escalationcontact",
                        "ordering": ["level"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("level__gte", 0), ("level__lte", 3)), name="escalation_level_0_to_3"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
