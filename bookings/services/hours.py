"""A provider's week and time away. Never silently orphans a booked appointment: a change that
leaves appointments outside the hours is refused with the list, until the manager says go ahead.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time

from django.db import transaction

from ..models import Appointment, Location, Provider, TimeOff, Weekday, WorkingHours
from .booking import BookingError, BookingInvalid


@dataclass(frozen=True)
class HoursRow:
    weekday: int
    location: Location
    start: time
    end: time


class AppointmentsOrphaned(BookingError):
    """The change would leave these appointments outside working time."""

    code = "appointments_orphaned"

    def __init__(self, appointments: list[Appointment]) -> None:
        super().__init__(
            f"{len(appointments)} booked appointment{'s' if len(appointments) != 1 else ''} "
            "would fall outside the working time. Move or cancel them, or save anyway."
        )
        self.appointments = appointments


def working_hours_errors(rows: Sequence[HoursRow]) -> dict[int, list[str]]:
    """Problems by row index: an end before its start, or two rows of one day that overlap."""
    errors: dict[int, list[str]] = {}
    for i, row in enumerate(rows):
        if row.start >= row.end:
            errors.setdefault(i, []).append("The end must be after the start.")
    for i, row in enumerate(rows):
        for other in rows[:i]:
            if row.weekday == other.weekday and row.start < other.end and other.start < row.end:
                day = Weekday(row.weekday).label
                errors.setdefault(i, []).append(
                    f"Overlaps {day} {other.start:%H:%M}–{other.end:%H:%M}"
                    + (f" at {other.location.name}" if other.location != row.location else "")
                    + "."
                )
    return errors


def _future_appointments(provider: Provider, now: datetime) -> list[Appointment]:
    return list(
        Appointment.objects.blocking()
        .filter(provider=provider, start__gte=now)
        .select_related("location", "patient", "service")
        .order_by("start")
    )


def appointments_outside_hours(*, provider: Provider, rows: Sequence[HoursRow], now: datetime) -> list[Appointment]:
    """Future appointments of the provider that these hours would no longer cover."""

    def covered(appointment: Appointment) -> bool:
        start, end = appointment.local_start, appointment.local_end
        return any(
            row.weekday == start.weekday()
            and row.location.pk == appointment.location_id
            and row.start <= start.time()
            and start.date() == end.date()
            and end.time() <= row.end
            for row in rows
        )

    return [appointment for appointment in _future_appointments(provider, now) if not covered(appointment)]


def working_hours_replace(
    *, provider: Provider, rows: Sequence[HoursRow], now: datetime, keep_orphans: bool = False
) -> list[Appointment]:
    """Replace the provider's week with `rows`. Returns the appointments now outside it.

    Raises BookingInvalid for bad rows and AppointmentsOrphaned when appointments would fall
    outside and `keep_orphans` is not set.
    """
    errors = working_hours_errors(rows)
    if errors:
        raise BookingInvalid({f"row-{i}": messages for i, messages in errors.items()})
    with transaction.atomic():
        Provider.objects.select_for_update().get(pk=provider.pk)  # one edit of a week at a time
        orphans = appointments_outside_hours(provider=provider, rows=rows, now=now)
        if orphans and not keep_orphans:
            raise AppointmentsOrphaned(orphans)
        WorkingHours.objects.filter(provider=provider).delete()
        WorkingHours.objects.bulk_create(
            WorkingHours(provider=provider, location=row.location, weekday=row.weekday, start=row.start, end=row.end)
            for row in rows
        )
    return orphans


def time_off_add(
    *,
    provider: Provider,
    start: datetime,
    end: datetime,
    reason: str,
    now: datetime,
    keep_orphans: bool = False,
) -> tuple[TimeOff, list[Appointment]]:
    """Block time (holiday, training, a blocked hour). Returns it with the appointments inside it."""
    if start >= end:
        raise BookingInvalid({"end": ["The end must be after the start."]})
    if end <= now:
        raise BookingInvalid({"end": ["That time has already passed."]})
    with transaction.atomic():
        Provider.objects.select_for_update().get(pk=provider.pk)
        inside = [a for a in _future_appointments(provider, now) if a.busy_from < end and start < a.busy_until]
        if inside and not keep_orphans:
            raise AppointmentsOrphaned(inside)
        time_off = TimeOff.objects.create(provider=provider, start=start, end=end, reason=reason)
    return time_off, inside


def time_off_remove(*, time_off: TimeOff) -> None:
    time_off.delete()
