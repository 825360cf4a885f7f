"""Our one-day availability endpoint side by side with django-appointment's, the open-source peer.

    .venv/bin/python bench/compare_django_appointment.py [--requests 100] [--rounds 3]

Both sides get the same schedule: one provider offering a 30-minute service, working 09:00–17:00
Monday to Friday in America/New_York, asked for one weekday a few days ahead (clear of our 2-hour
notice and 90-day horizon) with 0, 4 and then 10 appointments booked that day. Each case is one
warm-up request, one request whose SQL queries are counted, then `--rounds` rounds of `--requests`
timed requests through Django's test client (no network), by the same `measure` function on both
sides. The quietest round's median and p95 are reported: other work on the machine only ever
slows a round down, and the load average is printed so a reader can judge the noise.

Ours runs in this process on a throwaway test database of whatever DATABASE_URL names (SQLite if
unset) and calls GET /api/v1/availability?service=…&date=…&provider=…, with the per-address
availability limit raised so that it never trips but still counts every request in the cache, and
with its kept answers off (AVAILABILITY_CACHE=0), as the peer keeps none: each answer is computed.

The peer, PyPI django-appointment 3.12.0, runs in its own venv (var/bench/peer-venv, created on
the first run and reused after that; pip needs PyPI once) and its own throwaway project generated
into var/bench/peer_project/ (settings, URLs, migrations made with makemigrations, and the driver
script that builds its data and measures), always on SQLite, calling
GET /appointment/ajax/available_slots/?selected_date=…&staff_member=…&service_id=… as AJAX.

Our embedded state (test database, broker, mail) goes to var/bench/ours/ and is removed at the
end. The targets: at most a fifth of the peer's queries and at least three times its speed.
"""

import argparse
import inspect
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
BENCH_VAR = ROOT / "var" / "bench"
OURS_VAR = BENCH_VAR / "ours"
PEER_VENV = BENCH_VAR / "peer-venv"
PEER_PROJECT = BENCH_VAR / "peer_project"
PEER_VERSION = "3.12.0"
PEER_REQUIREMENTS = [f"django-appointment=={PEER_VERSION}", "Django>=5.2,<5.3"]

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ["VAR_DIR"] = str(OURS_VAR)  # keep the embedded state apart from the app's and the tests'
# One client asks thousands of times: a limit that never trips, so the middleware still counts each
# request in the cache (as in production) without answering 429.
os.environ["RATE_LIMIT_AVAILABILITY"] = "100000000/m"
# The peer keeps nothing between requests: ours computes every answer afresh too (the API would
# otherwise serve the repeated request from what it kept, at one query).
os.environ["AVAILABILITY_CACHE"] = "0"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from bookings.models import Location, Patient, Provider, Source, WorkingHours  # noqa: E402
from bookings.services import appointment_book  # noqa: E402
from treatments.models import Service  # noqa: E402

TIME_ZONE = "America/New_York"
DAY_START, DAY_END = "09:00", "17:00"
DURATION_MINUTES = 30
WORKDAYS = range(5)  # Monday to Friday, as Python counts them (0 = Monday)
COUNTS = (0, 4, 10)
# Appointments that day, in booking order: the first four spread over the day, all ten on the half hour.
BOOKED = ("09:00", "11:00", "13:00", "15:00", "09:30", "11:30", "13:30", "15:30", "10:00", "14:00")
PHONE = "+19415550100"
RESULT_MARK = "RESULT "


def measure(client, path: str, requests: int, rounds: int, headers: dict[str, str]) -> tuple[dict, object]:
    """Queries of one request, then milliseconds per request over `rounds` rounds of `requests`.

    After a warm-up request. Reports the round with the lowest median. Copied verbatim into the
    peer's driver, so both sides are timed the same way.
    """
    client.get(path, headers=headers)  # warm up URL resolution, imports and caches
    reset_queries()  # each request resets the log; start the capture from empty
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers=headers)
    best = None
    for _ in range(rounds):
        timings = []
        for _ in range(requests):
            start = time.perf_counter()
            client.get(path, headers=headers)
            timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        median, p95 = statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)]
        if best is None or median < best[0]:
            best = (median, p95)
    return {"queries": len(queries), "median_ms": best[0], "p95_ms": best[1]}, response


# --- Ours ---------------------------------------------------------------------------------------


