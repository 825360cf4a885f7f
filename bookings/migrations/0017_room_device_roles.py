"""Managers set up rooms and devices (in the admin, as they do providers and locations); front
desk and injectors see them."""

from django.db import migrations

from medspa.roles import FRONT_DESK, INJECTOR, MANAGER, grant, revoke

MODELS = ("room", "device")
GRANTS = {
    FRONT_DESK: [f"view_{m}" for m in MODELS],
    INJECTOR: [f"view_{m}" for m in MODELS],
    MANAGER: [f"{a}_{m}" for m in MODELS for a in ("view", "add", "change", "delete")],
}


def forwards(apps, schema_editor):
    grant(apps, "bookings", GRANTS)


def backwards(apps, schema_editor):
    revoke(apps, "bookings", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("bookings", "0016_rooms_and_devices")]

    operations = [migrations.RunPython(forwards, backwards)]
