"""The availability selector: hours minus breaks, time off, busy time and notice, in local time."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import Source
from bookings.selectors import slots_available
from bookings.services import appointment_book
from tests.bookings.conftest import NEW_YORK, PHOENIX, at, booked_at, week_hours
from tests.factories import (
    AppointmentFactory,
    LocationFactory,
    PatientFactory,
    ProviderFactory,
    ServiceFactory,
    TimeOffFactory,
)

pytestmark = pytest.mark.django_db

MONDAY = date(2027, 1, 11)
NOW = datetime(2027, 1, 4, 12, tzinfo=UTC)


def times(slots) -> list[str]:
    return [slot.start.strftime("%H:%M") for slot in slots]


def test_a_day_is_working_hours_minus_the_break_on_a_15_minute_grid(clinic):
    slots = slots_available(service=clinic.service, start_date=MONDAY, now=NOW)
    assert times(slots)[:3] == ["09:00", "09:15", "09:30"]
    assert "11:30" in times(slots) and "11:45" not in times(slots)  # 11:45 would end in the break
    assert not {"12:00", "12:15", "12:30", "12:45"} & set(times(slots))
    assert times(slots)[-1] == "16:30"
    assert len(slots) == 11 + 15
    assert all(slot.end - slot.start == timedelta(minutes=30) for slot in slots)
    assert {slot.start.utcoffset() for slot in slots} == {timedelta(hours=-5)}


def test_weekends_without_hours_have_no_slots(clinic):
    assert slots_available(service=clinic.service, start_date=MONDAY + timedelta(days=5), days=2, now=NOW) == []


def test_booked_time_and_its_buffers_are_busy(clinic):
    clinic.service.buffer_after_minutes = 15
    clinic.service.save()
    booked_at(clinic, at(MONDAY, 10))  # busy 10:00–10:45
    free = times(slots_available(service=clinic.service, start_date=MONDAY, now=NOW))
    # 9:30 would run its own buffer into 10:00; 10:00–10:30 are taken; 10:45 is free again.
    assert "09:15" in free and "09:30" not in free and "09:45" not in free
    assert not {"10:00", "10:15", "10:30"} & set(free)
    assert "10:45" in free


def test_cancelled_and_no_show_appointments_give_their_time_back(clinic):
    from bookings.models import AppointmentStatus

    appointment = booked_at(clinic, at(MONDAY, 10))
    assert "10:00" not in times(slots_available(service=clinic.service, start_date=MONDAY, now=NOW))
    for status in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW):
        appointment.status = status
        appointment.save()
        assert "10:00" in times(slots_available(service=clinic.service, start_date=MONDAY, now=NOW))


def test_time_off_is_busy(clinic):
    TimeOffFactory(provider=clinic.provider, start=at(MONDAY, 13), end=at(MONDAY, 15), reason="Training")
    free = times(slots_available(service=clinic.service, start_date=MONDAY, now=NOW))
    assert "12:30" not in free and not [t for t in free if "13:00" <= t < "15:00"]
    assert "15:00" in free


def test_minimum_notice_hides_the_next_two_hours(clinic):
    now = at(MONDAY, 10, 5).astimezone(UTC)
    free = times(slots_available(service=clinic.service, start_date=MONDAY, now=now))
    assert free[0] == "13:00"  # 12:05 is the earliest; the first slot after it is after the break


def test_horizon_ends_the_calendar(clinic, settings):
    settings.BOOKING_HORIZON_DAYS = 10
    slots = slots_available(service=clinic.service, start_date=MONDAY, days=14, now=NOW)
    assert max(slot.start.date() for slot in slots) == date(2027, 1, 14)  # NOW + 10 days


def test_provider_at_two_locations_on_different_days(clinic):
    phoenix = LocationFactory(slug="scottsdale", name="Scottsdale", timezone="America/Phoenix")
    traveller = ProviderFactory(services=[clinic.service])
    week_hours(traveller, clinic.location, weekdays=[0])
    week_hours(traveller, phoenix, weekdays=[4])
    week = slots_available(service=clinic.service, start_date=MONDAY, days=5, now=NOW, provider=traveller)
    assert {(s.start.weekday(), s.location.slug) for s in week} == {(0, "sarasota"), (4, "scottsdale")}
    friday = [s for s in week if s.start.weekday() == 4]
    assert friday[0].start == datetime(2027, 1, 15, 9, tzinfo=PHOENIX)
    assert friday[0].start.utcoffset() == timedelta(hours=-7)
    only_phoenix = slots_available(service=clinic.service, start_date=MONDAY, days=5, now=NOW, location=phoenix)
    assert {s.location.slug for s in only_phoenix} == {"scottsdale"}


def test_anyone_offers_each_time_once_from_the_least_busy_provider(clinic):
    other = ProviderFactory(services=[clinic.service])
    week_hours(other, clinic.location)
    booked_at(clinic, at(MONDAY, 9), provider=clinic.provider)
    booked_at(clinic, at(MONDAY, 16), provider=clinic.provider)
    slots = slots_available(service=clinic.service, start_date=MONDAY, now=NOW)
    assert len(times(slots)) == len(set(times(slots)))
    assert times(slots)[0] == "09:00"  # the other provider is free at 9
    assert {slot.provider_id for slot in slots} == {other.pk}  # fewer bookings that day


def test_only_providers_offering_the_service_and_bookable_online(clinic):
    other_service = ServiceFactory()
    busy_elsewhere = ProviderFactory(services=[other_service])
    week_hours(busy_elsewhere, clinic.location)
    desk_only = ProviderFactory(services=[clinic.service], bookable_online=False)
    week_hours(desk_only, clinic.location)
    online = slots_available(service=clinic.service, start_date=MONDAY, now=NOW, provider=None)
    assert {slot.provider_id for slot in online} == {clinic.provider.pk}
    desk = slots_available(service=clinic.service, start_date=MONDAY, now=NOW, provider=desk_only, online=False)
    assert desk and {slot.provider_id for slot in desk} == {desk_only.pk}


# Daylight saving: 2027-03-14 (spring forward) and 2027-11-07 (fall back) in America/New_York.


@pytest.mark.parametrize(
    ("sunday", "before", "after"),
    [(date(2027, 3, 14), -5, -4), (date(2027, 11, 7), -4, -5)],
)
def test_nine_oclock_stays_nine_across_a_dst_change(clinic, sunday, before, after):
    phoenix = LocationFactory(slug="scottsdale", name="Scottsdale", timezone="America/Phoenix")
    desert = ProviderFactory(services=[clinic.service])
    week_hours(desert, phoenix)
    start = sunday - timedelta(days=6)  # the Monday before the change
    now = datetime.combine(start - timedelta(days=7), time(12), tzinfo=UTC)
    ny = slots_available(service=clinic.service, start_date=start, days=14, now=now, location=clinic.location)
    az = slots_available(service=clinic.service, start_date=start, days=14, now=now, location=phoenix)
    for slots, zone in ((ny, NEW_YORK), (az, PHOENIX)):
        by_day: dict[date, list] = {}
        for slot in slots:
            by_day.setdefault(slot.start.date(), []).append(slot)
        assert len(by_day) == 10  # ten weekdays, none lost
        for day, day_slots in by_day.items():
            assert day_slots[0].start.timetz().replace(tzinfo=None) == time(9), day
            assert day_slots[0].start.astimezone(zone).hour == 9
            assert len(day_slots) == 26, day  # no slot vanishes or doubles
        utc_starts = [slot.start.astimezone(UTC) for slot in slots]
        assert utc_starts == sorted(set(utc_starts))
    ny_offsets = {slot.start.date(): slot.start.utcoffset() for slot in ny}
    assert ny_offsets[start] == timedelta(hours=before)
    assert ny_offsets[sunday + timedelta(days=1)] == timedelta(hours=after)
    assert ny[0].start.astimezone(UTC).hour == 9 - before
    assert {slot.start.utcoffset() for slot in az} == {timedelta(hours=-7)}


def test_hours_across_the_skipped_hour_offer_no_time_that_does_not_exist(clinic):
    week_hours(clinic.provider, clinic.location, weekdays=[6], blocks=[(time(1), time(4))])
    sunday = date(2027, 3, 14)
    now = datetime(2027, 3, 1, tzinfo=UTC)
    slots = slots_available(service=clinic.service, start_date=sunday, now=now)
    assert not [s for s in slots if s.start.hour == 2]  # 02:00–02:59 does not exist that night
    assert times(slots)[:3] == ["01:00", "01:15", "01:30"]
    assert slots[2].end.strftime("%H:%M%z") == "03:00-0400"  # 30 real minutes after 01:30 EST


def test_hours_across_the_repeated_hour_offer_each_time_once(clinic):
    week_hours(clinic.provider, clinic.location, weekdays=[6], blocks=[(time(0), time(3))])
    slots = slots_available(service=clinic.service, start_date=date(2027, 11, 7), now=datetime(2027, 11, 1, tzinfo=UTC))
    utc_starts = [slot.start.astimezone(UTC) for slot in slots]
    assert len(utc_starts) == len(set(utc_starts))
    assert len([s for s in slots if s.start.hour == 1]) == 4


def test_a_booking_keeps_its_local_time_through_a_round_trip(clinic):
    monday_after = date(2027, 3, 15)
    now = datetime(2027, 3, 1, tzinfo=UTC)
    appointment = appointment_book(service=clinic.service, start=datetime(2027, 3, 15, 9, tzinfo=NEW_YORK), now=now,
                                   source=Source.DESK, patient=PatientFactory())  # fmt: skip
    appointment.refresh_from_db()
    assert appointment.start == datetime(2027, 3, 15, 13, tzinfo=UTC)
    assert appointment.local_start.isoformat() == "2027-03-15T09:00:00-04:00"
    free = times(slots_available(service=clinic.service, start_date=monday_after, now=now))
    assert "09:00" not in free and "09:30" in free


def _queries_for(**kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        slots_available(**kwargs)
    return len(queries)


def test_query_count_does_not_grow_with_providers_days_or_appointments(clinic):
    small = _queries_for(service=clinic.service, start_date=MONDAY, days=1, now=NOW, provider=clinic.provider)
    small_anyone = _queries_for(service=clinic.service, start_date=MONDAY, days=1, now=NOW)

    providers = [clinic.provider]
    for _ in range(9):
        provider = ProviderFactory(services=[clinic.service])
        week_hours(provider, clinic.location)
        providers.append(provider)
    patient = PatientFactory()
    made = 0
    for day in range(14):
        for provider in providers:
            for hour in (9, 10, 11, 13, 14):
                if made == 500:
                    break
                start = at(MONDAY + timedelta(days=day), hour)
                if start.weekday() < 5:
                    AppointmentFactory(service=clinic.service, start=start, patient=patient, provider=provider,
                                       location=clinic.location)  # fmt: skip
                    made += 1
    assert made == 500
    large = _queries_for(service=clinic.service, start_date=MONDAY, days=14, now=NOW, provider=providers[3])
    large_anyone = _queries_for(service=clinic.service, start_date=MONDAY, days=14, now=NOW)
    # Working hours, time off and busy appointments together; nothing more for "anyone".
    assert small == large == small_anyone == large_anyone == 1
