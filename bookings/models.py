"""The front office: where, who, for whom and when.

Times are stored in UTC and shown in the location's zone. An appointment keeps the busy range
it blocks (its start and end widened by the service's buffers at booking time), and on
PostgreSQL an exclusion constraint (migration 0002) refuses two overlapping busy ranges for
one provider among the blocking statuses, whatever the code above it does.
"""

import secrets
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from treatments.models import Service, TreatmentArea


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


class PreferredChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


# The texting opt-in's wording, shown beside an unticked box wherever a patient may agree to texts.
SMS_CONSENT_TEXT = (
    "Text me appointment reminders and aftercare at this number. "
    "Message and data rates may apply. Reply STOP to opt out."
)


class Patient(models.Model):
    """A patient, matched on email and date of birth for online bookings."""

    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    date_of_birth = models.DateField()
    email = models.EmailField()
    phone = models.CharField(max_length=20, help_text="E.164, e.g. +19415550142.")
    preferred_channel = models.CharField(max_length=8, choices=PreferredChannel.choices, default=PreferredChannel.EMAIL)
    consent_email = models.BooleanField(default=True, help_text="Agreed to appointment and aftercare email.")
    consent_sms = models.BooleanField(default=False, help_text="Agreed to text messages.")
    # When and where the patient ticked the texting opt-in (the wording is on the booking page).
    consent_sms_at = models.DateTimeField(null=True, blank=True)
    consent_sms_source = models.CharField(
        max_length=40, blank=True, help_text="Where the patient agreed to texts, e.g. online booking."
    )
    opted_out_email = models.BooleanField(default=False, help_text="Asked for no more email (by a message's link).")
    opted_out_sms = models.BooleanField(default=False, help_text="Asked for no more texts (link, or STOP).")
    treatment_hold = models.BooleanField(
        default=False, help_text="No neuromodulator treatment may be booked online until an injector clears it."
    )
    treatment_hold_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), "date_of_birth", name="patient_unique_email_and_birth_date"),
        ]
        # The hold's reason comes from screening answers: clinical staff only (front desk sees the hold).
        permissions = [("view_clinical", "Can see clinical details such as why treatment is on hold")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


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
        indexes = [models.Index(fields=["provider", "busy_from", "busy_until"], name="appointment_provider_busy")]
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


class IdentityCode(models.Model):
    """A one-time code sent to the contact details on file, to prove who holds a booking's link.

    Only a hash of the code is kept. The message that carries it derives the code again from the
    random nonce and the SECRET_KEY (bookings.tokens.identity_code_value), like a signed link.
    """

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="identity_codes")
    nonce = models.CharField(max_length=32, unique=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Identity code for {self.appointment_id} at {self.created_at:%Y-%m-%d %H:%M} UTC"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", "Waiting for front desk"
    ACCEPTED = "accepted", "Accepted"
    DISMISSED = "dismissed", "Dismissed"


class ContactProposal(models.Model):
    """Details given through a link that has not proved it is the patient's: front desk decides.

    One per appointment: what the online booking said, then what its intake's contact step said.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="contact_proposals")
    appointment = models.OneToOneField(
        Appointment, on_delete=models.CASCADE, null=True, blank=True, related_name="contact_proposal"
    )
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    email = models.EmailField()
    phone = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return f"Contact proposal for patient {self.patient_id} ({self.status})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def changes(self) -> list[tuple[str, str, str]]:
        """(field label, on file, proposed) for each detail that differs from the record."""
        patient = self.patient
        rows = [
            ("Name", patient.full_name, self.full_name),
            ("Email", patient.email, self.email),
            ("Phone", patient.phone, self.phone),
        ]
        return [(label, old, new) for label, old, new in rows if " ".join(old.split()).casefold()
                != " ".join(new.split()).casefold()]  # fmt: skip
