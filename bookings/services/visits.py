"""The visit itself, run by front desk: confirm, check in, complete, no-show."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from .. import signals
from ..models import Appointment, AppointmentStatus, EventKind
from .booking import BookingError, event_record

# status it moves to: (the statuses it may come from, the event it writes)
TRANSITIONS = {
    AppointmentStatus.CONFIRMED: ((AppointmentStatus.BOOKED,), EventKind.CONFIRMED),
    AppointmentStatus.CHECKED_IN: ((AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED), EventKind.CHECKED_IN),
    AppointmentStatus.COMPLETED: ((AppointmentStatus.CHECKED_IN,), EventKind.COMPLETED),
    AppointmentStatus.NO_SHOW: ((AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED), EventKind.NO_SHOW),
}


def _move(
    *, appointment: Appointment, to: AppointmentStatus, actor: AbstractBaseUser | None, now: datetime
) -> Appointment:
    allowed, kind = TRANSITIONS[to]
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.status == to:
            return appointment  # a double click does nothing twice
        if appointment.status not in allowed:
            raise BookingError(
                f"A {appointment.get_status_display().lower()} appointment can't be "
                f"{AppointmentStatus(to).label.lower()}."
            )
        if to == AppointmentStatus.NO_SHOW and now < appointment.start:
            raise BookingError("An appointment can only be a no-show once its start time has passed.")
        appointment.status = to
        appointment.save(update_fields=["status", "updated_at"])
        event_record(appointment, kind, at=now, actor=actor)
        if to == AppointmentStatus.COMPLETED:
            signals.appointment_completed.send(sender=Appointment, appointment=appointment)
    return appointment


def appointment_confirm(*, appointment: Appointment, actor: AbstractBaseUser | None, now: datetime) -> Appointment:
    return _move(appointment=appointment, to=AppointmentStatus.CONFIRMED, actor=actor, now=now)


def appointment_check_in(*, appointment: Appointment, actor: AbstractBaseUser | None, now: datetime) -> Appointment:
    return _move(appointment=appointment, to=AppointmentStatus.CHECKED_IN, actor=actor, now=now)


def appointment_complete(*, appointment: Appointment, actor: AbstractBaseUser | None, now: datetime) -> Appointment:
    return _move(appointment=appointment, to=AppointmentStatus.COMPLETED, actor=actor, now=now)


def appointment_no_show(*, appointment: Appointment, actor: AbstractBaseUser | None, now: datetime) -> Appointment:
    return _move(appointment=appointment, to=AppointmentStatus.NO_SHOW, actor=actor, now=now)
