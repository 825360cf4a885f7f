from celery import shared_task
from django.utils import timezone

from . import emails


@shared_task
def appointment_confirmation_send(appointment_id: int) -> None:
    """Email the booking confirmation, once (the appointment row records that it went)."""
    emails.confirmation_send(appointment_id=appointment_id)


@shared_task
def confirmations_sweep() -> int:
    """Send confirmations whose task never ran (the broker was down at booking time). Beat, every minute."""
    return sum(emails.confirmation_send(appointment_id=pk) for pk in emails.confirmations_pending(now=timezone.now()))
