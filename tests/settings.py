"""Settings for the test suite: the app's own, on the embedded development defaults.

DATABASE_URL and CELERY_BROKER_URL still choose the database and the broker, so CI runs the
same suite on PostgreSQL and Redis.
"""

import os
from pathlib import Path

os.environ.setdefault("DJANGO_DEBUG", "1")
# Keep the suite's embedded state (filesystem broker, mail files) apart from `make run`'s. Set in
# the environment so the Celery worker the tests start finds the same folders.
os.environ.setdefault("VAR_DIR", str(Path(__file__).resolve().parent.parent / "var" / "test"))

from medspa.settings import *  # noqa: F403

# Hashing demo passwords at full strength makes the suite slow and tests nothing of ours.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests race threads against one database; SQLite's in-memory test database cannot take the
# file locks that serialize them, so it lives in a file.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