def ours_schedule() -> tuple[Service, Provider]:
    location = Location.objects.create(slug="main", name="Main", address="1 Main St", timezone=TIME_ZONE)
    service = Service.objects.create(
        slug="consultation",
        name="Consultation",
        kind="consultation",
        duration_minutes=DURATION_MINUTES,
        buffer_before_minutes=0,
        buffer_after_minutes=0,
        bookable_online=True,
    )
    user = get_user_model().objects.create_user("provider", first_name="Pat", last_name="Provider")
    provider = Provider.objects.create(user=user, title="Nurse injector")
    provider.services.add(service)
    for weekday in WORKDAYS:
        WorkingHours.objects.create(
            provider=provider,
            location=location,
            weekday=weekday,
            start=clock.fromisoformat(DAY_START),
            end=clock.fromisoformat(DAY_END),
        )
    return service, provider


def ours_book(service: Service, provider: Provider, day: date, starts: tuple[str, ...]) -> None:
    zone = ZoneInfo(TIME_ZONE)
    for start in starts:
        n = Patient.objects.count() + 1
        patient = Patient.objects.create(
            first_name="Client",
            last_name=f"Number {n}",
            date_of_birth=date(1990, 1, n),
            email=f"client{n}@example.com",
            phone=PHONE,
        )
        appointment_book(
            service=service,
            start=datetime.combine(day, clock.fromisoformat(start), tzinfo=zone),
            now=timezone.now(),
            source=Source.DESK,
            patient=patient,
            provider=provider,
        )


def run_ours(day: date, requests: int, rounds: int) -> dict:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        service, provider = ours_schedule()
        client = Client()
        path = f"/api/v1/availability?service={service.slug}&date={day.isoformat()}&provider={provider.pk}"
        results = {}
        for i, count in enumerate(COUNTS):
            ours_book(service, provider, day, BOOKED[COUNTS[i - 1] if i else 0 : count])
            figures, response = measure(client, path, requests, rounds, {})
            assert response.status_code == 200, response.content
            starts = [datetime.fromisoformat(slot["start"]).strftime("%H:%M") for slot in response.json()["slots"]]
            assert starts, f"ours offered no slots with {count} appointments"
            figures["slots"] = len(starts)
            figures["booked_offered"] = len(set(starts) & set(BOOKED[:count]))
            results[str(count)] = figures
        name = connection.settings_dict["NAME"]
        where = os.path.relpath(name, ROOT) if connection.vendor == "sqlite" else name
        return {
            "database": f"{connection.vendor} ({where})",
            "django": django.get_version(),
            "results": results,
        }
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(OURS_VAR, ignore_errors=True)


# --- The peer -----------------------------------------------------------------------------------

PEER_SETTINGS = f'''\
"""Throwaway project hosting django-appointment for bench/compare_django_appointment.py (generated)."""

from pathlib import Path

HERE = Path(__file__).resolve().parent

SECRET_KEY = "bench-only"
DEBUG = True  # as ours under tests.settings
ALLOWED_HOSTS = ["testserver", "localhost"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "appointment",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "peer_urls"
TEMPLATES = [
    {{
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {{
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        }},
    }},
]
DATABASES = {{
    "default": {{
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": HERE / "peer.sqlite3",
        "TEST": {{"NAME": str(HERE / "peer_test.sqlite3")}},
        # The same options as ours on SQLite.
        "OPTIONS": {{
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }},
    }}
}}
# The package ships no migrations; makemigrations writes them here.
MIGRATION_MODULES = {{"appointment": "peer_migrations"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "{TIME_ZONE}"
STATIC_URL = "static/"
APPOINTMENT_WEBSITE_NAME = "Bench"
'''

PEER_URLS = """\
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("appointment/", include("appointment.urls")),
]
"""

