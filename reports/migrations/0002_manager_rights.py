"""Managers see and export the reports."""

from django.db import migrations

from medspa.roles import MANAGER, grant, revoke

GRANTS = {MANAGER: ["view_reports"]}


def forwards(apps, schema_editor):
    grant(apps, "reports", GRANTS)


def backwards(apps, schema_editor):
    revoke(apps, "reports", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_report_permission"), ("treatments", "0003_staff_roles")]

    operations = [migrations.RunPython(forwards, backwards)]
