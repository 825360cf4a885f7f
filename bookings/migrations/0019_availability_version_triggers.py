"""Database triggers that replace the availability version's token whenever a row that can change a
free slot is written (bookings/availability_cache.py), whatever writes it: the app, the admin, a
bulk insert, a queryset update, raw SQL.

PostgreSQL: constraint triggers, deferred, so the token is replaced at commit: the row is locked
only while the transaction commits, never while it waits on anything else (two bookings cannot
deadlock on it), and the token becomes visible with the writes, atomically. Tests that never
commit make them immediate (SET CONSTRAINTS availability_bump IMMEDIATE, tests/conftest.py).
TRUNCATE, which fires no row trigger, has a statement trigger of its own.
SQLite: plain triggers (its writers are one at a time anyway).

An appointment's update counts only when it changes what availability reads (status, times,
provider, location, room, device, service): intake or chart states leave the token alone.
"""

from django.db import migrations

VERSION = "bookings_availabilityversion"
# The appointment's columns that availability reads.
APPOINTMENT_COLUMNS = [
    "status",
    "start",
    "end",
    "busy_from",
    "busy_until",
    "provider_id",
    "location_id",
    "room_id",
    "device_id",
    "service_id",
]
OTHER_TABLES = [
    "bookings_timeoff",
    "bookings_workinghours",
    "bookings_provider",
    "bookings_provider_services",
    "bookings_location",
    "bookings_room",
    "bookings_device",
    "treatments_service",
]
APPOINTMENT = "bookings_appointment"


def _postgresql() -> tuple[list[str], list[str]]:
    changed = " OR ".join(f'OLD."{column}" IS DISTINCT FROM NEW."{column}"' for column in APPOINTMENT_COLUMNS)
    forward = [
        """
        CREATE OR REPLACE FUNCTION bookings_availability_bump() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO bookings_availabilityversion (id, token)
            VALUES (1, floor(random() * 4611686018427387903)::bigint)
            ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
            RETURN NULL;
        END $$
        """,
        f"""CREATE CONSTRAINT TRIGGER availability_bump AFTER INSERT OR DELETE ON {APPOINTMENT}
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bookings_availability_bump()""",
        f"""CREATE CONSTRAINT TRIGGER availability_bump_update AFTER UPDATE ON {APPOINTMENT}
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION bookings_availability_bump()""",
    ]
    backward = [
        f"DROP TRIGGER IF EXISTS availability_bump ON {APPOINTMENT}",
        f"DROP TRIGGER IF EXISTS availability_bump_update ON {APPOINTMENT}",
    ]
    for table in OTHER_TABLES:
        forward.append(
            f"""CREATE CONSTRAINT TRIGGER availability_bump AFTER INSERT OR UPDATE OR DELETE ON {table}
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bookings_availability_bump()"""
        )
        backward.append(f"DROP TRIGGER IF EXISTS availability_bump ON {table}")
    # TRUNCATE fires no row trigger: a statement trigger for it (at once; TRUNCATE takes every lock).
    for table in [APPOINTMENT, *OTHER_TABLES]:
        forward.append(
            f"""CREATE TRIGGER availability_bump_truncate AFTER TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION bookings_availability_bump()"""
        )
        backward.append(f"DROP TRIGGER IF EXISTS availability_bump_truncate ON {table}")
    backward.append("DROP FUNCTION IF EXISTS bookings_availability_bump()")
    return forward, backward


def _sqlite() -> tuple[list[str], list[str]]:
    bump = (
        f"INSERT INTO {VERSION} (id, token) VALUES (1, random()) "  # noqa: S608 (names written here, no values)
        "ON CONFLICT (id) DO UPDATE SET token = excluded.token;"
    )
    changed = " OR ".join(f'OLD."{column}" IS NOT NEW."{column}"' for column in APPOINTMENT_COLUMNS)
    forward, backward = [], []
    for table in [APPOINTMENT, *OTHER_TABLES]:
        for event in ("INSERT", "UPDATE", "DELETE"):
            name = f"availability_bump_{table}_{event.lower()}"
            when = f" WHEN {changed}" if table == APPOINTMENT and event == "UPDATE" else ""
            forward.append(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} BEGIN {bump} END")
            backward.append(f"DROP TRIGGER IF EXISTS {name}")
    return forward, backward


def _apply(schema_editor, backward: bool) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    statements = (_postgresql() if vendor == "postgresql" else _sqlite())[backward]
    for statement in statements:
        schema_editor.execute(statement)


def create(apps, schema_editor):
    _apply(schema_editor, backward=False)


def drop(apps, schema_editor):
    _apply(schema_editor, backward=True)


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0018_availability_version"),
        ("treatments", "0008_service_room_and_device"),
    ]

    operations = [migrations.RunPython(create, drop)]
