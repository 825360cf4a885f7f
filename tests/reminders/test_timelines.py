"""Timelines are pure: the visit's facts and the time now in, the planned messages out."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from reminders.timelines import Visit, aftercare_timeline, booking_timeline

NY, PHX = ZoneInfo("America/New_York"), ZoneInfo("America/Phoenix")


def visit(start: datetime, *, toxin=False, minutes=30) -> Visit:
    return Visit(1, start, start + timedelta(minutes=minutes), start.tzinfo, toxin)


def plan(items) -> dict:
    return {(i.kind, i.step): i.due_at for i in items}


def test_a_consultation_booked_a_month_ahead():
    start = datetime(2027, 1, 18, 10, tzinfo=NY)
    now = datetime(2026, 12, 18, 15, tzinfo=UTC)
    assert plan(booking_timeline(visit(start), now)) == {
        ("confirmation", "booked"): now,
        ("intake", "48h"): datetime(2027, 1, 16, 10, tzinfo=NY),
        ("reminder", "24h"): datetime(2027, 1, 17, 10, tzinfo=NY),
    }


def test_a_treatment_booked_early_gets_pre_care_now_and_a_week_before():
    start = datetime(2027, 1, 18, 10, tzinfo=NY)
    items = plan(booking_timeline(visit(start, toxin=True), datetime(2026, 12, 18, tzinfo=UTC)))
    assert items[("pre-care", "booked")] == datetime(2026, 12, 18, tzinfo=UTC)
    assert items[("pre-care", "week")] == datetime(2027, 1, 11, 10, tzinfo=NY)


def test_booked_tomorrow_gets_no_reminders_already_in_the_past():
    start = datetime(2027, 1, 18, 10, tzinfo=NY)
    now = datetime(2027, 1, 17, 18, tzinfo=NY)
    assert set(plan(booking_timeline(visit(start, toxin=True), now))) == {("confirmation", "booked"),
                                                                          ("pre-care", "booked")}  # fmt: skip


def test_the_day_before_reminder_keeps_the_local_hour_across_daylight_saving():
    # Monday 09:00 after the clocks change: the reminder goes Sunday 09:00 local, whatever the offset.
    for monday, utc_hour in ((datetime(2027, 3, 15, 9, tzinfo=NY), 13), (datetime(2027, 11, 8, 9, tzinfo=NY), 14)):
        due = plan(booking_timeline(visit(monday), datetime(2027, 1, 1, tzinfo=UTC)))[("reminder", "24h")]
        assert due.astimezone(NY).hour == 9 and due.astimezone(NY).day == monday.day - 1
        assert due.astimezone(UTC).hour == utc_hour
    # A visit on the Sunday of the change: 09:00 EDT; the reminder at 09:00 EST on Saturday, 23 real hours before.
    sunday = datetime(2027, 3, 14, 9, tzinfo=NY)
    reminder = plan(booking_timeline(visit(sunday), datetime(2027, 1, 1, tzinfo=UTC)))[("reminder", "24h")]
    assert reminder.astimezone(UTC) == datetime(2027, 3, 13, 14, tzinfo=UTC)
    assert sunday.astimezone(UTC) - reminder.astimezone(UTC) == timedelta(hours=23)
    desert = datetime(2027, 3, 15, 9, tzinfo=PHX)
    due = plan(booking_timeline(visit(desert), datetime(2027, 1, 1, tzinfo=UTC)))[("reminder", "24h")]
    assert due.astimezone(UTC) == datetime(2027, 3, 14, 16, tzinfo=UTC)  # Phoenix never moves


STEPS = [
    ("sheet", timedelta(0), "email"),
    ("upright", timedelta(hours=4), "preferred"),
    ("day-1", timedelta(hours=24), "preferred"),
    ("results", timedelta(days=3), "preferred"),
    ("two-week", timedelta(days=14), "preferred"),
    ("rebook", timedelta(days=56), "preferred"),
]


def test_aftercare_counts_from_the_end_of_the_visit():
    start = datetime(2027, 3, 10, 14, tzinfo=NY)
    v = visit(start)
    items = plan(aftercare_timeline(v, STEPS, v.end))
    assert items[("aftercare", "sheet")] == v.end
    assert items[("aftercare", "upright")] == v.end + timedelta(hours=4)
    assert items[("aftercare", "day-1")] == v.end + timedelta(hours=24)
    # Days are local days: 3 days after 14:30 EST on the 10th is 14:30 EDT on the 13th.
    assert items[("aftercare", "results")] == datetime(2027, 3, 13, 14, 30, tzinfo=NY)
    assert items[("aftercare", "rebook")] == datetime(2027, 5, 5, 14, 30, tzinfo=NY)


def test_aftercare_completed_late_skips_steps_already_stale_but_still_sends_the_sheet():
    v = visit(datetime(2027, 3, 10, 14, tzinfo=NY))
    late = v.end + timedelta(hours=30)
    items = plan(aftercare_timeline(v, STEPS, late))
    assert items[("aftercare", "sheet")] == late
    assert ("aftercare", "upright") not in items and ("aftercare", "day-1") not in items
    assert ("aftercare", "results") in items
