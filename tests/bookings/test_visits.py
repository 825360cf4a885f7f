"""The visit in the clinic's order (services, clock pinned with `now=`): check in on the day,
complete once started and checked in, undo a check-in or a no-show."""

from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from bookings import signals
from bookings.models import AppointmentStatus, EventKind, Source
from bookings.services import (
    BookingError,
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_check_in_undo,
    appointment_complete,
    appointment_confirm,
    appointment_no_show,
    appointment_no_show_undo,
    appointment_reschedule,
)
from tests.bookings.conftest import PHOENIX, at, booked_at, next_weekday, week_hours
from tests.factories import LocationFactory, PatientFactory, ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def monday():
    return next_weekday(0)


def kinds(appointment) -> list[str]:
    return list(appointment.events.values_list("kind", flat=True))


# Check in on the day


def test_check_in_on_saturday_for_mondays_appointment_is_refused(clinic, front_desk_user, monday):
    appointment = booked_at(clinic, at(monday, 10))
    saturday = at(monday - timedelta(days=2), 10)
    with pytest.raises(BookingError, match="check in on the day of their appointment: Monday"):
        appointment_check_in(appointment=appointment, actor=front_desk_user, now=saturday)
    with pytest.raises(BookingError, match="on the day"):
        appointment_check_in(appointment=appointment, actor=front_desk_user, now=at(monday + timedelta(days=1), 9))
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED and kinds(appointment) == [EventKind.BOOKED]


def test_check_in_is_allowed_any_time_on_the_day_early_or_late(clinic, front_desk_user, monday):
    early, late = booked_at(clinic, at(monday, 10)), booked_at(clinic, at(monday, 16))
    early = appointment_check_in(appointment=early, actor=front_desk_user, now=at(monday, 8, 40))
    late = appointment_check_in(appointment=late, actor=front_desk_user, now=at(monday, 23, 30))
    assert [early.status, late.status] == [AppointmentStatus.CHECKED_IN] * 2


def test_the_day_is_the_locations_day_not_utcs(clinic, front_desk_user, monday):
    scottsdale = LocationFactory(slug="scottsdale", name="Scottsdale", timezone="America/Phoenix")
    provider = ProviderFactory(services=[clinic.service])
    week_hours(provider, scottsdale)
    appointment = booked_at(clinic, at(monday, 9, zone=PHOENIX), provider=provider, location=scottsdale)
    sunday_evening_in_phoenix = at(monday - timedelta(days=1), 19, zone=PHOENIX)  # Monday 02:00 UTC, 21:00 in NY
    assert sunday_evening_in_phoenix.astimezone(UTC).date() == monday
    with pytest.raises(BookingError, match="on the day"):
        appointment_check_in(appointment=appointment, actor=front_desk_user, now=sunday_evening_in_phoenix)
    appointment_check_in(appointment=appointment, actor=front_desk_user, now=at(monday, 0, 30, zone=PHOENIX))
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN


# Complete after check-in and the start


def test_completion_needs_a_check_in_and_the_visit_to_have_started(clinic, front_desk_user, monday):
    appointment = booked_at(clinic, at(monday, 10))
    with pytest.raises(BookingError, match="booked appointment can't be completed"):
        appointment_complete(appointment=appointment, actor=front_desk_user, now=at(monday, 10, 10))
    appointment_check_in(appointment=appointment, actor=front_desk_user, now=at(monday, 9, 45))
    with pytest.raises(BookingError, match="once its start time has passed"):
        appointment_complete(appointment=appointment, actor=front_desk_user, now=at(monday, 9, 59))
    appointment_complete(appointment=appointment, actor=front_desk_user, now=at(monday, 10, 1))
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.COMPLETED
    assert kinds(appointment) == [EventKind.BOOKED, EventKind.CHECKED_IN, EventKind.COMPLETED]


@pytest.mark.parametrize(
    ("completed_at", "ended_at"),
    [((10, 20), (10, 20)), ((10, 30), (10, 30)), ((11, 45), (10, 30))],
    ids=["early: when completed", "on time", "late: the booked end"],
)
def test_the_completed_signal_says_when_the_visit_really_ended(clinic, front_desk_user, monday, completed_at, ended_at):
    appointment = booked_at(clinic, at(monday, 10))  # 10:00–10:30
    sent = []
    signals.appointment_completed.connect(receiver := lambda sender, **kw: sent.append(kw), weak=False)
    try:
        appointment_check_in(appointment=appointment, actor=front_desk_user, now=at(monday, 9, 50))
        appointment_complete(appointment=appointment, actor=front_desk_user, now=at(monday, *completed_at))
    finally:
        signals.appointment_completed.disconnect(receiver)
    assert [(kw["ended_at"], kw["now"]) for kw in sent] == [(at(monday, *ended_at), at(monday, *completed_at))]


