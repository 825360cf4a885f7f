"""What each role may do with the front office's records."""

from django.db import migrations

from medspa.roles import FRONT_DESK, INJECTOR, MANAGER, grant, revoke

SETUP = ("location", "provider", "workinghours", "timeoff")
CRUD = ("view", "add", "change", "delete")
GRANTS = {
    FRONT_DESK: [f"view_{m}" for m in SETUP]
    + [f"{a}_{m}" for m in ("patient", "appointment") for a in ("view", "add", "change")],
    INJECTOR: [f"view_{m}" for m in (*SETUP, "patient", "appointment")],
    MANAGER: [f"{a}_{m}" for m in SETUP for a in CRUD]
    + [f"{a}_{m}" for m in ("patient", "appointment") for a in ("view", "add", "change")],
}


def forwards(apps, schema_editor):
    grant(apps, "bookings", GRANTS)


def backwards(apps, schema_editor):
    revoke(apps, "bookings", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("bookings", "0002_no_double_booking"), ("treatments", "0003_staff_roles")]

    operations = [migrations.RunPython(forwards, backwards)]
