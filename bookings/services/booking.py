"""Writes of the front office: booking, cancelling and moving appointments.

The database has the last word on overlaps: on PostgreSQL an exclusion constraint refuses an
overlapping busy range (we turn its error into SlotUnavailable); on SQLite every transaction
takes the write lock at BEGIN (IMMEDIATE), so the check below and the insert are one step.
"""

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from treatments.models import Service, TreatmentArea

from .. import signals
from ..models import (
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    ContactProposal,
    EventKind,
    Location,
    NeedsCall,
    Patient,
    PreferredChannel,
    Provider,
    Source,
)
from ..policy import booking_policy
from ..selectors import last_bookable_day, patient_find, provider_offers, slot_check
from .claims import CLAIM_ATTEMPTS as CLAIM_ATTEMPTS  # re-exported: where tests and callers look
from .claims import _claim_with_resources
from .claims import claim_time as claim_time


class BookingError(Exception):
    """A booking refused for a reason the person can act on. `code` is the API's error code."""

    code = "booking_error"
    status = 409

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class SlotUnavailable(BookingError):
    code = "slot_unavailable"


class TooLateToChange(BookingError):
    code = "too_late_to_cancel"


class TooLateToReschedule(TooLateToChange):
    code = "too_late_to_reschedule"


class BookingInvalid(BookingError):
    """Input that can never be booked, by field: a 400, not a 409."""

    code = "invalid"
    status = 400

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class PatientDetails:
    first_name: str
    last_name: str
    email: str
    phone: str
    date_of_birth: date
    # The texting opt-in and channel ticked on the form: kept for a patient the booking creates
    # only. A match keeps what is on file (an unauthenticated form proves nothing).
    sms_consent: bool = False
    preferred_channel: str = PreferredChannel.EMAIL


def patient_match_or_create(
    *, details: PatientDetails, now: datetime | None = None, source: str = "", savepoint: bool = True
) -> tuple[Patient, bool]:
    """The known patient with this email and date of birth, or a new one; and whether it is new.

    A match changes nothing of the record (name, contact details, consents, channel): email and date
    of birth are no proof of who is asking (see services/identity.py). Safe against two first
    bookings at once (the loser matches). A new patient who ticked the texting opt-in has it kept
    with the time and `source` ("Online booking"); texts are their channel only with that consent.

    `savepoint=False` (booking's own first try): the insert takes no savepoint, and a patient
    created by someone else a moment ago raises _PatientTaken instead, for the caller to roll its
    transaction back and try again with one.
    """
    patient = patient_find(email=details.email, date_of_birth=details.date_of_birth)
    if patient is not None:
        return patient, False
    sms = bool(details.sms_consent)
    fields = {
        "first_name": details.first_name.strip(),
        "last_name": details.last_name.strip(),
        "email": details.email.strip(),
        "phone": details.phone,
        "date_of_birth": details.date_of_birth,
        "consent_sms": sms,
        "consent_sms_at": (now or timezone.now()) if sms else None,
        "consent_sms_source": source[:40] if sms else "",
        "preferred_channel": (
            PreferredChannel.SMS
            if sms and details.preferred_channel == PreferredChannel.SMS
            else PreferredChannel.EMAIL
        ),
    }
    if not savepoint:
        try:
            return Patient.objects.create(**fields), True
        except IntegrityError as exc:
            raise _PatientTaken from exc
    try:
        with transaction.atomic():
            return Patient.objects.create(**fields), True
    except IntegrityError:
        patient = patient_find(email=details.email, date_of_birth=details.date_of_birth)
        if patient is None:
            raise
        return patient, False


class _PatientTaken(Exception):
    """The insert of a new patient failed without a savepoint (most likely another booking created
    them a moment ago): the transaction is spoilt, roll it back and try again with one."""


