from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from tests.factories import AppointmentFactory, PatientFactory, WorkingHoursFactory

NEW_YORK = ZoneInfo("America/New_York")
PHOENIX = ZoneInfo("America/Phoenix")
MORNING, AFTERNOON = (time(9), time(12)), (time(13), time(17))


def week_hours(provider, location, weekdays=range(5), blocks=(MORNING, AFTERNOON)):
    for weekday in weekdays:
        for start, end in blocks:
            WorkingHoursFactory(provider=provider, location=location, weekday=weekday, start=start, end=end)


def next_weekday(weekday: int, *, after: date | None = None, at_least: int = 2) -> date:
    """The first `weekday` at least `at_least` days after `after` (today)."""
    day = (after or timezone.localdate()) + timedelta(days=at_least)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def at(day: date, hour: int, minute: int = 0, zone=NEW_YORK) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def booked_at(clinic, start: datetime, *, provider=None, location=None, service=None, patient=None, **fields):
    """An appointment as front desk books it for a new patient (or `patient`): the clinic's service
    with its provider at its location unless given, with the "booked" event booking writes.

    Written by AppointmentFactory: no availability check and no outbox rows, for tests of what
    comes after booking (tests of booking itself, or of what it plans, call appointment_book).
    """
    return AppointmentFactory(
        service=service or clinic.service,
        provider=provider or clinic.provider,
        location=location or clinic.location,
        patient=patient or PatientFactory(),
        start=start,
        booked_event=True,
        **fields,
    )
