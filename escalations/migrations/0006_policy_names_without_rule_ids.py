"""The default SLA policies' names and descriptions without rule ids (issue #16: plain words). Only
rows still as they were loaded are changed; a name or description a manager edited stays."""

from django.db import migrations

NAMES = {
    "O1-order-confirmation": ("Order confirmation (O1)", "Order confirmation"),
    "stage-coordinator-assigned": ("Partner accounts created (O2)", "Partner accounts created"),
    "stage-accounts-created": ("Kickoff arranged (O4)", "Kickoff arranged"),
    "stage-kickoff-arranged": ("Training started (O5)", "Training started"),
    "stage-training": ("Training finished and live (O5, O6)", "Training finished and live"),
}
DESCRIPTIONS = {
    "drift-breaks-a-rule": (
        ("partition, K4; a Call Cabinet customer that is not Essential, C2) until"),
        ("partition; a Call Cabinet customer that is not Essential) until"),
    ),
    "port-acceptance": ("(a resubmission restarts it, P5)", "(a resubmission restarts it)"),
}


def plain_words(apps, schema_editor):
    SlaPolicy = apps.get_model("escalations", "SlaPolicy")
    for key, (old, new) in NAMES.items():
        SlaPolicy.objects.filter(key=key, name=old).update(name=new)
    for key, (old, new) in DESCRIPTIONS.items():
        for policy in SlaPolicy.objects.filter(key=key, description__contains=old):
            policy.description = policy.description.replace(old, new)
            policy.save(update_fields=["description"])


class Migration(migrations.Migration):
    dependencies = [("escalations", "0005_open_by_due_index")]

    operations = [migrations.RunPython(plain_words, migrations.RunPython.noop)]