def event_record(
    appointment: Appointment, kind: EventKind, *, at: datetime, actor: AbstractBaseUser | None, note: str = ""
) -> AppointmentEvent:
    """Write down who did what to an appointment. Called by every service that changes one."""
    return AppointmentEvent.objects.create(appointment=appointment, kind=kind, at=at, actor=actor, note=note)


def _check_timing(*, start: datetime, now: datetime, min_notice: timedelta | None) -> None:
    policy = booking_policy()
    notice = policy.min_notice if min_notice is None else min_notice
    if start < now:
        raise BookingInvalid({"start": ["That time has already passed. Please choose a later time."]})
    if start < now + notice:
        hours = notice.total_seconds() / 3600
        raise BookingInvalid(
            {"start": [f"Online bookings need at least {hours:g} hours' notice. For sooner, please call us."]}
        )
    # The horizon's last day on the calendar the requested time is in (the location's).
    if start.date() > last_bookable_day(policy, now, start.tzinfo):
        raise BookingInvalid({"start": [f"We take bookings up to {policy.horizon_days} days ahead."]})


def _free_candidates(
    *,
    service: Service,
    start: datetime,
    location: Location | None,
    provider: Provider | None,
    online: bool,
    ignore_appointment_id: int | None = None,
):
    check = slot_check(
        service=service,
        start=start,
        location=location,
        provider_ids=None if provider is None else [provider.pk],
        online=online,
        ignore_appointment_id=ignore_appointment_id,
    )
    if not check.on_grid:
        raise BookingInvalid({"start": ["That isn't one of our appointment times. Please pick a time from the list."]})
    if location is None and len({slot.location.pk for slot in check.on_grid}) > 1:
        names = " or ".join(sorted({slot.location.name for slot in check.on_grid}))
        raise BookingInvalid({"location": [f"Please choose a location: {names}."]})
    if not check.free:
        raise SlotUnavailable("That time is no longer available. Please choose another.")
    return check


def appointment_book(
    *,
    service: Service,
    start: datetime,
    now: datetime,
    source: Source,
    patient: Patient | None = None,
    details: PatientDetails | None = None,
    provider: Provider | None = None,
    location: Location | None = None,
    areas: Iterable[TreatmentArea] = (),
    booked_by: AbstractBaseUser | None = None,
    min_notice: timedelta | None = None,
) -> Appointment:
    """Book `service` at `start` for a known patient or one matched/created from `details`.

    `provider` None means anyone offering the service who is free then (the least busy that
    day); `location` None means wherever the provider works at that time. Online bookings keep
    the notice; a toxin treatment for a patient on hold, or a returning-patients service for one
    without a completed visit, is booked as a request marked `needs_call`. Front desk may pass a
    shorter `min_notice`, never an overlap. An online booking that matched an existing patient is
    not `identity_verified` (services/identity.py) and changes nothing of the patient's record.
    """
    if (patient is None) == (details is None):
        raise ValueError("Pass either patient or details.")
    online = source == Source.ONLINE
    errors: dict[str, list[str]] = {}
    if not service.is_active or (online and not service.bookable_online):
        errors["service"] = ["This service can't be booked online. Please call us."]
    if provider is not None and (
        not provider.is_active or not provider_offers(provider_id=provider.pk, service_id=service.pk)
    ):
        errors["provider"] = [f"{provider.name} doesn't offer {service.name}."]
    if errors:
        raise BookingInvalid(errors)
    _check_timing(start=start, now=now, min_notice=min_notice)

    # The first try creates a new patient without a savepoint (two statements fewer). Should another
    # booking create them meanwhile, that try is rolled back whole and the second matches them, as
    # the savepoint would have (see patient_match_or_create).
    book = functools.partial(
        _book, service=service, start=start, now=now, source=source, patient=patient, details=details,
        provider=provider, location=location, areas=areas, booked_by=booked_by, online=online,
    )  # fmt: skip
    try:
        return book(patient_savepoint=False)
    except _PatientTaken:
        return book(patient_savepoint=True)


