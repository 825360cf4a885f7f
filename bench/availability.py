"""Queries, slots and median / p95 milliseconds per availability request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/medspa_bench .venv/bin/python bench/availability.py [--requests 50]

Two cases, both `GET /api/v1/availability` through Django's test client (no network), so the
figures are the app's own cost:

  (a) one provider, one day (`provider=ID&days=1`);
  (b) "anyone": ten providers over fourteen days (`days=14`, no provider), with 2,000
      appointments spread over those providers and their ten working days;
  (c), (d) the same for a service that takes a room, with four rooms at the location: the
      filler appointments of every other provider hold a room each while rooms are left (so at
      a quarter hour when four of those five are busy no room is free: 1,000 room bookings,
      some times hidden by the rooms alone).

One America/New_York location; every provider works Monday to Friday 09:00–12:00 and
13:00–17:00; the service asked about takes 30 minutes on the default 15-minute grid. The
2,000 appointments are bulk-inserted rows of a 15-minute filler service, 20 of each
provider-day's 28 quarter hours, never overlapping (not 2,000 calls of appointment_book): the
selector reads only their busy ranges, so how they were made does not matter to it. The dates
start on a Monday at least a week ahead, so neither the notice nor the horizon cuts them.

Runs on a throwaway test database that Django creates and destroys: on PostgreSQL
`test_<name>_availability_<pid>` beside the database DATABASE_URL names (which need not
exist), else a SQLite file in a temporary folder. Own names, so a test run or another
benchmark on the same server at the same time is no clash.
"""

import argparse
import os
import sys
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.support import measure, throwaway_database  # noqa: E402
from bookings.models import Appointment, Location, Patient, Provider, Room, WorkingHours  # noqa: E402
from treatments.models import Service, ServiceKind  # noqa: E402

PROVIDERS = 10
DAYS = 14  # two weeks from a Monday: ten working days
PER_PROVIDER_DAY = 20  # of the 28 quarter hours in 09:00–12:00 and 13:00–17:00
BLOCKS = ((wall_time(9), wall_time(12)), (wall_time(13), wall_time(17)))
QUARTER = timedelta(minutes=15)
ROOMS = 4


def next_monday(*, at_least: int = 7) -> date:
    day = timezone.localdate() + timedelta(days=at_least)
    return day + timedelta(days=-day.weekday() % 7)


def quarters(day: date, zone) -> list[datetime]:
    """The starts of the day's working quarter hours, in order."""
    starts = []
    for block_start, block_end in BLOCKS:
        wall = datetime.combine(day, block_start, tzinfo=zone)
        while wall.time() < block_end:
            starts.append(wall)
            wall += QUARTER
    return starts


def seed(monday: date) -> tuple[Service, Service, list[Provider]]:
    location = Location.objects.create(
        slug="sarasota", name="Sarasota", address="1 Main Street", timezone="America/New_York"
    )
    consult = Service.objects.create(
        slug="consult", name="Consultation", kind=ServiceKind.CONSULTATION, duration_minutes=30
    )
    filler = Service.objects.create(slug="filler", name="Touch-up", kind=ServiceKind.REVIEW, duration_minutes=15)
    in_room = Service.objects.create(
        slug="treatment", name="Treatment", kind=ServiceKind.TREATMENT, duration_minutes=30, needs_room=True
    )
    rooms = Room.objects.bulk_create(Room(location=location, name=f"Room {i + 1}") for i in range(ROOMS))
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"provider{i}", first_name="Ivy", last_name=f"Provider{i}", is_staff=True)
        for i in range(PROVIDERS)
    )
    providers = Provider.objects.bulk_create(
        Provider(user=user, title="Nurse injector", credentials="RN", sort_order=i) for i, user in enumerate(users)
    )
    for provider in providers:
        provider.services.set([consult, filler, in_room])
    WorkingHours.objects.bulk_create(
        WorkingHours(provider=provider, location=location, weekday=weekday, start=start, end=end)
        for provider in providers
        for weekday in range(5)
        for start, end in BLOCKS
    )
    patients = Patient.objects.bulk_create(
        Patient(
            first_name="Pat",
            last_name=f"Patient{i}",
            date_of_birth=date(1985, 6, 1),
            email=f"patient{i}@example.com",
            phone="+19415550100",
        )
        for i in range(200)
    )

    appointments = []
    rooms_taken: dict[datetime, int] = {}  # how many rooms are held at each quarter hour
    working_days = [monday + timedelta(days=d) for d in range(DAYS) if (monday + timedelta(days=d)).weekday() < 5]
    for p, provider in enumerate(providers):
        for d, day in enumerate(working_days):
            starts = quarters(day, location.zone)  # 28 quarters; pairs at even indices never cross the break
            # Leave four 30-minute pairs free, in a different place for each provider and day.
            free = {2 * ((p + d + 3 * k) % (len(starts) // 2)) + half for k in range(4) for half in (0, 1)}
            for i, start in enumerate(q for i, q in enumerate(starts) if i not in free):
                start_utc = start.astimezone(UTC)
                held = ROOMS  # odd providers' fillers take no room
                if p % 2 == 0:
                    held = rooms_taken.get(start_utc, 0)
                    rooms_taken[start_utc] = held + 1
                appointments.append(
                    Appointment(
                        patient=patients[(p * 31 + d * 7 + i) % len(patients)],
                        provider=provider,
                        location=location,
                        service=filler,
                        room=rooms[held] if held < ROOMS else None,
                        start=start_utc,
                        end=start_utc + QUARTER,
                        busy_from=start_utc,
                        busy_until=start_utc + QUARTER,
                        status="booked",
                        source="desk",
                    )
                )
    Appointment.objects.bulk_create(appointments, batch_size=500)
    in_rooms = sum(a.room is not None for a in appointments)
    assert len(appointments) == PROVIDERS * len(working_days) * PER_PROVIDER_DAY == 2000
    print(f"{in_rooms} of the appointments hold a room")
    return consult, in_room, providers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="timed requests per case (default 50)")
    args = parser.parse_args()

    with throwaway_database("availability"):
        monday = next_monday()
        consult, in_room, providers = seed(monday)
        cases = [
            (
                "(a) 1 provider x 1 day",
                f"/api/v1/availability?service={consult.slug}&date={monday}&days=1&provider={providers[0].pk}",
            ),
            (
                f"(b) anyone: {PROVIDERS} providers x {DAYS} days",
                f"/api/v1/availability?service={consult.slug}&date={monday}&days={DAYS}",
            ),
            (
                f"(c) room ({ROOMS}): 1 provider x 1 day",
                f"/api/v1/availability?service={in_room.slug}&date={monday}&days=1&provider={providers[0].pk}",
            ),
            (
                f"(d) room ({ROOMS}): anyone, {DAYS} days",
                f"/api/v1/availability?service={in_room.slug}&date={monday}&days={DAYS}",
            ),
        ]
        client = Client()
        print(
            f"database: {connection.vendor}; {Appointment.objects.count()} appointments (bulk-inserted 15-minute "
            f"filler rows, {PER_PROVIDER_DAY} per provider-day) from {monday}; {args.requests} requests per case"
        )
        print(f"{'case':<36}{'queries':>8}{'slots':>7}{'median ms':>11}{'p95 ms':>9}{'req/s':>8}")
        for name, path in cases:
            queries, median, p95, response = measure(client, path, args.requests)
            slots = len(response.json()["slots"])
            print(f"{name:<36}{queries:>8}{slots:>7}{median:>11.2f}{p95:>9.2f}{1000 / median:>8.0f}")


if __name__ == "__main__":
    main()
