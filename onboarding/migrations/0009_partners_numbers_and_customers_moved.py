import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

from expoe_portal.migrating import content_types_mover

# The models that left the onboarding app, by the app that owns them now.
move_content_types, move_content_types_back = content_types_mover(
    {
        "partners": ("onboarding", ["partner", "partnercontact"]),
        "number_pool": ("onboarding", ["number"]),
        "customers": ("onboarding", ["customergroup", "groupadmin", "akixiuser", "servicebuild", "buildstep"]),
    }
)


def copy_current_order_status(apps, schema_editor):
    """Each partner's copy of its latest onboarding order's status (kept up to date from now on)."""
    Partner = apps.get_model("partners", "Partner")
    OnboardingOrder = apps.get_model("onboarding", "OnboardingOrder")
    latest = OnboardingOrder.objects.filter(partner=OuterRef("pk")).order_by("-signed_order_received_at", "-id")
    Partner.objects.update(current_order_status=Subquery(latest.values("status")[:1]))
    Partner.objects.filter(current_order_status__isnull=True).update(current_order_status="")


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0002_partner_current_order_status"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("number_pool", "0001_initial"),
        ("customers", "0001_initial"),
        ("accounts", "0002_partner_moved_to_partners"),
        ("escalations", "0003_partner_moved_to_partners"),
        ("integrations", "0003_partner_moved_to_partners"),
        ("onboarding", "0008_durable_work"),
        ("partners", "0001_initial"),
        ("porting", "0006_partner_and_customer_group_moved"),
    ]

    # The tables stay where they are (db_table); only Django's idea of which app owns the models changes.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="buildstep",
                    name="build",
                ),
                migrations.RemoveField(
                    model_name="customergroup",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="customergroup",
                    name="partner",
                ),
                migrations.RemoveField(
                    model_name="groupadmin",
                    name="group",
                ),
                migrations.RemoveField(
                    model_name="number",
                    name="customer_group",
                ),
                migrations.RemoveField(
                    model_name="servicebuild",
                    name="group",
                ),
                migrations.RemoveField(
                    model_name="number",
                    name="added_by",
                ),
                migrations.RemoveField(
                    model_name="number",
                    name="partner",
                ),
                migrations.RemoveField(
                    model_name="partnercontact",
                    name="partner",
                ),
                migrations.AlterField(
                    model_name="onboardingorder",
                    name="partner",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="onboarding_orders",
                        to="partners.partner",
                    ),
                ),
                migrations.RemoveField(
                    model_name="servicebuild",
                    name="requested_by",
                ),
                migrations.DeleteModel(
                    name="AkixiUser",
                ),
                migrations.DeleteModel(
                    name="BuildStep",
                ),
                migrations.DeleteModel(
                    name="GroupAdmin",
                ),
                migrations.DeleteModel(
                    name="CustomerGroup",
                ),
                migrations.DeleteModel(
                    name="Number",
                ),
                migrations.DeleteModel(
                    name="PartnerContact",
                ),
                migrations.DeleteModel(
                    name="Partner",
                ),
                migrations.DeleteModel(
                    name="ServiceBuild",
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
        migrations.RunPython(copy_current_order_status, migrations.RunPython.noop),
    ]