def _book(
    *,
    service: Service,
    start: datetime,
    now: datetime,
    source: Source,
    patient: Patient | None,
    details: PatientDetails | None,
    provider: Provider | None,
    location: Location | None,
    areas: Iterable[TreatmentArea],
    booked_by: AbstractBaseUser | None,
    online: bool,
    patient_savepoint: bool,
) -> Appointment:
    """appointment_book's transaction, once its input is checked."""
    with transaction.atomic():
        # Front desk knows who it is talking to; a patient passed in (a waitlist offer opened from
        # the email on file) is theirs. Online, only a patient this booking created is proven.
        verified = True
        if patient is None:
            patient, created = patient_match_or_create(
                details=details, now=now, source=f"{Source(source).label} booking", savepoint=patient_savepoint
            )
            verified = created or not online
        # Online, the answer must not tell a stranger anything about a patient (whether they exist,
        # whether they are on hold): a treatment the clinic must talk about first is taken as a
        # request and front desk calls. Booking is not treating: treatment still needs cleared screening.
        needs_call = ""
        if online and service.is_toxin_treatment and patient.treatment_hold:
            needs_call = NeedsCall.HOLD
        elif (
            online
            and not service.new_patients_online
            and not patient.appointments.filter(status=AppointmentStatus.COMPLETED).exists()
        ):
            needs_call = NeedsCall.NOT_RETURNING
        check = _free_candidates(service=service, start=start, location=location, provider=provider, online=online)
        for slot in check.free:
            appointment = Appointment(
                patient=patient,
                provider_id=slot.provider_id,
                location=slot.location,
                service=service,
                start=slot.start,
                end=slot.end,
                busy_from=slot.start - service.buffer_before,
                busy_until=slot.end + service.buffer_after,
                source=source,
                booked_by=booked_by,
                identity_verified=verified,
                needs_call=needs_call,
            )
            if _claim_with_resources(
                appointment, check, lambda appointment=appointment: appointment.save(force_insert=True)
            ):
                break
            # someone else took this provider's time (or every free room) a moment ago: the next provider, if any
        else:
            raise SlotUnavailable("That time was just taken. Please choose another.")
        area_list = list(areas)
        if area_list:
            appointment.areas.set(area_list)
        if not verified:
            # What the booking said about the person, for front desk; the record stays as it is.
            ContactProposal.objects.create(
                patient=patient, appointment=appointment, first_name=details.first_name.strip(),
                last_name=details.last_name.strip(), email=details.email.strip(), phone=details.phone,
                created_at=now, updated_at=now,
            )  # fmt: skip
        event_record(appointment, EventKind.BOOKED, at=now, actor=booked_by, note=Source(source).label)
        signals.appointment_booked.send(sender=Appointment, appointment=appointment)
    return appointment


def cancel_deadline(appointment: Appointment) -> datetime:
    return appointment.start - booking_policy().cancel_window


def appointment_cancel(
    *,
    appointment: Appointment,
    now: datetime,
    by_patient: bool,
    reason: str = "",
    actor: AbstractBaseUser | None = None,
) -> Appointment:
    """Cancel; a patient may not inside the cancellation window. Cancelling twice is a no-op.

    The freed time is offered to the waitlist once this commits.
    """
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.status == AppointmentStatus.CANCELLED:
            return appointment
        if appointment.status not in (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED):
            raise BookingError(f"A {appointment.get_status_display().lower()} appointment can't be cancelled.")
        if by_patient and now >= cancel_deadline(appointment):
            raise TooLateToChange(_too_late_message("cancel", appointment.location))
        appointment.status = AppointmentStatus.CANCELLED
        appointment.cancelled_at = now
        appointment.cancellation_reason = reason or ("Cancelled by the patient online" if by_patient else "")
        appointment.ics_sequence += 1  # the row is locked: no other change can take the same number
        appointment.save(update_fields=["status", "cancelled_at", "cancellation_reason", "ics_sequence", "updated_at"])
        event_record(appointment, EventKind.CANCELLED, at=now, actor=actor, note=appointment.cancellation_reason)
        signals.appointment_cancelled.send(sender=Appointment, appointment=appointment)
        _offer_freed_time_on_commit(appointment.provider_id, appointment.location_id, appointment.start)
    return appointment


