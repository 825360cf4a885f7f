"""The visit itself, in the clinic's order: confirm, check in (on the day), complete (once started
and checked in), no-show; and the undo of a check-in or a no-show made by mistake.

booked → confirmed → checked in → completed, or → no-show once the start has passed. A check-in
or a no-show can be undone back to booked/confirmed; a checked-in visit is moved or cancelled
only after its check-in is undone (the services that move and cancel refuse other statuses).
"""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q

from .. import signals
from ..models import Appointment, AppointmentStatus, ChartState, EventKind
from .booking import BookingError, event_record
from .claims import claim_time

# status it moves to: (the statuses it may come from, the event it writes)
TRANSITIONS = {
    AppointmentStatus.CONFIRMED: ((AppointmentStatus.BOOKED,), EventKind.CONFIRMED),
    AppointmentStatus.CHECKED_IN: ((AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED), EventKind.CHECKED_IN),
    AppointmentStatus.COMPLETED: ((AppointmentStatus.CHECKED_IN,), EventKind.COMPLETED),
    AppointmentStatus.NO_SHOW: ((AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED), EventKind.NO_SHOW),
}
BEFORE_THE_VISIT = (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED)


def _check_timing(appointment: Appointment, to: AppointmentStatus, now: datetime) -> None:
    if to == AppointmentStatus.CHECKED_IN and now.astimezone(appointment.location.zone).date() != (
        appointment.local_start.date()
    ):
        raise BookingError(f"Patients check in on the day of their appointment: {appointment.local_start:%A, %B %-d}.")
    if to == AppointmentStatus.COMPLETED and now < appointment.start:
        raise BookingError("A visit can only be completed once its start time has passed.")
    if to == AppointmentStatus.NO_SHOW and now < appointment.start:
        raise BookingError("An appointment can only be a no-show once its start time has passed.")
    if to == AppointmentStatus.COMPLETED:
        _check_charted(appointment)


def _check_charted(appointment: Appointment) -> None:
    """A toxin treatment completes with a signed record or "not treated"; no visit with a draft record.

    Charting keeps `chart_state` (bookings reads no chart): the injector signs or marks not treated.
    """
    if appointment.chart_state == ChartState.DRAFT:
        raise BookingError(
            "The injector's treatment record for this visit is still a draft: it must be signed, or the visit "
            "marked not treated, before the visit can be completed."
        )
    if appointment.service.is_toxin_treatment and appointment.chart_state not in (
        ChartState.SIGNED,
        ChartState.NOT_TREATED,
    ):
        raise BookingError(
            "This treatment can be completed once the injector has signed the treatment record, or marked the "
            "visit not treated."
        )


def _move(
    *, appointment: Appointment, to: AppointmentStatus, actor: AbstractBaseUser | None, now: datetime
) -> Appointment:
    allowed, kind = TRANSITIONS[to]
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update().select_related("location", "service").get(pk=appointment.pk)
        )
        if appointment.status == to:
            return appointment  # a double click does nothing twice
        if appointment.status not in allowed:
            raise BookingError(
                f"A {appointment.get_status_display().lower()} appointment can't be "
                f"{AppointmentStatus(to).label.lower()}."
            )
        _check_timing(appointment, to, now)
        appointment.status = to
        appointment.save(update_fields=["status", "updated_at"])
        event = event_record(appointment, kind, at=now, actor=actor)
        if to == AppointmentStatus.CHECKED_IN:
            signals.appointment_checked_in.send(sender=Appointment, appointment=appointment, event=event, now=now)
        elif to == AppointmentStatus.NO_SHOW:
            signals.appointment_no_show.send(sender=Appointment, appointment=appointment, event=event, now=now)
        elif to == AppointmentStatus.COMPLETED:
            # Aftercare is timed from the end of the visit: now, when it ends early; the booked
            # end, when it is completed late (completing before the start is refused above).
            signals.appointment_completed.send(
                sender=Appointment, appointment=appointment, ended_at=min(now, appointment.end), now=now
            )
    return appointment


