from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery

BATCH = 2000


def _digits(main_billing_number, numbers):
    # As porting.models.number_digits at the time of this migration.
    found = (main_billing_number or "", *(numbers or []))
    return " ".join(digits for digits in ("".join(ch for ch in str(n) if ch.isdigit()) for n in found) if digits)


def fill(apps, schema_editor):
    port_request = apps.get_model("porting", "PortRequest")
    rejection = apps.get_model("porting", "PortRejection")
    counts = (
        rejection.objects.filter(port_request=OuterRef("pk"))
        .order_by()
        .values("port_request")
        .annotate(n=Count("id"))
        .values("n")
    )
    port_request.objects.filter(pk__in=rejection.objects.values("port_request")).update(
        rejection_count=Subquery(counts)
    )
    # In batches by primary key (never a cursor left open over the table being written).
    last = 0
    while rows := list(
        port_request.objects.filter(pk__gt=last)
        .order_by("pk")
        .values_list("pk", "main_billing_number", "numbers")[:BATCH]
    ):
        port_request.objects.bulk_update(
            [port_request(pk=pk, number_digits=_digits(main, numbers)) for pk, main, numbers in rows],
            ["number_digits"],
        )
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("porting", "0006_partner_and_customer_group_moved"),
    ]

    operations = [
        migrations.AddField(
            model_name="portrequest",
            name="rejection_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="portrequest",
            name="number_digits",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
