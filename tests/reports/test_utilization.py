from datetime import date, time, timedelta

import pytest

from reports.selectors import report_build
from reports.selectors.utilization import merged, overlap_seconds, subtract
from tests.reports.conftest import NOW, away, hours, local

pytestmark = pytest.mark.django_db

MONDAY = 0


def by_provider(report, level="provider"):
    return {(row.location.slug if row.location else None, row.provider.pk if row.provider else None): row.figures
            for row in report.utilization if row.level == level}  # fmt: skip


def test_booked_over_scheduled_less_time_off_counted_by_hand(clinic, book):
    """Mondays 09:00–12:00 and 13:00–17:00 at Sarasota: 7 h on each of Mar 2 and Mar 9, less an hour away on
    the 9th: 13 h scheduled. Booked, inside those hours, each instant once:
    - Mar 2: 09:00–10:00 kept (1 h); 10:00–10:30 a no-show and a walk-in in its time (0.5 h, once);
      11:00–11:30 cancelled (0).
    - Mar 9: 09:30–10:30 half inside the hour away (0.5 h); 13:00–14:00 (1 h); 16:30–17:30 half after
      hours (0.5 h).
    3.5 h of 13 h."""
    imani = clinic.first
    hours(imani, clinic.sarasota, MONDAY, time(9), time(12))
    hours(imani, clinic.sarasota, MONDAY, time(13), time(17))
    first, second = date(2026, 3, 2), date(2026, 3, 9)
    away(imani, local(second, 9), local(second, 10))
    book(imani, local(first, 9), minutes=60)
    book(imani, local(first, 10), minutes=30, status="no_show")
    book(imani, local(first, 10), minutes=30, status="completed")
    book(imani, local(first, 11), minutes=30, status="cancelled", cancelled=local(first, 8))
    book(imani, local(second, 9, 30), minutes=60)
    book(imani, local(second, 13), minutes=60)
    book(imani, local(second, 16, 30), minutes=60)

    report = report_build(first=date(2026, 3, 1), last=date(2026, 3, 15), now=NOW)

    figures = by_provider(report)[("sarasota", imani.pk)]
    assert figures.scheduled_hours == 13
    assert figures.booked_hours == 3.5
    assert figures.rate == pytest.approx(3.5 / 13)


def test_the_week_the_clocks_change_keeps_nine_oclock_at_nine(clinic, book):
    """Every day 09:00–17:00 in New York from Mar 2 to Mar 15, 2026 (the clocks go forward on Sunday the
    8th), with a visit at 09:00–10:00 each day: 14 visits of 1 h in 14 × 8 h, on both sides of the change.
    A schedule placed at one UTC offset would put the second week's visits half outside the hours."""
    imani = clinic.first
    for weekday in range(7):
        hours(imani, clinic.sarasota, weekday, time(9), time(17))
    days = [date(2026, 3, 2) + timedelta(days=n) for n in range(14)]
    for day in days:
        book(imani, local(day, 9), minutes=60)

    figures = by_provider(report_build(first=days[0], last=days[-1], now=NOW))[("sarasota", imani.pk)]

    assert (figures.scheduled_hours, figures.booked_hours) == (112, 14)
    assert figures.rate == pytest.approx(0.125)


@pytest.mark.parametrize(
    ("day", "new_york", "phoenix"),
    [
        (date(2026, 3, 8), 3, 4),  # spring forward: 02:00 does not happen in New York
        (date(2026, 11, 1), 5, 4),  # fall back: 01:00–02:00 happens twice
        (date(2026, 3, 15), 4, 4),
    ],
)
def test_a_block_across_the_change_lasts_as_long_as_the_clocks_say(clinic, day, new_york, phoenix):
    """Sunday 00:00–04:00 by the wall clock is 3 h the night the clocks go forward and 5 h the night they go
    back, in New York; always 4 h in Phoenix."""
    hours(clinic.first, clinic.sarasota, 6, time(0), time(4))
    hours(clinic.second, clinic.scottsdale, 6, time(0), time(4))

    figures = by_provider(report_build(first=day, last=day, now=NOW))

    assert figures[("sarasota", clinic.first.pk)].scheduled_hours == new_york
    assert figures[("scottsdale", clinic.second.pk)].scheduled_hours == phoenix


def test_each_location_counts_its_own_days_and_its_own_hours(clinic, book):
    """Daniel works Tuesdays at Sarasota (09:00–13:00) and Thursdays at Scottsdale (14:00–22:00, to
    the location's midnight in UTC terms and past it). A Scottsdale visit at 21:00–22:00 on the last day
    of the period is 04:00 UTC the day after, and still counts; a Sarasota visit at 23:30 the evening
    before the period does not."""
    daniel = clinic.second
    hours(daniel, clinic.sarasota, 1, time(9), time(13))
    hours(daniel, clinic.scottsdale, 3, time(14), time(22))
    tuesday, thursday = date(2026, 6, 2), date(2026, 6, 4)
    book(daniel, local(tuesday, 10), minutes=60)
    book(daniel, local(tuesday - timedelta(days=1), 23, 30), minutes=30)  # the Monday night before
    book(daniel, local(thursday, 21, zone="America/Phoenix"), minutes=60, location=clinic.scottsdale)

    report = report_build(first=tuesday, last=thursday, now=NOW)

    figures = by_provider(report)
    assert (figures[("sarasota", daniel.pk)].scheduled_hours, figures[("sarasota", daniel.pk)].booked_hours) == (4, 1)
    assert (figures[("scottsdale", daniel.pk)].scheduled_hours, figures[("scottsdale", daniel.pk)].booked_hours) == (
        8,
        1,
    )
    clinic_total = by_provider(report, level="clinic")[(None, None)]
    assert (clinic_total.scheduled_hours, clinic_total.booked_hours) == (12, 2)


def test_one_location_and_one_provider_narrow_the_report(clinic, book):
    hours(clinic.first, clinic.sarasota, MONDAY, time(9), time(17))
    hours(clinic.second, clinic.sarasota, MONDAY, time(9), time(17))
    hours(clinic.second, clinic.scottsdale, 2, time(9), time(17))
    monday = date(2026, 6, 1)
    book(clinic.first, local(monday, 9), minutes=60)
    book(clinic.second, local(monday, 9), minutes=120)

    only_daniel = report_build(first=monday, last=monday + timedelta(days=6), now=NOW, provider=clinic.second)
    only_sarasota = report_build(first=monday, last=monday + timedelta(days=6), now=NOW, location=clinic.sarasota)

    assert list(by_provider(only_daniel)) == [("sarasota", clinic.second.pk), ("scottsdale", clinic.second.pk)]
    assert by_provider(only_daniel)[("sarasota", clinic.second.pk)].booked_hours == 2
    assert list(by_provider(only_sarasota)) == [("sarasota", clinic.first.pk), ("sarasota", clinic.second.pk)]
    assert by_provider(only_sarasota, level="location")[("sarasota", None)].booked_hours == 3


def test_interval_arithmetic():
    t = [hour * 3600 for hour in range(24)]
    assert merged([(t[3], t[5]), (t[1], t[2]), (t[2], t[4]), (t[7], t[7])]) == [(t[1], t[5])]
    assert subtract([(t[1], t[9])], [(t[0], t[2]), (t[4], t[5]), (t[8], t[12])]) == [(t[2], t[4]), (t[5], t[8])]
    assert overlap_seconds([(t[1], t[3]), (t[5], t[9])], [(t[2], t[6]), (t[8], t[10])]) == 3 * 3600
