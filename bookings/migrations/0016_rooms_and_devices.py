"""Rooms and devices of a location, the appointment's room and device, and on PostgreSQL no two
overlapping blocking appointments in one room or on one device (exclusion constraints kept out of
the model state, as migration 0002 does for a provider)."""

from importlib import import_module

import django.db.models.deletion
from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.db import migrations, models
from django.db.models import Q

_0002 = import_module("bookings.migrations.0002_no_double_booking")
AddConstraintOnPostgres, TsTzRange, BLOCKING_STATUSES = (
    _0002.AddConstraintOnPostgres,
    _0002.TsTzRange,
    _0002.BLOCKING_STATUSES,
)


def _no_overlap(field: str, noun: str) -> ExclusionConstraint:
    return ExclusionConstraint(
        name=f"appointment_no_overlap_per_{field}",
        expressions=[
            (field, RangeOperators.EQUAL),
            (TsTzRange("busy_from", "busy_until", RangeBoundary()), RangeOperators.OVERLAPS),
        ],
        condition=Q(status__in=BLOCKING_STATUSES, **{f"{field}__isnull": False}),
        violation_error_message=f"This {noun} is already taken at that time.",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0015_embed_origins_and_source"),
        ("treatments", "0008_service_room_and_device"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Device",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(help_text="As staff call it, e.g. Ultrasound 1.", max_length=60)),
                ("kind", models.SlugField(help_text="What services ask for, e.g. ultrasound.", max_length=40)),
                ("is_active", models.BooleanField(default=True, help_text="Inactive devices take no new bookings.")),
                ("sort_order", models.PositiveSmallIntegerField(default=0)),
                (
                    "location",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="devices", to="bookings.location"
                    ),
                ),
            ],
            options={
                "ordering": ["location", "sort_order", "name"],
            },
        ),
        migrations.AddField(
            model_name="appointment",
            name="device",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="appointments",
                to="bookings.device",
            ),
        ),
        migrations.CreateModel(
            name="Room",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(help_text="As staff call it, e.g. Room 2.", max_length=60)),
                ("is_active", models.BooleanField(default=True, help_text="Inactive rooms take no new bookings.")),
                ("sort_order", models.PositiveSmallIntegerField(default=0)),
                (
                    "location",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="rooms", to="bookings.location"
                    ),
                ),
            ],
            options={
                "ordering": ["location", "sort_order", "name"],
            },
        ),
        migrations.AddField(
            model_name="appointment",
            name="room",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="appointments",
                to="bookings.room",
            ),
        ),
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(fields=["room", "busy_from", "busy_until"], name="appointment_room_busy"),
        ),
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(fields=["device", "busy_from", "busy_until"], name="appointment_device_busy"),
        ),
        migrations.AddConstraint(
            model_name="device",
            constraint=models.UniqueConstraint(fields=("location", "name"), name="device_name_unique_per_location"),
        ),
        migrations.AddConstraint(
            model_name="device",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind", ""), _negated=True), name="device_kind_not_blank"
            ),
        ),
        migrations.AddConstraint(
            model_name="room",
            constraint=models.UniqueConstraint(fields=("location", "name"), name="room_name_unique_per_location"),
        ),
        AddConstraintOnPostgres("appointment", _no_overlap("room", "room")),
        AddConstraintOnPostgres("appointment", _no_overlap("device", "device")),
    ]