# `measure` is pasted in where the marker line is.
PEER_DRIVER = '''\
"""Measures django-appointment's one-day slot endpoint; written and run by bench/compare_django_appointment.py.

    peer-venv/bin/python driver.py '{"date": "YYYY-MM-DD", "requests": 100, "rounds": 3, ...}'

Prints one line starting with "RESULT " and then JSON (the package logs to stdout too).
"""

import json
import os
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from importlib.metadata import version

os.environ["DJANGO_SETTINGS_MODULE"] = "peer_settings"

import django

django.setup()

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment

from appointment.models import Appointment, AppointmentRequest, Service, StaffMember, WorkingHours

PHONE = "+19415550100"
RESULT_MARK = "RESULT "

# MEASURE


def clock(text):
    return datetime.strptime(text, "%H:%M").time()


def schedule(config):
    users = get_user_model().objects
    staff = StaffMember.objects.create(
        user=users.create_user("provider", email="provider@example.com", first_name="Pat", last_name="Provider")
    )
    service = Service.objects.create(
        name="Consultation", duration=timedelta(minutes=config["duration_minutes"]), price=0
    )
    staff.services_offered.add(service)
    for weekday in config["workdays"]:  # Python's 0 = Monday; the package counts 0 = Sunday
        WorkingHours.objects.create(
            staff_member=staff,
            day_of_week=(weekday + 1) % 7,
            start_time=clock(config["day_start"]),
            end_time=clock(config["day_end"]),
        )
    return service, staff


def book(service, staff, day, starts, duration):
    for start in starts:
        n = Appointment.objects.count() + 1
        client = get_user_model().objects.create_user(f"client{n}", email=f"client{n}@example.com")
        begin = datetime.combine(day, clock(start))
        request = AppointmentRequest.objects.create(
            date=day,
            start_time=begin.time(),
            end_time=(begin + duration).time(),
            service=service,
            staff_member=staff,
        )
        Appointment.objects.create(client=client, appointment_request=request, phone=PHONE)


def main():
    config = json.loads(sys.argv[1])
    day = date.fromisoformat(config["date"])
    duration = timedelta(minutes=config["duration_minutes"])
    call_command("makemigrations", "appointment", verbosity=0)
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        service, staff = schedule(config)
        client = Client()
        path = (
            f"/appointment/ajax/available_slots/?selected_date={day.isoformat()}"
            f"&staff_member={staff.pk}&service_id={service.pk}"
        )
        headers = {"X-Requested-With": "XMLHttpRequest"}
        counts, booked = config["counts"], config["booked"]
        results = {}
        for i, count in enumerate(counts):
            book(service, staff, day, booked[counts[i - 1] if i else 0 : count], duration)
            figures, response = measure(client, path, config["requests"], config["rounds"], headers)
            assert response.status_code == 200, response.content
            payload = response.json()
            slots = payload.get("available_slots") or []
            assert slots, f"the peer offered no slots with {count} appointments: {payload}"
            starts = [datetime.fromisoformat(iso).strftime("%H:%M") for iso, _label in slots]
            figures["slots"] = len(starts)
            figures["booked_offered"] = len(set(starts) & set(booked[:count]))
            results[str(count)] = figures
        result = {
            "database": f"{connection.vendor} ({os.path.relpath(connection.settings_dict['NAME'], config['root'])})",
            "django": django.get_version(),
            "package": version("django-appointment"),
            "results": results,
        }
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(RESULT_MARK + json.dumps(result))


if __name__ == "__main__":
    main()
'''


def _installed(python: Path) -> tuple[str, str] | None:
    """django-appointment's and Django's versions in the peer venv, or None when either is missing."""
    probe = "from importlib.metadata import version; print(version('django-appointment'), version('Django'))"
    done = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=False)
    parts = done.stdout.split()
    return (parts[0], parts[1]) if done.returncode == 0 and len(parts) == 2 else None


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"{what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def peer_python() -> Path:
    """The peer venv's interpreter, creating the venv and installing the package when needed."""
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {PEER_VENV.relative_to(ROOT)} …", flush=True)
        _run([shutil.which("python3") or sys.executable, "-m", "venv", str(PEER_VENV)], "python3 -m venv")
    versions = _installed(python)
    if versions is None or versions[0] != PEER_VERSION or not versions[1].startswith("5.2."):
        print(f"installing {' '.join(PEER_REQUIREMENTS)} into the peer venv …", flush=True)
        _run([str(python), "-m", "pip", "install", "--quiet", *PEER_REQUIREMENTS], "pip install")
    return python


def peer_project() -> Path:
    """Write the peer's throwaway project (settings, URLs, migrations package, driver); return the driver."""
    migrations = PEER_PROJECT / "peer_migrations"
    migrations.mkdir(parents=True, exist_ok=True)
    (migrations / "__init__.py").touch()
    (PEER_PROJECT / "peer_settings.py").write_text(PEER_SETTINGS)
    (PEER_PROJECT / "peer_urls.py").write_text(PEER_URLS)
    driver = PEER_PROJECT / "driver.py"
    driver.write_text(PEER_DRIVER.replace("# MEASURE\n", inspect.getsource(measure)))
    return driver