def appointment_confirm(*, appointment: Appointment, actor: AbstractBaseUser | None, now: datetime) -> Appointment:
    return _move(appointment=appointment, to=AppointmentStatus.CONFIRMED, actor=actor, now=now)


def appointment_check_in(*, appointment: Appointment, actor: AbstractBaseUser | None, now: datetime) -> Appointment:
    """Only on the appointment's own date in its location's zone."""
    return _move(appointment=appointment, to=AppointmentStatus.CHECKED_IN, actor=actor, now=now)


def appointment_complete(*, appointment: Appointment, actor: AbstractBaseUser | None, now: datetime) -> Appointment:
    """Only after check-in and once the visit has started; sends `appointment_completed`."""
    return _move(appointment=appointment, to=AppointmentStatus.COMPLETED, actor=actor, now=now)


def appointment_no_show(*, appointment: Appointment, actor: AbstractBaseUser | None, now: datetime) -> Appointment:
    return _move(appointment=appointment, to=AppointmentStatus.NO_SHOW, actor=actor, now=now)


def _status_before_the_visit(appointment: Appointment) -> AppointmentStatus:
    """Booked or confirmed: what the appointment was before it was checked in or marked a no-show.

    Only a confirmation moves booked to confirmed and nothing moves it back, so its event says.
    """
    confirmed = appointment.events.filter(kind=EventKind.CONFIRMED).exists()
    return AppointmentStatus.CONFIRMED if confirmed else AppointmentStatus.BOOKED


def _undo(
    *,
    appointment: Appointment,
    undoing: AppointmentStatus,
    kind: EventKind,
    actor: AbstractBaseUser | None,
    now: datetime,
) -> Appointment:
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.status in BEFORE_THE_VISIT:
            return appointment  # already undone: a double click does nothing twice
        if appointment.status != undoing:
            what = "check-in" if undoing == AppointmentStatus.CHECKED_IN else "no-show"
            raise BookingError(f"A {appointment.get_status_display().lower()} appointment has no {what} to undo.")
        if undoing == AppointmentStatus.NO_SHOW:
            _check_time_still_free(appointment)
        previous = _status_before_the_visit(appointment)
        appointment.status = previous
        if not claim_time(lambda: appointment.save(update_fields=["status", "updated_at"])):
            raise _time_taken()  # PostgreSQL's exclusion constraint: a booking raced us
        event_record(appointment, kind, at=now, actor=actor, note=f"Back to {previous.label.lower()}")
    return appointment


def _time_taken() -> BookingError:
    return BookingError(
        "Someone else has been booked into this time (or its room) since it was marked a no-show. Move or cancel that "
        "appointment first."
    )


def _check_time_still_free(appointment: Appointment) -> None:
    """A no-show gave its time back (and its room's, its device's); taking it again must not overlap
    what was booked into it."""
    holder = Q(provider_id=appointment.provider_id)
    if appointment.room_id is not None:
        holder |= Q(room_id=appointment.room_id)
    if appointment.device_id is not None:
        holder |= Q(device_id=appointment.device_id)
    overlapping = (
        Appointment.objects.blocking()
        .filter(holder, busy_from__lt=appointment.busy_until, busy_until__gt=appointment.busy_from)
        .exclude(pk=appointment.pk)
    )
    if overlapping.exists():
        raise _time_taken()


def appointment_check_in_undo(
    *, appointment: Appointment, actor: AbstractBaseUser | None, now: datetime
) -> Appointment:
    """A check-in made by mistake: back to booked or confirmed, recorded as an event."""
    return _undo(
        appointment=appointment,
        undoing=AppointmentStatus.CHECKED_IN,
        kind=EventKind.CHECK_IN_UNDONE,
        actor=actor,
        now=now,
    )


def appointment_no_show_undo(*, appointment: Appointment, actor: AbstractBaseUser | None, now: datetime) -> Appointment:
    """The patient came after all: back to booked or confirmed, if nobody was booked into the time since."""
    return _undo(
        appointment=appointment,
        undoing=AppointmentStatus.NO_SHOW,
        kind=EventKind.NO_SHOW_UNDONE,
        actor=actor,
        now=now,
    )
