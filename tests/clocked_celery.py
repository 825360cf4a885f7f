"""`WORKER_CLOCK_AT=<ISO instant> python -m tests.clocked_celery -A medspa worker …`: a real Celery
worker whose clock starts at that instant and ticks on (time-machine), so a test can hand the worker
"four hours later" without sleeping four hours. Used by `celery_worker(clock_at=…)` in conftest."""

import os
import sys
from datetime import datetime

import time_machine

if __name__ == "__main__":
    instant = datetime.fromisoformat(os.environ["WORKER_CLOCK_AT"])
    if instant.tzinfo is None:
        raise SystemExit(f"WORKER_CLOCK_AT needs a UTC offset: {instant!r}")
    time_machine.travel(instant, tick=True).start()
    from celery.__main__ import main

    sys.argv = ["celery", *sys.argv[1:]]
    sys.exit(main())
