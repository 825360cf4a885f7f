"""Injectors and managers see clinical details; front desk does not."""

from django.db import migrations

from medspa.roles import INJECTOR, MANAGER, grant, revoke

GRANTS = {INJECTOR: ["view_clinical"], MANAGER: ["view_clinical"]}


def forwards(apps, schema_editor):
    grant(apps, "bookings", GRANTS)


def backwards(apps, schema_editor):
    revoke(apps, "bookings", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("bookings", "0005_patient_clinical_permission")]

    operations = [migrations.RunPython(forwards, backwards)]
