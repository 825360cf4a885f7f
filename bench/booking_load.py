"""Concurrent online bookings against gunicorn and PostgreSQL: throughput, lost races, no overlaps.

    .venv/bin/python bench/booking_load.py [--clients 100] [--seconds 30] [--workers 4] [--days 30]
                                           [--provider-share 0.5]

Creates a PostgreSQL database of its own (medspa_load_<pid>, on postgres@127.0.0.1:5432 unless
--pg-host/--pg-port/--pg-user say otherwise), migrates it and seeds one America/New_York
location, ten providers working every day 08:00–20:00 and one 30-minute consultation that new
patients may book online. It then starts `gunicorn medspa.wsgi -w 4` on a free port of
127.0.0.1 (DJANGO_DEBUG=1; the Celery broker is the filesystem one in a temporary VAR_DIR: each
booking queues its confirmation email task after commit, and with no worker they just queue).

Each client thread (stdlib http.client, a new connection per request, as gunicorn's sync
workers close them) loops until the time is up: GET /api/v1/availability for a random one of
the next 30 days (--days; from tomorrow), pick one of its slots at random, POST
/api/v1/bookings for it with a new patient. A share of the bookings (--provider-share) names
the slot's provider; the rest ask for anyone. 201 is a booking and 409 a race lost to another
client (expected); anything else is counted and shown, and should not happen. The 409s are
counted by message: "no longer available" is the check before the insert, "just taken" a race
that the exclusion constraint caught at the insert (--days 1 makes those likelier).
Afterwards SQL counts the pairs of blocking appointments of one provider whose busy ranges
overlap, which must be zero.

Gunicorn is stopped and the database dropped at the end, also after an error or Ctrl-C. All
traffic goes to 127.0.0.1.
"""

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
HOST = "127.0.0.1"
ZONE = "America/New_York"
LOCATION, SERVICE, PROVIDERS = "load-test", "load-consultation", 10

SEED = f"""
from datetime import time
from django.contrib.auth import get_user_model
from bookings.models import Location, Provider, WorkingHours
from treatments.models import Service, ServiceKind

location = Location.objects.create(slug="{LOCATION}", name="Load test", address="1 Main Street", timezone="{ZONE}")
service = Service.objects.create(
    slug="{SERVICE}", name="Load consultation", kind=ServiceKind.CONSULTATION, duration_minutes=30,
    bookable_online=True, new_patients_online=True,
)
for i in range({PROVIDERS}):
    user = get_user_model().objects.create(
        username=f"load{{i}}", first_name="Ivy", last_name=f"Load{{i}}", is_staff=True
    )
    provider = Provider.objects.create(user=user, title="Nurse injector", credentials="RN", sort_order=i)
    provider.services.set([service])
    WorkingHours.objects.bulk_create(
        WorkingHours(provider=provider, location=location, weekday=day, start=time(8), end=time(20)) for day in range(7)
    )
"""

OVERLAPS = """
SELECT count(*) FROM bookings_appointment a JOIN bookings_appointment b
  ON a.provider_id = b.provider_id AND a.id < b.id AND a.busy_from < b.busy_until AND b.busy_from < a.busy_until
WHERE a.status IN ('booked', 'confirmed', 'checked_in', 'completed')
  AND b.status IN ('booked', 'confirmed', 'checked_in', 'completed')
"""


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    get_ms: list[float] = field(default_factory=list)
    post_ms: dict[int, list[float]] = field(default_factory=dict)  # by status
    posts: Counter = field(default_factory=Counter)  # (named provider?, status)
    conflicts: Counter = field(default_factory=Counter)  # the 409s' details: found taken, or lost at the insert
    others: Counter = field(default_factory=Counter)  # (method, status or exception)
    samples: list[str] = field(default_factory=list)  # bodies of unexpected answers
    empty_days: int = 0


def pg_args(args) -> list[str]:
    return ["-h", args.pg_host, "-p", str(args.pg_port), "-U", args.pg_user]


