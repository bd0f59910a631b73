# The providers' list seeded with the common UK providers and the demo's, and every request's free
# text matched to it ignoring case and surrounding spaces; the rest stay "other" text. A migration
# of its own: on PostgreSQL the rows cannot change in the transaction that adds their foreign keys.

from django.db import migrations
from django.db.models.functions import Lower, Trim

SEED = [
    "BT", "Virgin Media", "TalkTalk", "Sky", "Vodafone", "Gamma", "Colt", "KCOM",
    # Named as range holders by the demo's requests.
    "BT Wholesale", "Virgin Media Wholesale", "TalkTalk Wholesale", "Gamma Wholesale",
]  # fmt: skip


def seed_and_match(apps, schema_editor):
    Provider = apps.get_model("porting", "Provider")
    PortRequest = apps.get_model("porting", "PortRequest")
    for name in SEED:
        if not Provider.objects.filter(name__iexact=name).exists():
            Provider.objects.create(name=name)
    # One UPDATE per provider and field, whatever the number of requests.
    for provider in Provider.objects.all():
        for field in ("losing_provider", "range_holder"):
            PortRequest.objects.annotate(typed=Lower(Trim(field))).filter(typed=provider.name.lower()).update(
                **{field: provider.name, f"{field}_listed": provider}
            )


class Migration(migrations.Migration):
    dependencies = [("porting", "0010_providers")]

    operations = [migrations.RunPython(seed_and_match, migrations.RunPython.noop)]
