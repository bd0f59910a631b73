from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="partner",
            name="current_order_status",
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
    ]
