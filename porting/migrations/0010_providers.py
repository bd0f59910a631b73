# The providers' list (issue #16, item 8); 0011 seeds it and matches the requests' names to it.

from django.conf import settings
from django.db import migrations, models

import django.db.models.deletion
import django.db.models.functions.text


class Migration(migrations.Migration):
    dependencies = [
        ("porting", "0009_newest_first_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Provider",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=120)),
                ("active", models.BooleanField(default=True, help_text="Offered in the port request form.")),
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
                "ordering": [django.db.models.functions.text.Lower("name")],
            },
        ),
        migrations.AddField(
            model_name="portrequest",
            name="losing_provider_listed",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty: other.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="porting.provider",
            ),
        ),
        migrations.AddField(
            model_name="portrequest",
            name="range_holder_listed",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty: other.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="porting.provider",
            ),
        ),
        migrations.AddConstraint(
            model_name="provider",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name"), name="provider_name_unique_ignoring_case"
            ),
        ),
    ]
