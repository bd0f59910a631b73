import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
import expoe_portal.phone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("onboarding", "0008_durable_work"),
    ]

    # The tables stay where they are (db_table); only Django's idea of which app owns the models changes.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Partner",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "partner_id",
                            models.CharField(
                                help_text="The BroadWorks service provider/enterprise ID. It cannot change once created.",
                                max_length=30,
                                unique=True,
                                validators=[
                                    django.core.validators.RegexValidator(
                                        code="invalid_broadworks_id",
                                        message="Use 1–30 letters, digits, dots, hyphens or underscores, starting with a letter or digit.",
                                        regex="\\A[A-Za-z0-9][A-Za-z0-9_.\\-]{0,29}\\Z",
                                    )
                                ],
                                verbose_name="partner ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=200)),
                        (
                            "clone_group_id",
                            models.CharField(
                                blank=True,
                                help_text="The partner’s own pre-built clone group on BroadWorks (G2).",
                                max_length=30,
                                validators=[
                                    django.core.validators.RegexValidator(
                                        code="invalid_broadworks_id",
                                        message="Use 1–30 letters, digits, dots, hyphens or underscores, starting with a letter or digit.",
                                        regex="\\A[A-Za-z0-9][A-Za-z0-9_.\\-]{0,29}\\Z",
                                    )
                                ],
                                verbose_name="clone group ID",
                            ),
                        ),
                        ("live", models.BooleanField(default=False, help_text="Platform access is live (O6).")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "db_table": "onboarding_partner",
                        "ordering": ["partner_id"],
                        "constraints": [
                            models.UniqueConstraint(
                                django.db.models.functions.text.Lower("partner_id"),
                                name="partner_id_unique_ignoring_case",
                                violation_error_message="A partner with this ID already exists (ignoring case).",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="PartnerContact",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=200)),
                        (
                            "role",
                            models.CharField(
                                blank=True, help_text="For example: primary, technical, billing.", max_length=100
                            ),
                        ),
                        ("email", models.EmailField(max_length=254)),
                        (
                            "phone",
                            models.CharField(
                                help_text="Stored as E.164.",
                                max_length=20,
                                validators=[expoe_portal.phone.validate_e164],
                            ),
                        ),
                        (
                            "partner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="contacts",
                                to="partners.partner",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "onboarding_partnercontact",
                        "ordering": ["partner_id", "id"],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
