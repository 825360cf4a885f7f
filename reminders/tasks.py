from celery import shared_task

from . import services


@shared_task
def messages_send() -> int:
    """Send what is due (beat runs this every minute; bookings ask for it after a change commits)."""
    return services.messages_send_due()
