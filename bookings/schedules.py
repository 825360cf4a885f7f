"""Reads for the front desk's screens: the day grid, a provider's week, the day sheet, patients.

Each is a fixed number of queries whatever the number of providers and appointments: the
screens are open all day at the desk and must stay fast.
"""

import contextlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat

from .grid_css import MAX_ROWS, ROW_MINUTES
from .models import (
    BLOCKING_STATUSES,
    Appointment,
    AppointmentStatus,
    Location,
    Patient,
    Provider,
    TimeOff,
    WaitlistEntry,
    WaitlistStatus,
    WorkingHours,
)
from .policy import booking_policy


@dataclass
class Block:
    """Something placed on the grid: rows are 1-based CSS grid lines below the header."""

    row: int
    span: int
    label: str = ""
    appointment: Appointment | None = None


@dataclass
class Column:
    key: str
    title: str
    subtitle: str = ""
    provider: Provider | None = None
    day: date | None = None
    working: list[Block] = field(default_factory=list)
    away: list[Block] = field(default_factory=list)
    appointments: list[Block] = field(default_factory=list)
    now_row: int | None = None  # the current-time line, on today's column only


@dataclass
class Grid:
    zone: ZoneInfo
    first_minute: int  # minutes after local midnight of the first row
    rows: int
    hours: list[Block]  # the hour labels down the side
    columns: list[Column]
    now_row: int | None  # where the current-time line goes, when it is on the grid


def _minutes(moment: datetime, zone: ZoneInfo, day: date) -> int:
    local = moment.astimezone(zone)
    return (local.date() - day).days * 24 * 60 + local.hour * 60 + local.minute


def _day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def _frame(minutes: list[int]) -> tuple[int, int]:
    """Whole hours around everything shown, at least 08:00–18:00."""
    first = min([8 * 60, *minutes])
    last = max([18 * 60, *minutes])
    return first - first % 60, last + (-last) % 60


