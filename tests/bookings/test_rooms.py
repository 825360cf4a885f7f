"""Rooms and devices: a service that takes a room is free only when its provider is free and one
of the location's rooms is too (visit and buffers); booking assigns the room (and device), moving
re-assigns it, cancelling frees it; PostgreSQL's exclusion constraints refuse a double-booked room
or device whatever the code above them does."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookings.models import Appointment, AppointmentStatus, Source
from bookings.selectors import slot_check, slots_available
from bookings.services import (
    BookingError,
    SlotUnavailable,
    appointment_book,
    appointment_cancel,
    appointment_no_show,
    appointment_no_show_undo,
    appointment_reschedule,
)
from tests.bookings.conftest import at, booked_at, next_weekday, week_hours
from tests.factories import (
    AppointmentFactory,
    DeviceFactory,
    LocationFactory,
    PatientFactory,
    ProviderFactory,
    RoomFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db

MONDAY = date(2027, 1, 11)
NOW = datetime(2027, 1, 4, 12, tzinfo=UTC)


def times(slots) -> list[str]:
    return [slot.start.strftime("%H:%M") for slot in slots]


@pytest.fixture
def roomed(clinic):
    """The clinic's consultation takes a room; one room at Sarasota; a second provider there."""
    clinic.service.needs_room = True
    clinic.service.save()
    clinic.room = RoomFactory(location=clinic.location, name="Room 1")
    clinic.other = ProviderFactory(services=[clinic.service])
    week_hours(clinic.other, clinic.location)
    return clinic


def book(clinic, start, now=NOW, **kwargs) -> Appointment:
    return appointment_book(
        service=kwargs.pop("service", clinic.service), start=start, now=now, source=Source.DESK,
        patient=PatientFactory(), **kwargs,
    )  # fmt: skip


def test_the_only_room_taken_hides_the_time_though_the_provider_is_free(roomed):
    booked_at(roomed, at(MONDAY, 10), provider=roomed.other, room=roomed.room)
    free = times(slots_available(service=roomed.service, start_date=MONDAY, now=NOW, provider=roomed.provider))
    # The provider is free all morning; the room is not at 10:00–10:30 (and 9:45 would run into it).
    assert "09:30" in free and "09:45" not in free and "10:00" not in free and "10:15" not in free
    assert "10:30" in free
    anyone = times(slots_available(service=roomed.service, start_date=MONDAY, now=NOW))
    assert "10:00" not in anyone and "10:30" in anyone


def test_a_second_room_gives_the_time_back(roomed):
    booked_at(roomed, at(MONDAY, 10), provider=roomed.other, room=roomed.room)
    RoomFactory(location=roomed.location, name="Room 2")
    free = times(slots_available(service=roomed.service, start_date=MONDAY, now=NOW, provider=roomed.provider))
    assert "10:00" in free


def test_rooms_elsewhere_or_inactive_do_not_count(roomed):
    roomed.room.is_active = False
    roomed.room.save()
    RoomFactory(location=LocationFactory(slug="scottsdale", timezone="America/Phoenix"), name="Room 1")
    assert slots_available(service=roomed.service, start_date=MONDAY, now=NOW) == []


def test_buffers_apply_to_rooms(roomed):
    roomed.service.buffer_before_minutes = 15
    roomed.service.buffer_after_minutes = 15
    roomed.service.save()
    booked_at(roomed, at(MONDAY, 10), provider=roomed.other, room=roomed.room)  # room busy 9:45–10:45
    free = times(slots_available(service=roomed.service, start_date=MONDAY, now=NOW, provider=roomed.provider))
    # 9:00: 8:45–9:45 touches nothing; 9:15 would hold the room until 10:00 with its buffer after.
    assert "09:00" in free and "09:15" not in free
    assert "10:45" not in free and "11:00" in free  # 10:45's buffer before starts at 10:30


def test_a_service_that_takes_no_room_is_unaffected_and_reads_no_room(clinic):
    room = RoomFactory(location=clinic.location)
    other = ProviderFactory(services=[clinic.service])
    booked_at(clinic, at(MONDAY, 10), provider=other, room=room)
    with CaptureQueriesContext(connection) as queries:
        free = times(slots_available(service=clinic.service, start_date=MONDAY, now=NOW, provider=clinic.provider))
    assert "10:00" in free
    assert len(queries) == 1
    assert "room" not in queries[0]["sql"].lower() and "device" not in queries[0]["sql"].lower()
    appointment = book(clinic, at(MONDAY, 10), provider=clinic.provider)
    assert appointment.room is None and appointment.device is None


