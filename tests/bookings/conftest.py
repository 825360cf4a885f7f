from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.factories import LocationFactory, ProviderFactory, ServiceFactory, WorkingHoursFactory
from treatments.models import ServiceKind

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


@pytest.fixture
def clinic(db):
    """One New York location, one provider Mon–Fri 9–12 and 13–17, a 30-minute consultation."""
    service = ServiceFactory(
        slug="consult",
        name="Consultation",
        kind=ServiceKind.CONSULTATION,
        duration_minutes=30,
        buffer_before_minutes=0,
        buffer_after_minutes=0,
        new_patients_online=True,
    )
    location = LocationFactory(slug="sarasota", name="Sarasota", timezone="America/New_York")
    provider = ProviderFactory(services=[service])
    week_hours(provider, location)
    return SimpleNamespace(service=service, location=location, provider=provider)