def run_peer(day: date, requests: int, rounds: int) -> dict:
    python, driver = peer_python(), peer_project()
    config = {
        "date": day.isoformat(),
        "requests": requests,
        "rounds": rounds,
        "counts": list(COUNTS),
        "booked": list(BOOKED),
        "day_start": DAY_START,
        "day_end": DAY_END,
        "duration_minutes": DURATION_MINUTES,
        "workdays": list(WORKDAYS),
        "root": str(ROOT),
    }
    # Nothing of ours may leak into the peer's interpreter.
    drop = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "DJANGO_SETTINGS_MODULE", "VAR_DIR", "DATABASE_URL"}
    env = {key: value for key, value in os.environ.items() if key not in drop}
    done = subprocess.run(
        [str(python), str(driver), json.dumps(config)],
        cwd=PEER_PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_MARK)]
    if done.returncode or not lines:
        sys.exit(f"the peer's driver failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return json.loads(lines[-1].removeprefix(RESULT_MARK))


# --- Report -------------------------------------------------------------------------------------


def bench_day() -> date:
    """A weekday at least three days ahead in the clinic's zone."""
    day = timezone.localdate(timezone=ZoneInfo(TIME_ZONE)) + timedelta(days=3)
    while day.weekday() not in WORKDAYS:
        day += timedelta(days=1)
    return day


def report(day: date, requests: int, rounds: int, loads: tuple[float, float], ours: dict, peer: dict) -> None:
    """Print the header, a table per appointment count and, last, whether the targets are met."""
    print(
        f"One day's free slots for one provider, {DAY_START}–{DAY_END}, {DURATION_MINUTES}-minute service, "
        f"on {day:%A %Y-%m-%d}; Django test client, {rounds} rounds of {requests} requests per case, "
        "the quietest round's figures"
    )
    noisy = "; other work was running, so the times are noisy" if loads[0] > 1 else ""
    print(f"  machine: {os.cpu_count()} cores, load average {loads[0]:.2f} before the run, {loads[1]:.2f} after{noisy}")
    print(f"  ours: GET /api/v1/availability on {ours['database']}, Django {ours['django']}")
    print(
        f"  peer: django-appointment {peer['package']} GET /appointment/ajax/available_slots/ "
        f"on {peer['database']}, Django {peer['django']}, own venv"
    )
    print(
        f"  Slot grids differ: ours offers a start every {settings.BOOKING_SLOT_STEP_MINUTES} minutes "
        f"(BOOKING_SLOT_STEP_MINUTES), the peer every slot duration ({DURATION_MINUTES} minutes),\n"
        "  so our free-slot counts are about twice its own for the same free time."
    )
    query_ratios, speedups = {}, {}
    for count in COUNTS:
        mine, theirs = ours["results"][str(count)], peer["results"][str(count)]
        query_ratios[count] = mine["queries"] / theirs["queries"]
        speedups[count] = theirs["median_ms"] / mine["median_ms"]
        print(f"\n{count} appointment{'' if count == 1 else 's'} that day")
        print(f"  {'':<20}{'ours':>10}{'peer':>10}   ratio")
        print(
            f"  {'queries / request':<20}{mine['queries']:>10}{theirs['queries']:>10}"
            f"   {query_ratios[count]:.2f} of its queries"
        )
        print(
            f"  {'median ms':<20}{mine['median_ms']:>10.2f}{theirs['median_ms']:>10.2f}"
            f"   {speedups[count]:.1f}x its speed"
        )
        print(f"  {'p95 ms':<20}{mine['p95_ms']:>10.2f}{theirs['p95_ms']:>10.2f}")
        print(f"  {'requests / second':<20}{1000 / mine['median_ms']:>10.0f}{1000 / theirs['median_ms']:>10.0f}")
        print(f"  {'free slots':<20}{mine['slots']:>10}{theirs['slots']:>10}")
        for side, figures in (("ours", mine), ("the peer", theirs)):
            if figures["booked_offered"]:
                print(f"  ! {side} still offered {figures['booked_offered']} of the booked start times")
    worst_queries = max(query_ratios, key=query_ratios.get)
    worst_speed = min(speedups, key=speedups.get)
    met = query_ratios[worst_queries] <= 0.2 and speedups[worst_speed] >= 3
    print(
        f"\nTargets (at most a fifth of its queries, at least three times its speed): {'MET' if met else 'NOT MET'}; "
        f"worst query ratio {query_ratios[worst_queries]:.2f} (with {worst_queries} appointments), "
        f"worst speed-up {speedups[worst_speed]:.1f}x (with {worst_speed})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=100, help="timed requests per round (default 100)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per case; the quietest counts (default 3)")
    args = parser.parse_args()
    if args.requests < 1 or args.rounds < 1:
        parser.error("--requests and --rounds must be at least 1")
    day = bench_day()
    load_before = os.getloadavg()[0]
    peer = run_peer(day, args.requests, args.rounds)
    ours = run_ours(day, args.requests, args.rounds)
    report(day, args.requests, args.rounds, (load_before, os.getloadavg()[0]), ours, peer)


if __name__ == "__main__":
    main()
