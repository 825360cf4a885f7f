"""Photos are health data: injectors and managers see and take them; a Manager alone exports the
ones a patient allowed for marketing. Front desk gets nothing."""

from django.db import migrations

from medspa.roles import INJECTOR, MANAGER, grant, revoke

CLINICAL = ["view_photo", "add_photo"]
GRANTS = {INJECTOR: CLINICAL, MANAGER: [*CLINICAL, "export_marketing_photo"]}


def forwards(apps, schema_editor):
    grant(apps, "charting", GRANTS)


def backwards(apps, schema_editor):
    revoke(apps, "charting", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("charting", "0003_photos")]

    operations = [migrations.RunPython(forwards, backwards)]
