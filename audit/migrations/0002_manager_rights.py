"""Managers see and export the audit trail, export a patient's record and erase a patient."""

from django.db import migrations

from medspa.roles import MANAGER, grant, revoke

GRANTS = {MANAGER: ["view_audit_trail", "export_patient_record", "erase_patient"]}


def forwards(apps, schema_editor):
    grant(apps, "audit", GRANTS)


def backwards(apps, schema_editor):
    revoke(apps, "audit", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_history_and_erasure")]

    operations = [migrations.RunPython(forwards, backwards)]
