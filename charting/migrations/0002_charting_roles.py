"""Charts are for clinical staff: injectors and managers read and write them; a Manager alone
finds every patient treated with a lot. Front desk gets nothing here (it sees "ready / not ready")."""

from django.db import migrations

from medspa.roles import INJECTOR, MANAGER, grant, revoke

MODELS = ("assessment", "assessmentrow", "treatmentrecord", "lotuse", "injectionsite", "override", "addendum")
CLINICAL = [f"{action}_{model}" for model in MODELS for action in ("view", "add", "change")]
GRANTS = {INJECTOR: CLINICAL, MANAGER: [*CLINICAL, "recall_lot"]}


def forwards(apps, schema_editor):
    grant(apps, "charting", GRANTS)


def backwards(apps, schema_editor):
    revoke(apps, "charting", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("charting", "0001_charting_models"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
