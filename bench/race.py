"""A hundred phones racing for one slot against a running server, such as `make run`.

    RATE_LIMIT_ENABLED=0 PORT=8000 make run      # in another terminal: one address is the point here
    .venv/bin/python bench/race.py [--url http://127.0.0.1:8000] [--clients 100] [--service SLUG]

Asks the server's availability for the service (the demo's consultation unless --service) from
two days ahead, takes the first free slot, then lets `--clients` threads (stdlib urllib, a new
connection each) POST /api/v1/bookings for it at the same instant, each as a different new
patient. Prints how many got 201 (must be exactly one), 409 (everyone else) and anything else:
other statuses, connection resets or time-outs (none may happen). Traffic goes to --url only,
which must be on this machine. Exits 1 unless it is one 201 and the rest 409s.
"""

import argparse
import json
import secrets
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (a URL on this machine)
        return json.loads(response.read())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--service", default="facial-balancing-consultation")
    args = parser.parse_args()
    if urllib.parse.urlsplit(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("--url: this benchmark talks to this machine only")

    first = datetime.now(UTC).date() + timedelta(days=2)
    found = get_json(f"{args.url}/api/v1/availability?service={args.service}&date={first}&days=14")
    if not found["slots"]:
        sys.exit(f"no free slot for {args.service} from {first}")
    slot = found["slots"][0]
    run = secrets.token_hex(4)  # new patients each run
    barrier = threading.Barrier(args.clients)
    answers: list[int | str] = [0] * args.clients

    def book(i: int) -> None:
        body = {
            "service": args.service,
            "start": slot["start"],
            "location": slot["location"],
            "accept_policy": True,
            "patient": {"first_name": "Pat", "last_name": f"Racer{i}", "email": f"racer{i}-{run}@example.com",
                        "phone": "+19415550100", "date_of_birth": "1990-01-01"},
        }  # fmt: skip
        request = urllib.request.Request(  # noqa: S310 (a URL on this machine)
            f"{args.url}/api/v1/bookings",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        barrier.wait(timeout=60)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                answers[i] = response.status
        except urllib.error.HTTPError as exc:
            answers[i] = exc.code
        except OSError as exc:  # a reset, a refused connection or a time-out: unanswered
            answers[i] = type(exc).__name__

    threads = [threading.Thread(target=book, args=(i,)) for i in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    counts = Counter(answers)
    others = {answer: n for answer, n in counts.items() if answer not in (201, 409)}
    print(f"{args.clients} clients booking {slot['start']} at {slot['location']} on {args.url}")
    print(f"201: {counts[201]}   409: {counts[409]}   other or unanswered: {sum(others.values())} {others or ''}")
    return 0 if counts[201] == 1 and counts[409] == args.clients - 1 else 1


if __name__ == "__main__":
    sys.exit(main())
