"""Requests per second of the patient's read path as a share of an empty JSON view, on gunicorn.

    .venv/bin/python bench/ceiling.py [--seconds 5] [--connections 8] [--workers 2] [--threads 4] [--rounds 3]

Starts gunicorn as `make run` does (gunicorn.conf.py, threaded workers, WhiteNoise) on a fresh
PostgreSQL database (127.0.0.1:5432, user postgres; its own name, dropped at the end) loaded
with `migrate` and the demo clinic (`demo_seed`), with production settings (DEBUG off, no access
log on the console, no rate limits). Then, in one run, it measures each path with `--connections` keep-alive
connections (http.client, in two client processes) for `--seconds` each, after a one-second
warm-up: an empty JSON view (bench/ceiling_app.py), availability for one provider and one day,
for every provider over 14 days, the home page, a treatment area's page and /book/. Every answer
must be a 200; the table gives requests per second and each as a share of the empty view.
The client shares the machine's cores with the server: compare shares within one run.

Availability is served as `make run` serves it: a repeated question is answered from what the
web process kept under the availability version (one small query). AVAILABILITY_CACHE=0 in the
environment measures every answer computed afresh.

It measures every path `--rounds` times, round after round, and each round's shares are taken
against that round's empty view: other work on the machine comes and goes, and a share computed
from measurements a minute apart says more about that than about the app. The table gives each
path's median requests per second and median share, and the lowest and highest share.
"""

import argparse
import http.client
import multiprocessing
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POSTGRES = "postgres://postgres@127.0.0.1:5432"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True, capture_output=True)


def server_env(database: str, port: int, workers: int, threads: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{POSTGRES}/{database}",
        DJANGO_DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        RATE_LIMIT_ENABLED="0",  # one address asking thousands of times is the point here
        PORT=str(port),
        WEB_CONCURRENCY=str(workers),
        WEB_THREADS=str(threads),
        VAR_DIR=env.get("VAR_DIR") or tempfile.mkdtemp(prefix="medspa-ceiling-"),
        DJANGO_SETTINGS_MODULE="medspa.settings",
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def paths(env: dict[str, str]) -> list[tuple[str, str]]:
    """The measured paths, from what the seeded database holds."""
    script = (
        "import django; django.setup()\n"
        "from bookings.models import WorkingHours\n"
        "from treatments.models import Service, TreatmentArea\n"
        "service = Service.objects.active().filter(bookable_online=True, providers__isnull=False).first()\n"
        "block = WorkingHours.objects.filter(provider__services=service).order_by('provider_id').first()\n"
        "from django.utils import timezone\n"
        "area = TreatmentArea.objects.active().order_by('sort_order', 'pk').first()\n"
        "print(service.slug, block.provider_id, block.weekday, area.slug, timezone.localdate())\n"
    )
    out = subprocess.run(
        [str(BIN / "python"), "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    service, provider, weekday, area = out[0], int(out[1]), int(out[2]), out[3]
    tomorrow = date.fromisoformat(out[4]) + timedelta(days=2)
    day = tomorrow + timedelta(days=(weekday - tomorrow.weekday()) % 7)
    return [
        ("empty JSON view", "/bench/empty/"),
        ("availability 1 provider x 1 day", f"/api/v1/availability?service={service}&date={day}&provider={provider}"),
        ("availability everyone x 14 days", f"/api/v1/availability?service={service}&date={tomorrow}&days=14"),
        ("home page", "/"),
        ("area page", f"/treatments/{area}/"),
        ("/book/", "/book/"),
    ]


def _client(port: int, path: str, threads: int, seconds: float, results) -> None:
    """One client process: `threads` keep-alive connections GETting `path` until the time is up."""
    counts = [0] * threads
    errors = [0] * threads
    deadline = time.monotonic() + seconds

    def loop(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < deadline:
            try:
                conn.request("GET", path, headers={"Host": "127.0.0.1"})
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    counts[i] += 1
                else:
                    errors[i] += 1
                if response.will_close:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            except (OSError, http.client.HTTPException):
                errors[i] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.close()

    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put((sum(counts), sum(errors)))


def measure(port: int, path: str, connections: int, seconds: float) -> tuple[float, int]:
    """(requests per second, answers that were not 200) over `seconds`."""
    processes = 2 if connections > 1 else 1
    results = multiprocessing.Queue()
    per = [connections // processes + (1 if i < connections % processes else 0) for i in range(processes)]
    started = time.monotonic()
    clients = [multiprocessing.Process(target=_client, args=(port, path, n, seconds, results)) for n in per]
    for client in clients:
        client.start()
    done = [results.get() for _ in clients]
    elapsed = time.monotonic() - started
    for client in clients:
        client.join()
    return sum(ok for ok, _ in done) / elapsed, sum(bad for _, bad in done)


def serve_and_measure(env: dict[str, str], port: int, args: argparse.Namespace, log) -> list[list[tuple[str, float]]]:
    manage(env, "migrate", "--noinput")
    manage(env, "demo_seed", "--force")
    manage(env, "collectstatic", "--noinput")  # production serves hashed, compressed files
    measured = paths(env)
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null", "bench.ceiling_app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/empty/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            log.seek(0)
            raise SystemExit("gunicorn did not start:\n" + log.read().decode()[-6000:])
        rounds = []
        for _ in range(args.rounds):
            rows = []
            for label, path in measured:
                measure(port, path, args.connections, 1)  # warm-up
                rate, bad = measure(port, path, args.connections, args.seconds)
                if bad:
                    log.seek(0)
                    raise SystemExit(f"{label}: {bad} answers were not 200 ({path})\n" + log.read().decode()[-3000:])
                rows.append((label, rate))
            rounds.append(rows)
        return rounds
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3, help="measure every path this many times (default 3)")
    args = parser.parse_args()

    database = f"medspa_ceiling_{os.getpid()}"
    port = free_port()
    env = server_env(database, port, args.workers, args.threads)
    psql(f"CREATE DATABASE {database}")
    try:
        with tempfile.TemporaryFile() as log:
            rounds = serve_and_measure(env, port, args, log)
    finally:
        psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    kept = "off: every answer computed" if env.get("AVAILABILITY_CACHE", "1") in ("0", "off", "false") else "on"
    print(f"gunicorn {args.workers} workers x {args.threads} threads, {args.connections} connections, "
          f"{args.seconds:g} s each, {args.rounds} round{'s' if args.rounds != 1 else ''}, PostgreSQL; "
          f"kept availability answers {kept}; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"{'path':34} {'req/s':>8} {'share':>7} {'lowest':>7} {'highest':>8}")
    for i, (label, _) in enumerate(rounds[0]):
        rates = [rows[i][1] for rows in rounds]
        shares = [rows[i][1] / rows[0][1] for rows in rounds]
        print(
            f"{label:34} {statistics.median(rates):8.0f} {statistics.median(shares):7.0%} "
            f"{min(shares):7.0%} {max(shares):8.0%}"
        )


if __name__ == "__main__":
    main()
