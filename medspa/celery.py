"""The Celery app: settings come from Django's, under the CELERY_ namespace.

The broker only ever carries ids; the database row is the truth (DESIGN.md).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medspa.settings")

app = Celery("medspa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
