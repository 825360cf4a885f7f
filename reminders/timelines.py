"""Timelines: pure functions from a visit's facts and the time now to the messages it should get.

Offsets of whole days are counted in the location's calendar, so the reminder the day before a
09:00 visit goes at 09:00 local even across a daylight-saving change; offsets of hours are hours.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

STALE_AFTER = timedelta(hours=2)  # an aftercare step this late is no longer useful (all but the sheet)


@dataclass(frozen=True)
class Visit:
    appointment_id: int
    start: datetime
    end: datetime
    zone: ZoneInfo
    is_toxin_treatment: bool


@dataclass(frozen=True)
class Planned:
    kind: str
    step: str
    due_at: datetime
    channel: str = "preferred"

    def key(self, appointment_id: int) -> str:
        return f"a{appointment_id}:{self.kind}:{self.step}"


def shift(moment: datetime, zone: ZoneInfo, offset: timedelta) -> datetime:
    """`moment` moved by `offset`: whole days on the local calendar (same wall-clock time), else exactly."""
    if offset.seconds == 0 and offset.microseconds == 0:
        local = moment.astimezone(zone).replace(tzinfo=None) + offset
        return local.replace(tzinfo=zone)
    return moment + offset


def booking_timeline(visit: Visit, now: datetime) -> list[Planned]:
    """On booking: confirmation now; pre-care for treatments (now, and a week before when booked early);
    the intake reminder two days before; the appointment reminder the day before."""
    items = [Planned("confirmation", "booked", now, channel="email")]
    if visit.is_toxin_treatment:
        items.append(Planned("pre-care", "booked", now, channel="email"))
        week_before = shift(visit.start, visit.zone, timedelta(days=-7))
        if week_before - now > timedelta(days=1):
            items.append(Planned("pre-care", "week", week_before))
    for kind, step, days in (("intake", "48h", 2), ("reminder", "24h", 1)):
        due = shift(visit.start, visit.zone, timedelta(days=-days))
        if due > now:
            items.append(Planned(kind, step, due))
    return items


def aftercare_timeline(visit: Visit, steps: list[tuple[str, timedelta, str]], now: datetime) -> list[Planned]:
    """After a completed visit: each (key, offset from the end, channel) step, due from the end of the visit."""
    items = []
    for key, offset, channel in steps:
        due = shift(visit.end, visit.zone, offset)
        if key != "sheet" and due < now - STALE_AFTER:
            continue
        items.append(Planned("aftercare", key, max(due, now) if key == "sheet" else due, channel=channel))
    return items