# Undo


@pytest.mark.parametrize("confirmed", [False, True])
def test_undo_check_in_goes_back_to_the_status_before_and_is_recorded(clinic, front_desk_user, monday, confirmed):
    appointment = booked_at(clinic, at(monday, 10))
    if confirmed:
        appointment_confirm(appointment=appointment, actor=None, now=at(monday - timedelta(days=1), 12))
    appointment_check_in(appointment=appointment, actor=front_desk_user, now=at(monday, 9, 50))
    appointment_check_in_undo(appointment=appointment, actor=front_desk_user, now=at(monday, 9, 52))
    appointment_check_in_undo(appointment=appointment, actor=front_desk_user, now=at(monday, 9, 52))  # double click
    appointment.refresh_from_db()
    before = AppointmentStatus.CONFIRMED if confirmed else AppointmentStatus.BOOKED
    assert appointment.status == before
    undone = appointment.events.get(kind=EventKind.CHECK_IN_UNDONE)
    assert (undone.actor, undone.at, undone.note) == (
        front_desk_user,
        at(monday, 9, 52),
        f"Back to {before.label.lower()}",
    )
    # …and the visit goes on in order: check in again, complete.
    appointment_check_in(appointment=appointment, actor=front_desk_user, now=at(monday, 9, 55))
    appointment_complete(appointment=appointment, actor=front_desk_user, now=at(monday, 10, 25))
    assert kinds(appointment)[-4:] == [EventKind.CHECKED_IN, EventKind.CHECK_IN_UNDONE, EventKind.CHECKED_IN,
                                       EventKind.COMPLETED]  # fmt: skip


def test_only_a_check_in_or_a_no_show_can_be_undone(clinic, front_desk_user, monday):
    appointment = booked_at(clinic, at(monday, 10))
    appointment_check_in(appointment=appointment, actor=front_desk_user, now=at(monday, 9, 50))
    appointment_complete(appointment=appointment, actor=front_desk_user, now=at(monday, 10, 30))
    with pytest.raises(BookingError, match="A completed appointment has no check-in to undo"):
        appointment_check_in_undo(appointment=appointment, actor=front_desk_user, now=at(monday, 10, 31))
    with pytest.raises(BookingError, match="A completed appointment has no no-show to undo"):
        appointment_no_show_undo(appointment=appointment, actor=front_desk_user, now=at(monday, 10, 31))
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.COMPLETED


def test_a_checked_in_visit_is_moved_or_cancelled_only_once_the_check_in_is_undone(clinic, front_desk_user, monday):
    appointment = booked_at(clinic, at(monday, 10))
    appointment_check_in(appointment=appointment, actor=front_desk_user, now=at(monday, 9, 50))
    with pytest.raises(BookingError, match="checked in appointment can't be cancelled"):
        appointment_cancel(appointment=appointment, now=at(monday, 9, 51), by_patient=False, reason="Unwell")
    with pytest.raises(BookingError, match="checked in appointment can't be moved"):
        appointment_reschedule(appointment=appointment, start=at(monday, 14), now=at(monday, 9, 51), by_patient=False)
    appointment_check_in_undo(appointment=appointment, actor=front_desk_user, now=at(monday, 9, 52))
    appointment_reschedule(appointment=appointment, start=at(monday, 14), now=at(monday, 9, 53), by_patient=False)
    appointment.refresh_from_db()
    assert (appointment.status, appointment.start) == (AppointmentStatus.BOOKED, at(monday, 14))


def test_undo_no_show_takes_the_time_back_unless_someone_was_booked_into_it(clinic, front_desk_user, monday):
    appointment = booked_at(clinic, at(monday, 10))
    appointment_no_show(appointment=appointment, actor=front_desk_user, now=at(monday, 10, 20))
    # A no-show gives its time back: booking into it goes through.
    walk_in = appointment_book(service=clinic.service, start=at(monday, 10), now=timezone.now(), source=Source.DESK,
                               patient=PatientFactory(), provider=clinic.provider)  # fmt: skip
    with pytest.raises(BookingError, match="Someone else has been booked into this time"):
        appointment_no_show_undo(appointment=appointment, actor=front_desk_user, now=at(monday, 10, 25))
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.NO_SHOW
    appointment_cancel(appointment=walk_in, now=at(monday, 10, 26), by_patient=False, reason="Booked by mistake")
    appointment_no_show_undo(appointment=appointment, actor=front_desk_user, now=at(monday, 10, 27))
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.events.get(kind=EventKind.NO_SHOW_UNDONE).actor == front_desk_user
    # The patient was only late: check in and complete as usual.
    appointment_check_in(appointment=appointment, actor=front_desk_user, now=at(monday, 10, 28))
    appointment_complete(appointment=appointment, actor=front_desk_user, now=at(monday, 10, 40))
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.COMPLETED
