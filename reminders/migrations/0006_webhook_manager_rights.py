"""Managers register webhook endpoints and read their delivery log; no other role sees them."""

from django.db import migrations

from medspa.roles import MANAGER, grant, revoke

GRANTS = {MANAGER: ["view_webhookendpoint", "add_webhookendpoint", "change_webhookendpoint"]}


def forwards(apps, schema_editor):
    grant(apps, "reminders", GRANTS)


def backwards(apps, schema_editor):
    revoke(apps, "reminders", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("reminders", "0005_webhook_endpoints_and_deliveries"), ("bookings", "0003_staff_roles")]

    operations = [migrations.RunPython(forwards, backwards)]
