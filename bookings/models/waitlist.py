"""The waitlist: patients who would take a time that frees up."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from treatments.models import Service

from .appointments import Appointment, Source
from .locations import Location
from .patients import Patient
from .providers import Provider


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    OFFERED = "offered", "Offered a time"
    BOOKED = "booked", "Booked"
    REMOVED = "removed", "Removed"


class WaitlistEntry(models.Model):
    """A patient who would take a time for a service, with whom and where they like, between two dates."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="waitlist_entries")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    earliest = models.DateField()
    latest = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=8, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING)
    source = models.CharField(max_length=8, choices=Source.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The time offered, when status is "offered".
    offered_start = models.DateTimeField(null=True, blank=True)
    offered_provider = models.ForeignKey(Provider, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    offered_location = models.ForeignKey(Location, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    offered_at = models.DateTimeField(null=True, blank=True)
    # The offered time the email went out for: one email per offer, however often the task runs.
    offer_emailed_for = models.DateTimeField(null=True, blank=True)
    appointment = models.ForeignKey(Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "waitlist entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(earliest__lte=F("latest")),
                name="waitlist_earliest_before_latest",
                violation_error_message="The first date must be on or before the last.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} for {self.service} {self.earliest}–{self.latest}"