def _offer_freed_time_on_commit(provider_id: int, location_id: int, start: datetime) -> None:
    from ..tasks import waitlist_offer_freed_time

    transaction.on_commit(
        lambda: waitlist_offer_freed_time.delay(provider_id, location_id, start.isoformat()), robust=True
    )


def _phone(location: Location | None) -> str:
    """The number to call about a booking: its location's when known, else the clinic's."""
    return location.contact_phone if location is not None else settings.CLINIC_PHONE


def _too_late_message(verb: str, location: Location) -> str:
    hours = booking_policy().cancel_window.total_seconds() / 3600
    return (
        f"Appointments can be changed online up to {hours:g} hours before they start. "
        f"To {verb} now, please call us on {_phone(location)}."
    )


def appointment_reschedule(
    *,
    appointment: Appointment,
    start: datetime,
    now: datetime,
    by_patient: bool,
    provider: Provider | None = None,
    anyone: bool = False,
    min_notice: timedelta | None = None,
    actor: AbstractBaseUser | None = None,
) -> Appointment:
    """Move to `start` (and `provider`, or the same provider when None), never onto busy time.

    `anyone`: whoever offering the service is free then at the appointment's location, the
    same provider first when free. The time it leaves is offered to the waitlist once this commits.
    """
    _check_timing(start=start, now=now, min_notice=min_notice)
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().select_related("service").get(pk=appointment.pk)
        if appointment.status not in (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED):
            raise BookingError(f"A {appointment.get_status_display().lower()} appointment can't be moved.")
        if by_patient and now >= cancel_deadline(appointment):
            raise TooLateToReschedule(_too_late_message("reschedule", appointment.location))
        service = appointment.service
        target = None if anyone else (provider or appointment.provider)
        if target is not None and not provider_offers(provider_id=target.pk, service_id=service.pk):
            raise BookingInvalid({"provider": [f"{target.name} doesn't offer {service.name}."]})
        previous_start, previous_provider_id = appointment.start, appointment.provider_id
        previous_location_id, previous_local = appointment.location_id, appointment.local_start
        previous_provider_name = appointment.provider.name
        check = _free_candidates(
            service=service,
            start=start,
            location=appointment.location if anyone else None,
            provider=target,
            online=by_patient,
            ignore_appointment_id=appointment.pk,
        )
        free = check.free
        slot = next((s for s in free if s.provider_id == appointment.provider_id), free[0])
        appointment.provider_id = slot.provider_id
        appointment.location = slot.location
        appointment.start, appointment.end = slot.start, slot.end
        appointment.busy_from = slot.start - service.buffer_before
        appointment.busy_until = slot.end + service.buffer_after
        appointment.ics_sequence += 1  # the row is locked: no other change can take the same number
        # The room (and device) it had first, when still free there; else the next free one.
        rooms, devices = check.resources.get(slot.location.pk, ([None], [None]))
        check.resources[slot.location.pk] = (
            sorted(rooms, key=lambda rid: rid != appointment.room_id),
            sorted(devices, key=lambda did: did != appointment.device_id),
        )
        if not _claim_with_resources(appointment, check, appointment.save):
            raise SlotUnavailable("That time was just taken. Please choose another.")
        event_record(
            appointment,
            EventKind.RESCHEDULED,
            at=now,
            actor=actor,
            note=f"From {previous_local:%a %b %-d, %-I:%M %p %Z} with {previous_provider_name}",
        )
        signals.appointment_rescheduled.send(
            sender=Appointment,
            appointment=appointment,
            previous_start=previous_start,
            previous_provider_id=previous_provider_id,
        )
        _offer_freed_time_on_commit(previous_provider_id, previous_location_id, previous_start)
    return appointment
