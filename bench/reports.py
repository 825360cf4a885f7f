"""How long the reports take for a year of a ten-provider clinic: target under one second.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/medspa_bench .venv/bin/python bench/reports.py \
        [--requests 10] [--reuse]

The clinic: two locations (Sarasota on New York time, Scottsdale on Phoenix time), ten injectors
working Monday to Friday 09:00–12:30 and 13:30–17:00, five at each, a week off each in the summer.
Its last 15 months of visits are written by the demo's own generator (`reports.demo.history_seed`):
patients who start with a consultation, are treated, come to a two-week review and back months
later; intake histories, signed records with lots and sites; some no-shows and cancellations. The
generator fills the providers' hours to about the utilization a busy clinic has.

Three cases, each the median of `--requests` runs after one warm-up:
  (a) `report_build` for the last 365 days, every location and provider (the selectors alone);
  (b) `GET /staff/reports/?since=…&until=…` as a manager: the same report, charts and page;
  (c) `GET /staff/reports/export.csv` for the same period.

Runs on a throwaway test database that Django creates and destroys (on PostgreSQL
`test_<name>_reports_<pid>` beside the database DATABASE_URL names, which need not exist; else a
SQLite file in a temporary folder), so a test run or another benchmark at the same time is no clash.
Building the year takes a minute or two; `--reuse` keeps it instead, in the database DATABASE_URL
names (which must exist), and later runs only time the reports. Either way the tables are ANALYZEd
after the build, as autovacuum would have done by the time anyone reads a year of reports.
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import time as wall_time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from bench.support import throwaway_database  # noqa: E402
from bookings.models import Appointment, Location, Provider, TimeOff, WorkingHours  # noqa: E402
from charting.models import InjectionSite  # noqa: E402
from medspa.roles import MANAGER  # noqa: E402
from reports.demo import history_seed  # noqa: E402
from reports.selectors import report_build  # noqa: E402

PROVIDERS = 10
PATIENTS = 7000
BLOCKS = ((wall_time(9), wall_time(12, 30)), (wall_time(13, 30), wall_time(17)))


def build() -> list[Provider]:
    locations = [
        Location.objects.create(slug="sarasota", name="Sarasota", address="1 Main St", timezone="America/New_York"),
        Location.objects.create(slug="scottsdale", name="Scottsdale", address="2 Camelback Rd",
                                timezone="America/Phoenix", sort_order=1),
    ]  # fmt: skip
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"provider{i}", first_name="Ivy", last_name=f"Provider{i}", is_staff=True)
        for i in range(PROVIDERS)
    )
    providers = Provider.objects.bulk_create(
        Provider(user=user, title="Nurse injector", credentials="RN", sort_order=i) for i, user in enumerate(users)
    )
    WorkingHours.objects.bulk_create(
        WorkingHours(provider=provider, location=locations[i % 2], weekday=weekday, start=start, end=end)
        for i, provider in enumerate(providers)
        for weekday in range(5)
        for start, end in BLOCKS
    )
    summer = timezone.now() - timedelta(days=120)
    TimeOff.objects.bulk_create(
        TimeOff(provider=provider, start=summer + timedelta(days=7 * i), end=summer + timedelta(days=7 * i + 7))
        for i, provider in enumerate(providers)
    )
    return list(Provider.objects.select_related("user"))


@contextmanager
def reused_database() -> Iterator[None]:
    """The database DATABASE_URL names, migrated; its data stays for the next run."""
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host, as in a throwaway database
    call_command("migrate", verbosity=0)
    yield


def signed_in_manager() -> Client:
    user, _ = get_user_model().objects.get_or_create(username="benchmanager", defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name=MANAGER))
    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
        user=user, name="app", confirmed=True
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def timed(run, requests: int) -> tuple[int, float, float, float]:
    """(queries of one run, median ms, slowest ms, median CPU ms of this process) over `requests` runs
    after a warm-up. The CPU time leaves out the database server's and any other process's: on a busy
    machine it shows what the run itself costs here."""
    run()
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        run()
    timings, cpu = [], []
    for _ in range(requests):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return len(executed), statistics.median(timings), max(timings), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10, help="timed runs per case (default 10)")
    parser.add_argument(
        "--reuse", action="store_true",
        help="use the database DATABASE_URL names itself (migrated, filled once and kept) instead of a throwaway one",
    )  # fmt: skip
    args = parser.parse_args()

    with reused_database() if args.reuse else throwaway_database("reports"):
        started = time.perf_counter()
        now = timezone.now()
        today = timezone.localdate()
        if Provider.objects.filter(user__username="provider0").exists():
            written = Appointment.objects.count()
        else:
            providers = build()
            written = history_seed(providers=providers, patients=PATIENTS, first_day=today - timedelta(days=450),
                                   now=now, seed=7)  # fmt: skip
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
        built = time.perf_counter() - started
        first, last = today - timedelta(days=364), today
        report = report_build(first=first, last=last, now=now)
        totals = report.totals
        in_year = sum(row.figures.appointments for row in report.attendance if row.level == "provider")
        print(
            f"database: {connection.vendor}; built (or found) in {built:.0f} s: {PROVIDERS} providers at 2 locations, "
            f"{written} appointments ({in_year} started in the year reported), "
            f"{InjectionSite.objects.count()} injection sites; "
            f"utilization {totals['utilization'].rate:.0%}, {totals['new_patients'].total} new patients"
        )
        client = signed_in_manager()
        query = {"since": first.isoformat(), "until": last.isoformat()}

        def page():
            response = client.get("/staff/reports/", query)
            assert response.status_code == 200, response.status_code

        def export():
            response = client.get("/staff/reports/export.csv", query)
            assert response.status_code == 200, response.status_code

        cases = [
            ("(a) report_build, 365 days", lambda: report_build(first=first, last=last, now=now)),
            ("(b) GET /staff/reports/", page),
            ("(c) GET /staff/reports/export.csv", export),
        ]
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print(f"{'case':<36}{'queries':>8}{'median ms':>11}{'max ms':>9}{'CPU ms':>9}")
        for name, run in cases:
            queries, median, slowest, cpu = timed(run, args.requests)
            print(f"{name:<36}{queries:>8}{median:>11.1f}{slowest:>9.1f}{cpu:>9.1f}")


if __name__ == "__main__":
    main()
