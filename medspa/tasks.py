from celery import shared_task
from django.core.management import call_command


@shared_task(ignore_result=False)
def ping() -> str:
    """Answers "pong": a health check that a worker is consuming the broker."""
    return "pong"


@shared_task
def sessions_clear() -> None:
    """Deletes expired sessions (Django keeps them until something clears them)."""
    call_command("clearsessions")
