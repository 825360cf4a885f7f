"""With what: the rooms and devices of a location, which a visit may take besides its provider.

A service says what it needs (treatments' `Service.needs_room` and `Service.device_kind`); booking
assigns one free room (and one free device of that kind) of the appointment's location, for the
visit and its buffers. On PostgreSQL exclusion constraints (migration 0015) refuse two overlapping
blocking appointments in one room, or on one device, as migration 0002 does for a provider.
"""

from django.db import models

from .locations import Location


class Room(models.Model):
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=60, help_text="As staff call it, e.g. Room 2.")
    is_active = models.BooleanField(default=True, help_text="Inactive rooms take no new bookings.")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["location", "sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["location", "name"], name="room_name_unique_per_location")]

    def __str__(self) -> str:
        return self.name


class Device(models.Model):
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="devices")
    name = models.CharField(max_length=60, help_text="As staff call it, e.g. Ultrasound 1.")
    kind = models.SlugField(max_length=40, help_text="What services ask for, e.g. ultrasound.")
    is_active = models.BooleanField(default=True, help_text="Inactive devices take no new bookings.")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["location", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["location", "name"], name="device_name_unique_per_location"),
            models.CheckConstraint(condition=~models.Q(kind=""), name="device_kind_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"
