from django.db import migrations


def seed(apps, schema_editor):
    from porting.rules import load_porting_rules

    load_porting_rules(
        country_model=apps.get_model("porting", "PortingCountry"),
        rule_model=apps.get_model("porting", "LeadTimeRule"),
    )


class Migration(migrations.Migration):
    dependencies = [("porting", "0001_rules")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
