"""Staff roles and their rights on the catalog: only a Manager edits it; everyone reads it."""

from django.db import migrations

from medspa.roles import FRONT_DESK, INJECTOR, MANAGER, grant, revoke

MODELS = ("treatmentarea", "product", "service", "aftercarestep")
GRANTS = {
    FRONT_DESK: [f"view_{model}" for model in MODELS],
    INJECTOR: [f"view_{model}" for model in MODELS],
    MANAGER: [f"{action}_{model}" for model in MODELS for action in ("view", "add", "change", "delete")],
}


def forwards(apps, schema_editor):
    grant(apps, "treatments", GRANTS)


def backwards(apps, schema_editor):
    revoke(apps, "treatments", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0002_catalog_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
