"""Who: the providers, their week at the locations (working hours) and their time off."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from treatments.models import Service

from .locations import Location


class Provider(models.Model):
    """A staff member who sees patients."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="provider")
    title = models.CharField(max_length=80, help_text="For patients, e.g. Nurse injector.")
    credentials = models.CharField(max_length=40, blank=True, help_text="e.g. RN, BSN")
    services = models.ManyToManyField(Service, related_name="providers", blank=True)
    color = models.CharField(max_length=7, default="#0f5257", help_text="On the front desk's day view.")
    bookable_online = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "user__first_name", "user__last_name"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        full = self.user.get_full_name() or self.user.get_username()
        return f"{full}, {self.credentials}" if self.credentials else full


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class WorkingHours(models.Model):
    """A block of a provider's week at one location, in that location's wall-clock time.

    Several blocks on one day make breaks; different days may be at different locations.
    """

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="working_hours")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["provider", "weekday", "start"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")),
                name="working_hours_start_before_end",
                violation_error_message="The end must be after the start.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M} at {self.location}"


class TimeOff(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="time_off")
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["start"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")),
                name="time_off_start_before_end",
                violation_error_message="The end must be after the start.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}: {self.start:%Y-%m-%d %H:%M}–{self.end:%Y-%m-%d %H:%M} UTC"
