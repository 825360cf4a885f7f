from celery import shared_task

from . import emails


@shared_task
def appointment_confirmation_send(appointment_id: int) -> None:
    """Email the booking confirmation, once (the appointment row records that it went)."""
    emails.confirmation_send(appointment_id=appointment_id)
