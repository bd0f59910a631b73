import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
import django_fsm
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("onboarding", "0008_durable_work"),
        ("partners", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # The tables stay where they are (db_table); only Django's idea of which app owns the models changes.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CustomerGroup",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "group_id",
                            models.CharField(
                                help_text="Unique on the platform (G3); usually the end customer's name.",
                                max_length=30,
                                unique=True,
                                validators=[
                                    django.core.validators.RegexValidator(
                                        code="invalid_broadworks_id",
                                        message="Use 1–30 letters, digits, dots, hyphens or underscores, starting with a letter or digit.",
                                        regex="\\A[A-Za-z0-9][A-Za-z0-9_.\\-]{0,29}\\Z",
                                    )
                                ],
                                verbose_name="group ID",
                            ),
                        ),
                        ("name", models.CharField(help_text="The end customer's name (G4).", max_length=200)),
                        (
                            "domain",
                            models.CharField(
                                choices=[
                                    ("exponential-e.com", "exponential-e.com"),
                                    ("hostedcomm.com", "hostedcomm.com"),
                                ],
                                default="hostedcomm.com",
                                max_length=64,
                            ),
                        ),
                        ("clone_service_provider_id", models.CharField(blank=True, max_length=30)),
                        ("clone_group_id", models.CharField(blank=True, max_length=30)),
                        ("extension_length", models.PositiveSmallIntegerField(default=4)),
                        (
                            "business_profile_number",
                            models.CharField(blank=True, help_text="B1: one of the group's numbers.", max_length=16),
                        ),
                        ("voice_portal_number", models.CharField(blank=True, max_length=16)),
                        ("voice_portal_extension", models.CharField(blank=True, max_length=6)),
                        ("voice_portal_external_dial_in", models.BooleanField(default=False)),
                        (
                            "akixi_licence",
                            models.CharField(
                                blank=True, help_text="K2: blank when not licensed for Akixi.", max_length=64
                            ),
                        ),
                        ("callcabinet_admin_name", models.CharField(blank=True, max_length=200)),
                        ("callcabinet_admin_email", models.EmailField(blank=True, max_length=254)),
                        ("callcabinet_reference", models.CharField(blank=True, max_length=100)),
                        (
                            "submitted_at",
                            models.DateTimeField(blank=True, help_text="When the build was confirmed.", null=True),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "partner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="customer_groups",
                                to="partners.partner",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "onboarding_customergroup",
                        "ordering": ["partner_id", "group_id"],
                    },
                ),
                migrations.CreateModel(
                    name="AkixiUser",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("username", models.CharField(max_length=120)),
                        ("full_name", models.CharField(max_length=200)),
                        ("email", models.EmailField(max_length=254)),
                        (
                            "group",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="akixi_users",
                                to="customers.customergroup",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "onboarding_akixiuser",
                        "ordering": ["group_id", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="GroupAdmin",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("first_name", models.CharField(max_length=64)),
                        ("last_name", models.CharField(max_length=64)),
                        ("user_id", models.CharField(max_length=161, unique=True, verbose_name="user ID")),
                        ("password_encrypted", models.TextField(blank=True)),
                        ("password_generated", models.BooleanField(default=False)),
                        ("password_wiped_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "group",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="admins",
                                to="customers.customergroup",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "onboarding_groupadmin",
                        "ordering": ["group_id", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="ServiceBuild",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "status",
                            django_fsm.FSMField(
                                choices=[
                                    ("draft", "Draft"),
                                    ("queued", "Queued"),
                                    ("running", "Running"),
                                    ("succeeded", "Succeeded"),
                                    ("failed", "Failed"),
                                    ("cancelled", "Cancelled"),
                                ],
                                db_index=True,
                                default="draft",
                                max_length=50,
                                protected=True,
                            ),
                        ),
                        ("queued_at", models.DateTimeField(blank=True, null=True)),
                        ("started_at", models.DateTimeField(blank=True, null=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("cancel_requested", models.BooleanField(default=False)),
                        ("last_error", models.TextField(blank=True)),
                        (
                            "group",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="build",
                                to="customers.customergroup",
                            ),
                        ),
                        (
                            "requested_by",
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
                        "db_table": "onboarding_servicebuild",
                    },
                    bases=(django_fsm.ConcurrentTransitionMixin, models.Model),
                ),
                migrations.CreateModel(
                    name="BuildStep",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("position", models.PositiveSmallIntegerField()),
                        (
                            "name",
                            models.CharField(
                                choices=[
                                    ("clone_group", "Create the group from the partner's clone group"),
                                    ("pool_numbers", "Add missing numbers to the partner's pool"),
                                    ("assign_numbers", "Assign numbers to the group"),
                                    ("business_profile", "Set the business profile number (B1)"),
                                    ("voice_portal", "Enable the voice portal (V1, V2)"),
                                    ("admins", "Add group administrators (A1, A2)"),
                                    ("akixi_partition", "Create the Akixi partition (K2)"),
                                    ("akixi_sync", "Wait for Akixi synchronisation (K3)"),
                                    ("akixi_users", "Add Akixi reporting users (K4)"),
                                    ("callcabinet_customer", "Add the Call Cabinet Essential customer (C2-C5)"),
                                ],
                                max_length=32,
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Pending"),
                                    ("running", "Running"),
                                    ("waiting", "Waiting for you"),
                                    ("done", "Done"),
                                    ("failed", "Failed"),
                                    ("skipped", "Not needed"),
                                ],
                                default="pending",
                                max_length=16,
                            ),
                        ),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("last_error", models.TextField(blank=True)),
                        ("external_reference", models.CharField(blank=True, max_length=200)),
                        ("started_at", models.DateTimeField(blank=True, null=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("next_attempt_at", models.DateTimeField(blank=True, db_index=True, null=True)),
                        ("lease_until", models.DateTimeField(blank=True, db_index=True, null=True)),
                        ("claimed_by", models.CharField(blank=True, max_length=64)),
                        (
                            "build",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="steps",
                                to="customers.servicebuild",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "onboarding_buildstep",
                        "ordering": ["build_id", "position"],
                    },
                ),
                migrations.AddConstraint(
                    model_name="customergroup",
                    constraint=models.UniqueConstraint(
                        django.db.models.functions.text.Lower("group_id"),
                        name="group_id_unique_ignoring_case",
                        violation_error_message="A customer group with this ID already exists (ignoring case).",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="akixiuser",
                    constraint=models.UniqueConstraint(
                        django.db.models.functions.text.Lower("username"), name="akixi_username_unique_ignoring_case"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="buildstep",
                    constraint=models.UniqueConstraint(fields=("build", "position"), name="one_step_per_position"),
                ),
                migrations.AddConstraint(
                    model_name="buildstep",
                    constraint=models.UniqueConstraint(fields=("build", "name"), name="one_step_per_name"),
                ),
            ],
            database_operations=[],
        ),
    ]
