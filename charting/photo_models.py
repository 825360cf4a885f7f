"""Standardized photos of a visit: the six expressions of the assessment (and free photos), before
treatment and at the two-week review, so the injector compares the same face in the same pose.

What is stored is never what the phone sent: the upload is read, turned upright by its EXIF
orientation and re-encoded without any metadata (no location, no device) before it reaches the
storage; a Celery task then adds a screen-size copy and a thumbnail. Files live in the private
"photos" storage (settings.STORAGES) and are read only through a view that checks permission.
"""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q

from bookings.models import Appointment

from .models import Expression


def photo_storage():
    """The private storage of patients' photos (a callable, so settings and tests may swap it)."""
    return storages["photos"]


class Phase(models.TextChoices):
    BEFORE = "before", "Before treatment"
    AFTER = "after", "After (two-week review)"


FREE = ""  # a photo outside the six standard expressions


class Photo(models.Model):
    """One photo of one visit: an expression (or a free photo with a caption), before or after."""

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="photos")
    phase = models.CharField(max_length=6, choices=Phase.choices)
    expression = models.CharField(max_length=6, choices=Expression.choices, blank=True)
    caption = models.CharField(max_length=120, blank=True)
    # The re-encoded image (upright, no metadata), and its renditions made by the task.
    image = models.FileField(storage=photo_storage, max_length=200)
    screen = models.FileField(storage=photo_storage, max_length=200, blank=True)
    thumb = models.FileField(storage=photo_storage, max_length=200, blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["appointment", "phase", "expression", "-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["appointment", "phase", "expression"], name="photo_visit_pose")]
        constraints = [
            models.CheckConstraint(condition=Q(phase__in=Phase.values), name="photo_phase_known"),
            models.CheckConstraint(
                condition=Q(expression__in=[FREE, *Expression.values]), name="photo_expression_known"
            ),
        ]
        permissions = [("export_marketing_photo", "Can export photos the patient allowed for marketing")]

    def __str__(self) -> str:
        return f"Photo {self.pk} ({self.phase}, {self.expression or 'free'})"

    @property
    def label(self) -> str:
        return self.get_expression_display() if self.expression else (self.caption or "Free photo")

    @property
    def ready(self) -> bool:
        return bool(self.screen and self.thumb)
