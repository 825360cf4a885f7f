"""The availability version: one row whose token changes with every write that can change a
free slot, in the writing transaction itself (bookings/availability_cache.py)."""

from django.db import models


class AvailabilityVersion(models.Model):
    """A random token, replaced (not counted up) on every write that can change availability, so
    a database rolled back or restored never brings back a token that meant other data."""

    token = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Availability version {self.token}"