def psql(args, database: str, sql: str) -> str:
    out = subprocess.run(
        ["psql", *pg_args(args), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", sql],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return out.stdout.strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def request(port: int, method: str, path: str, payload: dict | None = None) -> tuple[int, bytes, float]:
    body = None if payload is None else json.dumps(payload)
    headers = {} if payload is None else {"Content-Type": "application/json"}
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    start = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, data, (time.perf_counter() - start) * 1000
    finally:
        connection.close()


def client(number: int, args, port: int, days: list[str], stop: threading.Event, results: Results) -> None:
    rng = random.Random(number)  # noqa: S311 (test data, not secrets)
    sent = 0
    while not stop.is_set():
        day = rng.choice(days)
        try:
            status, body, ms = request(port, "GET", f"/api/v1/availability?service={SERVICE}&date={day}&days=1")
        except (OSError, http.client.HTTPException) as exc:
            with results.lock:
                results.others[("GET", type(exc).__name__)] += 1
            continue
        if status != 200:
            with results.lock:
                results.others[("GET", status)] += 1
                if len(results.samples) < 5:
                    results.samples.append(f"GET {status}: {body[:300]!r}")
            continue
        with results.lock:
            results.get_ms.append(ms)
        slots = json.loads(body)["slots"]
        if not slots:
            with results.lock:
                results.empty_days += 1
            continue
        slot = rng.choice(slots)
        sent += 1
        payload = {
            "service": SERVICE,
            "start": slot["start"],
            "location": slot["location"],
            "accept_policy": True,
            "patient": {
                "first_name": "Load",
                "last_name": f"Client{number}",
                "email": f"load-{os.getpid()}-{number}-{sent}@example.com",
                "phone": f"+1941555{rng.randrange(10000):04d}",
                "date_of_birth": "1990-01-01",
            },
        }
        named = rng.random() < args.provider_share
        if named:
            payload["provider"] = slot["provider"]
        try:
            status, body, ms = request(port, "POST", "/api/v1/bookings", payload)
        except (OSError, http.client.HTTPException) as exc:
            with results.lock:
                results.others[("POST", type(exc).__name__)] += 1
            continue
        with results.lock:
            results.posts[(named, status)] += 1
            results.post_ms.setdefault(status, []).append(ms)
            if status == 409:
                results.conflicts[json.loads(body).get("detail", "")] += 1
            if status not in (201, 409):
                results.others[("POST", status)] += 1
                if len(results.samples) < 5:
                    results.samples.append(f"POST {status}: {body[:300]!r}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))] if ordered else float("nan")


def wait_until_up(port: int, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            if request(port, "GET", "/api/v1/locations")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 30 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)  # the master stops its workers gracefully
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)  # its own session, started by us
        server.wait(timeout=10)


def report(args, results: Results, elapsed: float, database: str) -> None:
    created = sum(n for (_, status), n in results.posts.items() if status == 201)
    lost = sum(n for (_, status), n in results.posts.items() if status == 409)
    posts = sum(results.posts.values())
    print(f"\n{args.clients} clients, {elapsed:.1f} s, gunicorn -w {args.workers}, PostgreSQL {database}")
    print(
        f"availability GETs: {len(results.get_ms)}  p50 {percentile(results.get_ms, 0.5):.1f} ms  "
        f"p99 {percentile(results.get_ms, 0.99):.1f} ms  (days with no slot left: {results.empty_days})"
    )
    all_posts = [ms for values in results.post_ms.values() for ms in values]
    print(f"booking POSTs: {posts}  p50 {percentile(all_posts, 0.5):.1f} ms  p99 {percentile(all_posts, 0.99):.1f} ms")
    for status in sorted(results.post_ms):
        values = results.post_ms[status]
        print(
            f"  {status}: {len(values):>6}  p50 {percentile(values, 0.5):.1f} ms  p99 {percentile(values, 0.99):.1f} ms"
        )
    for named in (True, False):
        label = "named provider" if named else "anyone        "
        print(f"  {label}: 201 {results.posts[(named, 201)]:>6}   409 {results.posts[(named, 409)]:>6}")
    print(f"bookings/s: {created / elapsed:.1f}   lost races (409): {lost}")
    for detail, count in results.conflicts.most_common():
        print(f"  409 {count:>5}  {detail}")
    print(f"other statuses / errors: {sum(results.others.values())} {dict(results.others) or ''}")
    for sample in results.samples:
        print(f"  {sample}")


def check_database(args, database: str, var_dir: Path) -> int:
    rows = psql(args, database, "SELECT status, count(*) FROM bookings_appointment GROUP BY status ORDER BY status")
    print(f"appointments by status: {rows.replace(chr(10), ', ') or 'none'}")
    patients = psql(args, database, "SELECT count(*) FROM bookings_patient")
    print(f"patients: {patients}")
    constraint = psql(
        args, database, "SELECT count(*) FROM pg_constraint WHERE conname = 'appointment_no_overlap_per_provider'"
    )
    print(f"exclusion constraint appointment_no_overlap_per_provider present: {constraint == '1'}")
    overlaps = int(psql(args, database, OVERLAPS))
    print(f"overlapping pairs of blocking appointments (same provider): {overlaps}")
    queue = var_dir / "celery" / "queue"
    queued = len(list(queue.iterdir())) if queue.is_dir() else 0
    print(f"confirmation tasks queued on the filesystem broker: {queued}")
    return overlaps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--days", type=int, default=30, help="book over the next N days (fewer: more races)")
    parser.add_argument("--provider-share", type=float, default=0.5, help="share of bookings naming the provider")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-user", default="postgres")
    args = parser.parse_args()
    if args.pg_host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("--pg-host: this benchmark talks to the local machine only")

    # Ctrl-C raises KeyboardInterrupt; make SIGTERM do the same so the cleanup below runs.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    database = f"medspa_load_{os.getpid()}"
    scratch = tempfile.TemporaryDirectory(prefix="medspa-load-")
    var_dir = Path(scratch.name) / "var"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "medspa.settings",
        "DATABASE_URL": f"postgres://{args.pg_user}@{args.pg_host}:{args.pg_port}/{database}",
        "DJANGO_DEBUG": "1",
        "ALLOWED_HOSTS": HOST,
        "VAR_DIR": str(var_dir),
        "CELERY_BROKER_URL": "",  # the filesystem broker in VAR_DIR
        "CELERY_RESULT_BACKEND": "",
        "EMAIL_URL": "",
        # Every simulated client shares 127.0.0.1: the per-address limits would stop the load at once.
        "RATE_LIMIT_ENABLED": "0",
        "BOOKING_MAX_OPEN_ONLINE": "0",
    }
    server = None
    created_db = False
    stop = threading.Event()
    try:
        subprocess.run(["createdb", *pg_args(args), database], check=True, timeout=60)
        created_db = True
        manage = [str(PYTHON), "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300)
        subprocess.run([*manage, "shell", "-v", "0", "-c", SEED], cwd=ROOT, env=env, check=True, timeout=120)

        port = free_port()
        log_path = Path(scratch.name) / "gunicorn.log"
        with open(log_path, "wb") as log:
            server = subprocess.Popen(
                [str(GUNICORN), "medspa.wsgi", "-w", str(args.workers), "-b", f"{HOST}:{port}", "--timeout", "60"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches us, and we stop it in order
            )
        wait_until_up(port, server)

        today = datetime.now(ZoneInfo(ZONE)).date()
        days = [(today + timedelta(days=offset)).isoformat() for offset in range(1, args.days + 1)]
        print(f"database {database}; gunicorn -w {args.workers} on {HOST}:{port}; days {days[0]}..{days[-1]}")
        print(f"{args.clients} clients for {args.seconds:g} s ...", flush=True)
        results = Results()
        threads = [
            threading.Thread(target=client, args=(n, args, port, days, stop, results), daemon=True)
            for n in range(args.clients)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        time.sleep(args.seconds)
        stop.set()
        for thread in threads:
            thread.join(timeout=120)  # a request in flight finishes (or times out after 60 s)
        elapsed = time.perf_counter() - started
        stuck = sum(thread.is_alive() for thread in threads)
        if stuck:
            print(f"warning: {stuck} clients still waiting on a request")

        report(args, results, elapsed, database)
        stop_server(server)  # also closes its database connections before the checks and the drop
        overlaps = check_database(args, database, var_dir)
        if results.others:
            print(f"\nlast lines of the gunicorn log ({log_path}):")
            print("\n".join(log_path.read_text(errors="replace").splitlines()[-40:]))
        return 1 if overlaps or results.others else 0
    except KeyboardInterrupt:
        print("\ninterrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        stop.set()
        if server is not None:
            stop_server(server)
        if created_db:
            subprocess.run(["dropdb", *pg_args(args), "--force", "--if-exists", database], check=False, timeout=60)
        scratch.cleanup()


if __name__ == "__main__":
    sys.exit(main())