def test_rooms_cost_no_extra_query_whatever_the_rooms_and_bookings(roomed):
    def count(**kwargs) -> int:
        with CaptureQueriesContext(connection) as queries:
            slots_available(service=roomed.service, start_date=MONDAY, now=NOW, **kwargs)
        return len(queries)

    small = [count(days=1), count(days=1, provider=roomed.provider)]
    rooms = [roomed.room, *(RoomFactory(location=roomed.location) for _ in range(4))]
    for day in range(10):
        for i, room in enumerate(rooms):
            start = at(MONDAY + timedelta(days=day), 9 + i)
            AppointmentFactory(service=roomed.service, start=start, provider=ProviderFactory(),
                               location=roomed.location, room=room)  # fmt: skip
    large = [count(days=14), count(days=14, provider=roomed.provider)]
    assert small == large == [1, 1]


def test_booking_assigns_a_free_room_and_the_last_room_refuses(roomed):
    second = RoomFactory(location=roomed.location, name="Room 2")
    third_provider = ProviderFactory(services=[roomed.service])
    week_hours(third_provider, roomed.location)
    first = book(roomed, at(MONDAY, 10), provider=roomed.provider)
    then = book(roomed, at(MONDAY, 10), provider=roomed.other)
    assert {first.room_id, then.room_id} == {roomed.room.pk, second.pk}
    with pytest.raises(SlotUnavailable):
        book(roomed, at(MONDAY, 10), provider=third_provider)
    anyone = slot_check(service=roomed.service, start=at(MONDAY, 10), location=None, provider_ids=None, online=False)
    assert anyone.free == []


def test_a_device_of_the_kind_is_needed_and_assigned(roomed):
    roomed.service.device_kind = "ultrasound"
    roomed.service.save()
    RoomFactory(location=roomed.location, name="Room 2")
    DeviceFactory(location=roomed.location, kind="laser")
    assert slots_available(service=roomed.service, start_date=MONDAY, now=NOW) == []  # no ultrasound
    scanner = DeviceFactory(location=roomed.location, kind="ultrasound")
    first = book(roomed, at(MONDAY, 10), provider=roomed.provider)
    assert first.device_id == scanner.pk and first.room_id is not None
    # A room is still free at 10:00, the only ultrasound is not.
    free = times(slots_available(service=roomed.service, start_date=MONDAY, now=NOW, provider=roomed.other))
    assert "10:00" not in free and "10:30" in free
    with pytest.raises(SlotUnavailable):
        book(roomed, at(MONDAY, 10), provider=roomed.other)


def test_moving_re_assigns_the_room_and_cancelling_frees_it(roomed):
    second = RoomFactory(location=roomed.location, name="Room 2")
    mine = book(roomed, at(MONDAY, 10), provider=roomed.provider)
    assert mine.room_id == roomed.room.pk
    # Room 1 is taken at 11:00 by the other provider: the move takes room 2.
    booked_at(roomed, at(MONDAY, 11), provider=roomed.other, room=roomed.room)
    moved = appointment_reschedule(appointment=mine, start=at(MONDAY, 11), now=NOW, by_patient=False)
    assert moved.room_id == second.pk
    # Back onto its own old time, overlapping itself: it keeps room 2 (its own busy time is ignored).
    moved = appointment_reschedule(appointment=moved, start=at(MONDAY, 11, 15), now=NOW, by_patient=False,
                                   provider=roomed.provider)  # fmt: skip
    assert moved.room_id == second.pk
    assert "11:15" not in times(slots_available(service=roomed.service, start_date=MONDAY, now=NOW))
    appointment_cancel(appointment=moved, now=NOW, by_patient=False)
    assert Appointment.objects.get(pk=moved.pk).status == AppointmentStatus.CANCELLED
    assert "11:15" in times(slots_available(service=roomed.service, start_date=MONDAY, now=NOW))


def test_a_daylight_saving_week_with_rooms(roomed):
    """Sunday March 14 2027 the clocks go forward: Monday's 09:00 is 13:00 UTC, the Friday before 14:00."""
    friday, monday = date(2027, 3, 12), date(2027, 3, 15)
    now = datetime(2027, 3, 1, 12, tzinfo=UTC)
    booked_at(roomed, at(friday, 9), provider=roomed.other, room=roomed.room)
    booked_at(roomed, at(monday, 9), provider=roomed.other, room=roomed.room)
    week = slots_available(service=roomed.service, start_date=friday, days=4, now=now, provider=roomed.provider)
    by_day = {}
    for slot in week:
        by_day.setdefault(slot.start.date(), []).append(slot)
    assert sorted(by_day) == [friday, monday]
    for day in (friday, monday):
        assert times(by_day[day])[0] == "09:30"  # the room is busy at 09:00 local on both sides of the change
    assert by_day[friday][0].start.astimezone(UTC).hour == 14 and by_day[monday][0].start.astimezone(UTC).hour == 13
    appointment = book(roomed, at(monday, 9, 30), now=now, provider=roomed.provider)
    appointment.refresh_from_db()
    assert appointment.room_id == roomed.room.pk
    assert appointment.start == datetime(2027, 3, 15, 13, 30, tzinfo=UTC)


