"""slot_check reads only the busy time that can matter to one start (selectors/availability.py):
what touches the visit with its buffers, and the bookings of the local day holding the start,
which rank "anyone". Its answer must be the one a read of whole days gives, whatever the zone, on
a day the clocks change, and with bookings at either end of that local day."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.selectors import availability, slot_check
from tests.bookings.conftest import NEW_YORK, at, booked_at, week_hours
from tests.factories import LocationFactory, ProviderFactory

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
FALL_BACK, SPRING_FORWARD = date(2027, 11, 7), date(2027, 3, 14)  # New York's 25- and 23-hour Sundays
ALL_DAY = [(time(0), time(23, 59))]


def _check(service, start, location=None):
    return slot_check(service=service, start=start, location=location, provider_ids=None, online=False)


def _answer(check) -> tuple:
    return (
        [(s.start, s.provider_id, s.location.pk) for s in check.on_grid],
        [(s.start, s.provider_id, s.location.pk) for s in check.free],
        check.resources,
    )


def _whole_days(monkeypatch, service, start, location=None) -> tuple:
    """The answer from the whole days around `start`, as availability reads them."""
    with monkeypatch.context() as patched:
        patched.setattr(availability, "DAY_REACH", timedelta(days=3))
        return _answer(_check(service, start, location))


@pytest.fixture
def two(clinic):
    """The clinic's provider and a second one, both working every day around the clock."""
    other = ProviderFactory(services=[clinic.service])
    for provider in (clinic.provider, other):
        week_hours(provider, clinic.location, weekdays=range(7), blocks=ALL_DAY)
    return clinic.provider, other


@pytest.mark.parametrize("sunday", [FALL_BACK, SPRING_FORWARD])
def test_anyone_ranks_by_the_whole_local_day_when_the_clocks_change(clinic, two, sunday, monkeypatch):
    first, second = two
    # `first` is busier on the Sunday itself, at its very ends; `second` around it, on the
    # Saturday's and Monday's edges (the same UTC dates), which must not count.
    for hour, minute in ((0, 0), (1, 30), (22, 30)):
        booked_at(clinic, at(sunday, hour, minute), provider=first)
    for day, hour in ((sunday - timedelta(days=1), 23), (sunday + timedelta(days=1), 0)):
        for minute in (0, 30):
            booked_at(clinic, at(day, hour, minute), provider=second)
    booked_at(clinic, at(sunday, 21), provider=second)
    for start in (at(sunday, 0, 30), at(sunday, 1), at(sunday, 12), at(sunday, 23, 15)):
        check = _check(clinic.service, start)
        assert [s.provider_id for s in check.free] == [second.pk, first.pk], start  # 1 booking that day against 3
        assert _answer(check) == _whole_days(monkeypatch, clinic.service, start), start


def test_anyone_ranks_by_the_day_in_the_locations_zone_across_midnight(clinic, monkeypatch):
    """A Tokyo location, the start given in New York's offset: Tokyo's Monday began on Sunday in UTC."""
    tokyo = LocationFactory(slug="tokyo", name="Tokyo", timezone=TOKYO.key)
    first, second = ProviderFactory(services=[clinic.service]), ProviderFactory(services=[clinic.service])
    for provider in (first, second):
        week_hours(provider, tokyo, weekdays=range(7), blocks=ALL_DAY)
    monday = date(2027, 1, 11)
    # `first`: two late on Tokyo's Monday (Monday in UTC too); `second`: one late on Tokyo's Monday,
    # and three on Tokyo's Sunday evening, which is Sunday in UTC, like the start itself.
    for hour in (22, 23):
        booked_at(clinic, at(monday, hour, zone=TOKYO), provider=first, location=tokyo)
    booked_at(clinic, at(monday, 23, 30, zone=TOKYO), provider=second, location=tokyo)
    for hour in (21, 22, 23):
        booked_at(clinic, at(monday - timedelta(days=1), hour, zone=TOKYO), provider=second, location=tokyo)
    start = at(monday, 0, 15, zone=TOKYO).astimezone(NEW_YORK)  # Sunday 10:15 in New York
    assert start.date() == monday - timedelta(days=1) and start.astimezone(UTC).date() == start.date()
    check = _check(clinic.service, start, tokyo)
    assert [s.provider_id for s in check.free] == [second.pk, first.pk]
    assert {s.start.date() for s in check.free} == {monday}
    assert _answer(check) == _whole_days(monkeypatch, clinic.service, start, tokyo)


def test_every_start_of_a_daylight_saving_week_answers_as_whole_days(clinic, two, monkeypatch):
    first, second = two
    week = [FALL_BACK + timedelta(days=offset) for offset in range(-1, 2)]
    for day in week:
        for hour in (0, 1, 6, 12, 23):
            booked_at(clinic, at(day, hour), provider=first if hour % 2 else second)
    for day in week:
        for hour in range(0, 24, 2):
            for minute in (0, 45):
                start = at(day, hour, minute)
                assert _answer(_check(clinic.service, start)) == _whole_days(monkeypatch, clinic.service, start)


def test_a_day_longer_than_the_read_reads_again_whole(clinic, two, monkeypatch):
    """No zone's day reaches past DAY_REACH today; were one to, the ranked slots' days are read whole."""
    first, second = two
    booked_at(clinic, at(FALL_BACK, 0), provider=first)
    booked_at(clinic, at(FALL_BACK, 1), provider=first)
    booked_at(clinic, at(FALL_BACK, 23), provider=second)
    start = at(FALL_BACK, 12)
    expected = _whole_days(monkeypatch, clinic.service, start)
    with CaptureQueriesContext(connection) as queries:
        assert _answer(_check(clinic.service, start)) == expected
    assert len(queries) == 1
    monkeypatch.setattr(availability, "DAY_REACH", timedelta(hours=2))
    with CaptureQueriesContext(connection) as queries:
        assert _answer(_check(clinic.service, start)) == expected
    assert len(queries) == 2
    assert expected[1][0][1] == second.pk


def test_one_provider_named_reads_once_whatever_the_reach(clinic, monkeypatch):
    monkeypatch.setattr(availability, "DAY_REACH", timedelta(hours=2))
    with CaptureQueriesContext(connection) as queries:
        check = slot_check(
            service=clinic.service, start=at(FALL_BACK + timedelta(days=1), 10), location=None,
            provider_ids=[clinic.provider.pk], online=False,
        )  # fmt: skip
    assert [s.provider_id for s in check.free] == [clinic.provider.pk] and len(queries) == 1


@pytest.mark.parametrize(
    ("day", "zone", "hours"),
    [
        (date(2027, 1, 11), NEW_YORK, 24),
        (FALL_BACK, NEW_YORK, 25 + 2),  # an hour of slack either side: the clocks went back that day
        (SPRING_FORWARD, NEW_YORK, 23 + 2),
        (FALL_BACK - timedelta(days=1), NEW_YORK, 24 + 2),  # the next day's change
        (date(2027, 3, 27), ZoneInfo("Antarctica/Troll"), 24 + 4),  # a two-hour change the day after
    ],
)
def test_the_local_day_s_instants(day, zone, hours):
    low, high = availability._local_day(day, zone)
    assert high - low == timedelta(hours=hours)
    midnight = datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
    assert low <= midnight and high >= datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    assert high - low <= 2 * availability.DAY_REACH
