"""Lighthouse (npm `lighthouse`, pinned in package.json) on the patient's pages, mobile profile.

    npm ci && .venv/bin/python bench/lighthouse.py [--runs 1]

Starts gunicorn as the ceiling bench does (production settings: DEBUG off, hashed and compressed
static files through WhiteNoise, no rate limits) on a fresh PostgreSQL database with the demo
clinic, then runs Lighthouse in Debian's Chromium (CHROME_PATH, /usr/bin/chromium by default) on
the home page, a treatment area's page and /book/ with its default mobile emulation and throttling.
Prints performance, accessibility, best practices and SEO for each page (0–100; the target is 95
each) and the audits that cost points. With --runs N, each score is the median of N runs.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ceiling import BIN, ROOT, free_port, manage, psql, server_env

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = " ".join(
    ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
     "--disable-component-update", "--disable-sync"]
)  # fmt: skip


def area_slug(env: dict[str, str]) -> str:
    script = (
        "import django; django.setup()\n"
        "from treatments.models import TreatmentArea\n"
        "print(TreatmentArea.objects.active().order_by('sort_order', 'pk').first().slug)\n"
    )
    return subprocess.run(
        [str(BIN / "python"), "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def lighthouse(url: str, out: Path) -> dict:
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(
        [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
         f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"],
        env=env, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return json.loads(out.read_text())


def lost_points(report: dict) -> list[str]:
    """The audits that are weighed in a category's score and did not pass."""
    weighed = {
        ref["id"] for category in report["categories"].values() for ref in category["auditRefs"] if ref["weight"]
    }
    return sorted(
        f"{audit_id} ({audit['score']:.2f})"
        for audit_id, audit in report["audits"].items()
        if audit_id in weighed and audit.get("score") is not None and audit["score"] < 1
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page (median score)")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is missing: run `npm ci` first")

    database = f"medspa_lighthouse_{os.getpid()}"
    port = free_port()
    env = server_env(database, port, workers=2, threads=4)
    psql(f"CREATE DATABASE {database}")
    server = None
    try:
        manage(env, "migrate", "--noinput")
        manage(env, "demo_seed", "--force")
        manage(env, "collectstatic", "--noinput")
        pages = [("home", "/"), ("area", f"/treatments/{area_slug(env)}/"), ("/book/", "/book/")]
        with tempfile.TemporaryFile() as log, tempfile.TemporaryDirectory() as scratch:
            server = subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null", "medspa.wsgi"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True,
            )  # fmt: skip
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/", timeout=1)  # noqa: S310 (our own http server)
                    break
                except OSError:
                    time.sleep(0.2)
            else:
                log.seek(0)
                raise SystemExit("gunicorn did not start:\n" + log.read().decode()[-6000:])
            version = subprocess.run([str(LIGHTHOUSE), "--version"], capture_output=True, text=True).stdout.strip()
            runs = f"{args.runs} run{'s' if args.runs != 1 else ''}"
            print(f"Lighthouse {version}, mobile, {runs} per page; load average {os.getloadavg()[0]:.1f}")
            print(f"{'page':10} {'performance':>12} {'accessibility':>14} {'best practices':>15} {'SEO':>5}")
            misses = {}
            for label, path in pages:
                scores = {category: [] for category in CATEGORIES}
                for run in range(args.runs):
                    report = lighthouse(base + path, Path(scratch) / f"{label.strip('/')}-{run}.json")
                    for category in CATEGORIES:
                        scores[category].append(round(report["categories"][category]["score"] * 100))
                    misses[label] = lost_points(report)
                median = {category: statistics.median(values) for category, values in scores.items()}
                print(f"{label:10} {median['performance']:12.0f} {median['accessibility']:14.0f} "
                      f"{median['best-practices']:15.0f} {median['seo']:5.0f}")  # fmt: skip
            for label, audits in misses.items():
                if audits:
                    print(f"{label}: points lost on {', '.join(audits)}")
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


if __name__ == "__main__":
    main()
