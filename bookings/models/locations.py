"""Where: the clinic's locations, each in its own time zone."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


def validate_time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"{value!r} is not an IANA time zone, such as America/New_York.") from exc


def default_time_zone() -> str:
    return settings.CLINIC_TIME_ZONE


class Location(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=80)
    address = models.CharField(max_length=200)
    phone = models.CharField(max_length=32, blank=True)
    timezone = models.CharField(max_length=64, default=default_time_zone, validators=[validate_time_zone])
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def contact_phone(self) -> str:
        """The number patients of this location call: its own, else the clinic's."""
        return self.phone or settings.CLINIC_PHONE
