"""gunicorn's settings for `make run` (and a sound start for production): `gunicorn medspa.wsgi`
from the project folder reads this file.

Threaded workers: a booking spends its time waiting on the database, so a few processes with a
few threads each answer a small clinic's burst (thirty phones at once) without dropping anyone;
further requests wait in the listen backlog instead of being reset. SQLite serializes writers
with its IMMEDIATE transactions across processes; PostgreSQL has its exclusion constraint.
"""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", min(4, max(2, multiprocessing.cpu_count()))))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
backlog = 2048
# The longest request line gunicorn reads (its most, 4094 by default): a longer one is refused with
# gunicorn's own HTML 414 before the app can say which parameter is wrong; up to this the API
# answers with its field errors (a repeated or malformed parameter: 400).
limit_request_line = 8190
timeout = 30
graceful_timeout = 10
keepalive = 5
accesslog = "-"  # to the console, through Django's logging, which masks patients' tokens
errorlog = "-"