def test_the_clock_change_day_itself_checks_rooms_slot_by_slot(roomed):
    """On the day of the change (here a Sunday made a working day) the grid is placed start by start."""
    sunday = date(2027, 3, 14)
    week_hours(roomed.provider, roomed.location, weekdays=[6])
    week_hours(roomed.other, roomed.location, weekdays=[6])
    booked_at(roomed, at(sunday, 10), provider=roomed.other, room=roomed.room)
    now = datetime(2027, 3, 1, 12, tzinfo=UTC)
    free = times(slots_available(service=roomed.service, start_date=sunday, now=now, provider=roomed.provider))
    assert "09:30" in free and "10:00" not in free and "10:30" in free


def test_the_online_answer_by_slug_takes_rooms_into_account(client, roomed):
    booked_at(roomed, at(MONDAY, 10), provider=roomed.other, room=roomed.room)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/availability?service=consult&date={MONDAY}&provider={roomed.provider.pk}")
    assert response.status_code == 200
    starts = [slot["start"][11:16] for slot in response.json()["slots"]]
    assert "09:30" in starts and "10:00" not in starts and "10:30" in starts
    # Named by slug, the service's row comes with the schedule and the rooms, in the same query,
    # however many rooms, bookings and days (after the availability version's).
    reading = [q["sql"] for q in queries if "bookings_appointment" in q["sql"]]
    assert len(queries) == 2 and len(reading) == 1 and "bookings_room" in reading[0]
    for hour in (11, 13, 14):
        booked_at(roomed, at(MONDAY + timedelta(days=1), hour), provider=roomed.other,
                  room=RoomFactory(location=roomed.location))  # fmt: skip
    with CaptureQueriesContext(connection) as more:
        client.get(f"/api/v1/availability?service=consult&date={MONDAY}&days=14")
    assert len(more) == 2


def test_the_online_answer_for_a_service_without_rooms_ignores_them_at_no_cost(client, clinic):
    """By slug the statement always has the rooms' and devices' parts; the service's row keeps
    them empty for a service that takes neither, so a busy room or device hides nothing."""
    room, device = RoomFactory(location=clinic.location), DeviceFactory(location=clinic.location, kind="laser")
    booked_at(clinic, at(MONDAY, 10), provider=ProviderFactory(services=[clinic.service]), room=room, device=device)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/availability?service=consult&date={MONDAY}&provider={clinic.provider.pk}")
    assert "10:00" in [slot["start"][11:16] for slot in response.json()["slots"]]
    assert len(queries) == 2  # the availability version's, then the schedule's


def test_the_online_answer_by_slug_takes_the_device_of_the_service_kind(client, clinic):
    """A service that takes a device, named by slug: a device of its kind busy at 10:00 hides
    10:00 when it is the only one; a busy device of another kind hides nothing; one query."""
    clinic.service.device_kind = "laser"
    clinic.service.save()
    laser = DeviceFactory(location=clinic.location, kind="laser")
    other = ProviderFactory(services=[clinic.service])
    booked_at(clinic, at(MONDAY, 10), provider=other, device=laser)
    booked_at(clinic, at(MONDAY, 11), provider=other, device=DeviceFactory(location=clinic.location, kind="ultrasound"))
    path = f"/api/v1/availability?service=consult&date={MONDAY}&provider={clinic.provider.pk}"
    with CaptureQueriesContext(connection) as queries:
        starts = [slot["start"][11:16] for slot in client.get(path).json()["slots"]]
    assert "10:00" not in starts and "11:00" in starts and "09:30" in starts
    assert len(queries) == 2  # the availability version's, then the schedule's
    DeviceFactory(location=clinic.location, kind="laser")
    assert "10:00" in [slot["start"][11:16] for slot in client.get(path).json()["slots"]]


def test_the_database_refuses_a_double_booked_room_and_device():
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraints are PostgreSQL's")
    room, device = RoomFactory(), DeviceFactory()
    start = datetime(2027, 1, 11, 15, tzinfo=UTC)
    AppointmentFactory(start=start, room=room, device=device)
    with pytest.raises(IntegrityError, match="appointment_no_overlap_per_room"), transaction.atomic():
        AppointmentFactory(start=start + timedelta(minutes=15), room=room)
    with pytest.raises(IntegrityError, match="appointment_no_overlap_per_device"), transaction.atomic():
        AppointmentFactory(start=start + timedelta(minutes=15), device=device)
    # Back to back, or cancelled, or in another room: allowed.
    AppointmentFactory(start=start + timedelta(minutes=30), room=room, device=device)
    AppointmentFactory(start=start, room=room, status=AppointmentStatus.CANCELLED)
    AppointmentFactory(start=start, room=RoomFactory())
    # Unassigned (no room) never conflicts with itself.
    AppointmentFactory(start=start)
    AppointmentFactory(start=start)


