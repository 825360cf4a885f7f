"""Aftercare is timed from the end of the visit as it really happened, never from the click
that completed it: the clock is pinned, and the 4-hour message waits 4 hours."""

from datetime import timedelta

import pytest
import time_machine

from bookings.models import Source
from bookings.services import BookingError, appointment_book, appointment_check_in, appointment_complete
from reminders.models import Message, MessageState
from reminders.services import messages_send_due
from tests.bookings.conftest import at, next_weekday
from tests.factories import AftercareStepFactory, PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(clinic):
    """Monday 10:00–10:30 in Sarasota, with a sheet at the end and the 'stay upright' message 4 h later."""
    for key, hours in (("sheet", 0), ("upright", 4)):
        AftercareStepFactory(service=clinic.service, key=key, offset=timedelta(hours=hours), title=key.title(),
                             body=f"Advice for {key}.")  # fmt: skip
    monday = next_weekday(0)
    with time_machine.travel(at(monday, 8), tick=False):
        appointment = appointment_book(service=clinic.service, start=at(monday, 10), now=at(monday, 8),
                                       source=Source.DESK, patient=PatientFactory())  # fmt: skip
    return appointment


def aftercare(appointment) -> dict[str, Message]:
    return {m.step: m for m in Message.objects.filter(appointment=appointment, kind="aftercare")}


def test_completing_before_the_booked_end_times_the_4_hour_message_from_then_not_at_once(visit, front_desk_user):
    monday = visit.start.astimezone(visit.location.zone).date()
    with time_machine.travel(at(monday, 9, 50), tick=False):
        appointment_check_in(appointment=visit, actor=front_desk_user, now=at(monday, 9, 50))
    with time_machine.travel(at(monday, 10, 20), tick=False):  # ten minutes early
        appointment_complete(appointment=visit, actor=front_desk_user, now=at(monday, 10, 20))
        planned = aftercare(visit)
        assert planned["upright"].due_at == at(monday, 14, 20)
        assert planned["sheet"].due_at == at(monday, 10, 20)
        messages_send_due()  # what the beat task does each minute: only the sheet is due
    states = {step: m.state for step, m in aftercare(visit).items()}
    assert states == {"sheet": MessageState.SENT, "upright": MessageState.PENDING}
    with time_machine.travel(at(monday, 14, 19), tick=False):
        messages_send_due()
    assert aftercare(visit)["upright"].state == MessageState.PENDING
    with time_machine.travel(at(monday, 14, 20), tick=False):
        messages_send_due()
    assert aftercare(visit)["upright"].state == MessageState.SENT


def test_completing_after_the_booked_end_times_it_from_the_booked_end(visit, front_desk_user):
    monday = visit.start.astimezone(visit.location.zone).date()
    appointment_check_in(appointment=visit, actor=front_desk_user, now=at(monday, 9, 58))
    with time_machine.travel(at(monday, 11, 15), tick=False):  # the desk completes it late
        appointment_complete(appointment=visit, actor=front_desk_user, now=at(monday, 11, 15))
    assert aftercare(visit)["upright"].due_at == at(monday, 14, 30)


def test_a_visit_cannot_be_completed_before_it_starts_so_no_aftercare_is_planned(visit, front_desk_user):
    monday = visit.start.astimezone(visit.location.zone).date()
    appointment_check_in(appointment=visit, actor=front_desk_user, now=at(monday, 9, 40))
    with pytest.raises(BookingError, match="once its start time has passed"):
        appointment_complete(appointment=visit, actor=front_desk_user, now=at(monday, 9, 45))
    assert not aftercare(visit)