def _place(first: int, start: int, end: int) -> tuple[int, int]:
    row = (start - first) // ROW_MINUTES + 1
    span = max(1, (end - start + ROW_MINUTES - 1) // ROW_MINUTES)
    # Kept inside the rows time-grid.css has classes for (an appointment running past midnight).
    row = min(max(row, 1), MAX_ROWS)
    return row, min(span, MAX_ROWS - row + 1)


def _appointments(status_filter: bool) -> QuerySet[Appointment]:
    appointments = Appointment.objects.select_related("patient", "service", "provider__user", "location", "room")
    if status_filter:
        appointments = appointments.exclude(status=AppointmentStatus.CANCELLED)
    return appointments.order_by("start")


def day_grid(
    *,
    location: Location,
    day: date,
    now: datetime,
    provider_ids: list[int] | None = None,
    show_cancelled: bool = False,
) -> Grid:
    """Every provider working at `location` on `day` (or booked there), as columns. Three queries."""
    zone = location.zone
    low, high = _day_bounds(day, zone)
    hours = WorkingHours.objects.filter(location=location, weekday=day.weekday(), provider__is_active=True)
    appointments = _appointments(not show_cancelled).filter(location=location, start__lt=high, end__gt=low)
    if provider_ids is not None:
        hours = hours.filter(provider_id__in=provider_ids)
        appointments = appointments.filter(provider_id__in=provider_ids)
    hours = list(hours.select_related("provider__user").order_by("start"))
    appointments = list(appointments)

    providers: dict[int, Provider] = {}
    for item in [*hours, *appointments]:
        providers.setdefault(item.provider_id, item.provider)
    ordered = sorted(providers.values(), key=lambda p: (p.sort_order, p.name))
    away = list(TimeOff.objects.filter(provider_id__in=list(providers), start__lt=high, end__gt=low).order_by("start"))

    minutes = [m for b in hours for m in (b.start.hour * 60 + b.start.minute, b.end.hour * 60 + b.end.minute)]
    minutes += [m for a in appointments for m in (_minutes(a.start, zone, day), _minutes(a.end, zone, day))]
    first, last = _frame(minutes)
    columns = {p.pk: Column(key=str(p.pk), title=p.name, subtitle=p.title, provider=p, day=day) for p in ordered}
    for block in hours:
        row, span = _place(first, block.start.hour * 60 + block.start.minute, block.end.hour * 60 + block.end.minute)
        columns[block.provider_id].working.append(Block(row, span))
    for item in away:
        start = max(_minutes(item.start, zone, day), first)
        end = min(_minutes(item.end, zone, day), last)
        if start < end:
            row, span = _place(first, start, end)
            columns[item.provider_id].away.append(Block(row, span, label=item.reason or "Away"))
    for appointment in appointments:
        row, span = _place(first, _minutes(appointment.start, zone, day), _minutes(appointment.end, zone, day))
        columns[appointment.provider_id].appointments.append(Block(row, span, appointment=appointment))
    return _grid(zone, first, last, list(columns.values()), now, day)


def week_grid(*, provider: Provider, monday: date, now: datetime, show_cancelled: bool = False) -> Grid:
    """One provider's week, a column a day, each in the wall-clock time of where they work. Three queries."""
    days = [monday + timedelta(days=i) for i in range(7)]
    hours = list(WorkingHours.objects.filter(provider=provider).select_related("location"))
    zones = {block.weekday: block.location.zone for block in hours}
    default_zone = next(iter(zones.values()), None)
    low = datetime.combine(monday - timedelta(days=1), time.min, tzinfo=UTC)
    high = datetime.combine(monday + timedelta(days=8), time.min, tzinfo=UTC)
    appointments = list(_appointments(not show_cancelled).filter(provider=provider, start__lt=high, end__gt=low))
    away = list(TimeOff.objects.filter(provider=provider, start__lt=high, end__gt=low))
    if default_zone is None:
        default_zone = appointments[0].location.zone if appointments else ZoneInfo(settings.CLINIC_TIME_ZONE)

    def zone_of(day: date) -> ZoneInfo:
        return zones.get(day.weekday(), default_zone)

    where = {block.weekday: block.location.name for block in hours}
    columns = {
        d: Column(key=d.isoformat(), title=f"{d:%a} {d:%b} {d.day}", subtitle=where.get(d.weekday(), "Not working"),
                  provider=provider, day=d)
        for d in days
    }  # fmt: skip
    placed: list[tuple[date, int, int, Block]] = []
    minutes: list[int] = []
    for block in hours:
        for d in days:
            if d.weekday() == block.weekday:
                start, end = block.start.hour * 60 + block.start.minute, block.end.hour * 60 + block.end.minute
                minutes += [start, end]
                placed.append((d, start, end, Block(0, 0)))
    for appointment in appointments:
        zone = appointment.location.zone
        d = appointment.start.astimezone(zone).date()
        if d in columns:
            start, end = _minutes(appointment.start, zone, d), _minutes(appointment.end, zone, d)
            minutes += [start, end]
            placed.append((d, start, end, Block(0, 0, appointment=appointment)))
    first, last = _frame(minutes)
    for d, start, end, block in placed:
        block.row, block.span = _place(first, start, end)
        column = columns[d]
        (column.appointments if block.appointment else column.working).append(block)
    for item in away:
        for d in days:
            zone = zone_of(d)
            start = max(_minutes(item.start, zone, d), first)
            end = min(_minutes(item.end, zone, d), last)
            if start < end:
                row, span = _place(first, start, end)
                columns[d].away.append(Block(row, span, label=item.reason or "Away"))
    today = now.astimezone(zone_of(now.date())).date()
    return _grid(zone_of(today), first, last, list(columns.values()), now, today if today in columns else None)


def _grid(zone: ZoneInfo, first: int, last: int, columns: list[Column], now: datetime, day: date | None) -> Grid:
    labels = [
        Block(row=(minute - first) // ROW_MINUTES + 1, span=60 // ROW_MINUTES, label=f"{minute // 60:02d}:00")
        for minute in range(first, last, 60)
        if (minute - first) // ROW_MINUTES < MAX_ROWS
    ]
    now_row = None
    if day is not None:
        local = now.astimezone(zone)
        minute = local.hour * 60 + local.minute
        if local.date() == day and first <= minute < last and (minute - first) // ROW_MINUTES < MAX_ROWS:
            now_row = (minute - first) // ROW_MINUTES + 1
            for column in columns:
                if column.day == day:
                    column.now_row = now_row
    return Grid(zone, first, min((last - first) // ROW_MINUTES, MAX_ROWS), labels, columns, now_row)


HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def provider_colours() -> list[tuple[int, str]]:
    """Each provider's colour on the grid, only when it is a plain hex colour (it goes into CSS)."""
    rows = Provider.objects.order_by("pk").values_list("pk", "color")
    return [(pk, color) for pk, color in rows if HEX_COLOUR.fullmatch(color)]


def day_sheet(*, provider: Provider, day: date, zone: ZoneInfo) -> list[Appointment]:
    """A provider's appointments on a local day, for printing. One query."""
    low, high = _day_bounds(day, zone)
    return list(_appointments(True).filter(provider=provider, start__lt=high, end__gt=low))


def patients_search(query: str, *, limit: int = 25) -> list[Patient]:
    """Patients by name, email, phone (digits) or date of birth (YYYY-MM-DD or MM/DD/YYYY). One query."""
    query = query.strip()
    if not query:
        return []
    # Any part of a name ("Brien" finds O'Brien, "ann" finds Joanne), the full name ("maya lop"),
    # or every word somewhere in the first or last name ("lopez maya").
    conditions = Q(email__icontains=query) | Q(search_name__icontains=query)
    every_word = Q()
    for word in query.split():
        every_word &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    conditions |= every_word
    digits = "".join(ch for ch in query if ch.isdigit())
    if len(digits) >= 4:
        conditions |= Q(phone__contains=digits[-10:])
    for fmt in ("%Y-%m-%d", "%m/%d/%Y"):
        with contextlib.suppress(ValueError):
            conditions |= Q(date_of_birth=datetime.strptime(query, fmt).date())  # noqa: DTZ007 (a date)
    patients = Patient.objects.annotate(search_name=Concat("first_name", Value(" "), "last_name"))
    return list(patients.filter(conditions).order_by("last_name", "first_name")[:limit])


@dataclass
class PatientRecord:
    upcoming: list[Appointment]
    past: list[Appointment]
    no_shows: int
    late_cancels: int


def patient_record(*, patient: Patient, now: datetime) -> PatientRecord:
    """A patient's appointments and attendance, for the front desk. Two queries."""
    appointments = list(
        Appointment.objects.filter(patient=patient)
        .select_related("service", "provider__user", "location", "room")
        .order_by("-start")
    )
    window = booking_policy().cancel_window
    upcoming = [a for a in reversed(appointments) if a.start >= now and a.status in BLOCKING_STATUSES]
    past = [a for a in appointments if a not in upcoming]
    late = sum(
        1
        for a in appointments
        if a.status == AppointmentStatus.CANCELLED and a.cancelled_at and a.cancelled_at > a.start - window
    )
    no_shows = sum(1 for a in appointments if a.status == AppointmentStatus.NO_SHOW)
    return PatientRecord(upcoming=upcoming, past=past, no_shows=no_shows, late_cancels=late)


def waitlist_open() -> list[WaitlistEntry]:
    """Everyone still waiting or offered a time, first come first. One query."""
    return list(
        WaitlistEntry.objects.filter(status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED])
        .select_related("patient", "service", "provider__user", "location", "offered_location")
        .order_by("created_at", "pk")
    )


def provider_week(provider: Provider) -> list[WorkingHours]:
    return list(provider.working_hours.select_related("location").order_by("weekday", "start"))


def provider_home_location(provider: Provider) -> Location | None:
    """Where a provider works most of their week (most hours; ties: the location listed first)."""
    hours: dict[int, float] = {}
    locations: dict[int, Location] = {}
    for block in provider_week(provider):
        length = datetime.combine(date.min, block.end) - datetime.combine(date.min, block.start)
        hours[block.location_id] = hours.get(block.location_id, 0) + length.total_seconds()
        locations[block.location_id] = block.location
    if not hours:
        return None
    return max(locations.values(), key=lambda loc: (hours[loc.pk], -loc.sort_order, -loc.pk))