def test_room_service_without_any_room_is_closed_for_booking(clinic):
    clinic.service.needs_room = True
    clinic.service.save()
    assert slots_available(service=clinic.service, start_date=MONDAY, now=NOW) == []
    with pytest.raises(SlotUnavailable):
        book(clinic, at(MONDAY, 10))


def test_other_services_in_the_room_count(roomed):
    """A room is busy whatever service holds it (a treatment in the room blocks a consultation)."""
    treatment = ServiceFactory(slug="treat", needs_room=True, duration_minutes=60)
    roomed.other.services.add(treatment)
    book(roomed, at(MONDAY, 10), service=treatment, provider=roomed.other)
    free = times(slots_available(service=roomed.service, start_date=MONDAY, now=NOW, provider=roomed.provider))
    assert "10:30" not in free and "11:00" in free


# Front desk's views


def test_front_desk_sees_the_room_on_the_day_week_sheet_and_appointment(client, front_desk_user, roomed, settings):
    settings.TIME_ZONE = "Asia/Tokyo"  # the server's zone is not the location's
    day = next_weekday(0)
    appointment = booked_at(roomed, at(day, 10), room=roomed.room)
    client.force_login(front_desk_user)
    pages = {
        "day": client.get("/staff/", {"location": roomed.location.slug, "date": day}),
        "week": client.get(reverse("bookings:staff-week"), {"provider": roomed.provider.pk, "date": day}),
        "sheet": client.get(reverse("bookings:staff-sheet"), {"provider": roomed.provider.pk, "date": day}),
        "detail": client.get(reverse("bookings:staff-appointment", args=[appointment.reference])),
    }
    for name, response in pages.items():
        html = response.content.decode()
        assert response.status_code == 200, name
        assert "Room 1" in html, name
        assert "10:00" in html or "10 AM" in html or "10:00 AM" in html, name  # in Sarasota's time, not Tokyo's
    assert "Sarasota, Room 1" in pages["detail"].content.decode()


def test_the_day_view_reads_the_room_in_the_same_queries(client, front_desk_user, roomed):
    day = next_weekday(0)
    booked_at(roomed, at(day, 9), room=roomed.room)
    client.force_login(front_desk_user)
    with CaptureQueriesContext(connection) as few:
        client.get("/staff/", {"location": roomed.location.slug, "date": day})
    for hour in (10, 11, 13, 14):
        booked_at(roomed, at(day, hour), room=RoomFactory(location=roomed.location))
    with CaptureQueriesContext(connection) as many:
        html = client.get("/staff/", {"location": roomed.location.slug, "date": day}).content.decode()
    assert html.count('class="tg-room"') == 5
    assert len(few) == len(many)


def test_a_manager_adds_a_room_and_front_desk_cannot(client, manager_user, front_desk_user, clinic):
    url = reverse("admin:bookings_room_add")
    client.force_login(front_desk_user)
    assert client.post(url, {"location": clinic.location.pk, "name": "Room 9", "sort_order": 0}).status_code == 403
    client.force_login(manager_user)
    response = client.post(url, {"location": clinic.location.pk, "name": "Room 9", "is_active": "on", "sort_order": 0})
    assert response.status_code == 302
    assert clinic.location.rooms.get().name == "Room 9"
    # The same name twice at one location: a field error, not a 500.
    again = client.post(url, {"location": clinic.location.pk, "name": "Room 9", "is_active": "on", "sort_order": 0})
    assert again.status_code == 200 and clinic.location.rooms.count() == 1


def test_undoing_a_no_show_is_refused_once_its_room_was_booked_again(roomed, front_desk_user):
    mine = book(roomed, at(MONDAY, 10), provider=roomed.provider)
    appointment_no_show(appointment=mine, actor=front_desk_user, now=at(MONDAY, 10, 20))
    # The room is free again: another provider's patient takes it (the provider is still free).
    theirs = book(roomed, at(MONDAY, 10), provider=roomed.other)
    assert theirs.room_id == mine.room_id
    with pytest.raises(BookingError, match="or its room"):
        appointment_no_show_undo(appointment=mine, actor=front_desk_user, now=at(MONDAY, 10, 25))
    mine.refresh_from_db()
    assert mine.status == AppointmentStatus.NO_SHOW


def test_the_managers_provider_page_points_to_rooms_and_devices(client, manager_user):
    client.force_login(manager_user)
    html = client.get(reverse("bookings:staff-providers")).content.decode()
    assert reverse("admin:bookings_room_changelist") in html and reverse("admin:bookings_device_changelist") in html
