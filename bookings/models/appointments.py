"""When: appointments, their statuses and the events that changed them.

Times are stored in UTC and shown in the location's zone. An appointment keeps the busy range
it blocks (its start and end widened by the service's buffers at booking time), and on
PostgreSQL an exclusion constraint (migration 0002) refuses two overlapping busy ranges for
one provider among the blocking statuses, whatever the code above it does; others (migration
0015) do the same for one room and one device.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from treatments.models import Service, TreatmentArea

from .locations import Location
from .patients import Patient
from .providers import Provider
from .rooms import Device, Room


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CONFIRMED = "confirmed", "Confirmed"
    CHECKED_IN = "checked_in", "Checked in"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


# The statuses whose busy time no other appointment of the provider may overlap. A no-show
# gives its time back, so front desk can fit someone else into it.
BLOCKING_STATUSES = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.CONFIRMED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.COMPLETED,
)


class IntakeStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    COMPLETE = "complete", "Complete"
    FLAGGED = "flagged", "Flagged for review"


class ChartState(models.TextChoices):
    """Where the injector's treatment record stands; charting keeps it (bookings never reads a chart)."""

    NONE = "", "No record"
    DRAFT = "draft", "Record started"
    SIGNED = "signed", "Record signed"
    NOT_TREATED = "not_treated", "Not treated"


class NotReady(models.TextChoices):
    """Why a toxin treatment may not start yet, in words for every role (no clinical detail).
    Intake keeps it through `appointment_treatment_ready_set`; charting asks intake's gate itself."""

    NONE = "", "Ready"
    HISTORY = "history", "Medical history not finished"
    SCREENING = "screening", "Screening needs the injector's decision"
    NOT_TO_TREAT = "not_to_treat", "Not to be treated: see the injector"
    CONSENT = "consent", "Consent not signed for the current version"
    HOLD = "hold", "Treatment on hold: see the injector"


class Source(models.TextChoices):
    ONLINE = "online", "Online"
    DESK = "desk", "Front desk"
    EMBED = "embed", "Embedded on the clinic's site"


class NeedsCall(models.TextChoices):
    """Why front desk must phone the patient before the visit (no clinical detail: that is the injector's)."""

    HOLD = "hold", "Treatment requested while the patient's treatment is on hold"
    NOT_RETURNING = "not_returning", "Treatment requested without an earlier visit here"


REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U: easy to read aloud


def new_reference() -> str:
    """An 8-character code from a CSPRNG: 30^8 ≈ 6.6e11 values, neither sequential nor guessable."""
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


class AppointmentQuerySet(models.QuerySet):
    def blocking(self) -> "AppointmentQuerySet":
        return self.filter(status__in=BLOCKING_STATUSES)


class Appointment(models.Model):
    reference = models.CharField(max_length=8, unique=True, default=new_reference, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="appointments")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="appointments")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="appointments")
    areas = models.ManyToManyField(TreatmentArea, blank=True, related_name="appointments")
    # The room and device the visit takes, when its service needs them (see rooms.py): busy for
    # the same range as the provider.
    room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments")
    device = models.ForeignKey(Device, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments")
    start = models.DateTimeField()
    end = models.DateTimeField()
    # The time the provider is busy: start and end widened by the service's buffers.
    busy_from = models.DateTimeField(editable=False)
    busy_until = models.DateTimeField(editable=False)
    status = models.CharField(max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED)
    intake_status = models.CharField(max_length=12, choices=IntakeStatus.choices, default=IntakeStatus.NOT_STARTED)
    # Kept by charting through `appointment_chart_state_set`: completing a toxin treatment needs a
    # signed record or "not treated"; a visit where toxin was given (a review with a top-up too)
    # counts for intervals, limits and aftercare.
    chart_state = models.CharField(max_length=12, choices=ChartState.choices, blank=True, default=ChartState.NONE)
    toxin_given = models.BooleanField(default=False, help_text="Units of a neuromodulator were charted.")
    # Kept by intake through `appointment_treatment_ready_set` whenever its gate may change (history,
    # consent, decision, identity, a new consent version): what front desk sees, never why clinically.
    treatment_ready = models.BooleanField(default=False)
    treatment_not_ready = models.CharField(
        max_length=12, choices=NotReady.choices, blank=True, default=NotReady.HISTORY
    )
    source = models.CharField(max_length=8, choices=Source.choices)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Has the person holding this booking's link proved they are the patient? An online booking
    # that matched an existing patient by email and date of birth has not, until they enter the
    # code sent to the contact details on file; until then its link shows and changes nothing of
    # the patient's record. Front desk bookings and online bookings that created the patient are.
    identity_verified = models.BooleanField(default=False)
    identity_verified_at = models.DateTimeField(null=True, blank=True, help_text="When the code was entered.")
    needs_call = models.CharField(
        max_length=16, choices=NeedsCall.choices, blank=True, help_text="Front desk calls the patient before the visit."
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.CharField(max_length=200, blank=True)
    # The calendar file's SEQUENCE: raised by every move and the cancel, so the patient's calendar
    # replaces the event it already holds (same UID) instead of keeping the old time.
    ics_sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        indexes = [
            models.Index(fields=["provider", "busy_from", "busy_until"], name="appointment_provider_busy"),
            models.Index(fields=["room", "busy_from", "busy_until"], name="appointment_room_busy"),
            models.Index(fields=["device", "busy_from", "busy_until"], name="appointment_device_busy"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="appointment_start_before_end"),
            models.CheckConstraint(
                condition=Q(busy_from__lte=F("start"), busy_until__gte=F("end")),
                name="appointment_busy_covers_visit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.service} {self.start:%Y-%m-%d %H:%M} UTC"

    @property
    def local_start(self):
        return self.start.astimezone(self.location.zone)

    @property
    def local_end(self):
        return self.end.astimezone(self.location.zone)

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


class EventKind(models.TextChoices):
    BOOKED = "booked", "Booked"
    RESCHEDULED = "rescheduled", "Moved"
    CONFIRMED = "confirmed", "Confirmed"
    CANCELLED = "cancelled", "Cancelled"
    CHECKED_IN = "checked_in", "Checked in"
    CHECK_IN_UNDONE = "check_in_undone", "Check-in undone"
    COMPLETED = "completed", "Completed"
    NO_SHOW = "no_show", "Marked no-show"
    NO_SHOW_UNDONE = "no_show_undone", "No-show undone"
    IDENTITY_VERIFIED = "verified", "Patient proved who they are (code)"


class AppointmentEvent(models.Model):
    """Who did what to an appointment, and when: written by every service that changes one."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    at = models.DateTimeField()
    # None: the patient (online) or the system.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.appointment.reference} {self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M} UTC"
