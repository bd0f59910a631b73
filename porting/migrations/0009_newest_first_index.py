from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("porting", "0008_search_trigram_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="portrequest",
            index=models.Index(fields=["-created_at", "-id"], name="porting_port_newest_first"),
        ),
    ]
