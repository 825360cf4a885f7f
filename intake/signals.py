"""What intake tells the apps above it (reminders), and how intake listens to bookings.

Intake's signals are sent inside the transaction that made the change, so a receiver's writes
(an outbox row) commit or roll back with it.
"""

from django.dispatch import Signal, receiver

from bookings import signals as bookings

# A two-week follow-up reported an urgent symptom: reminders writes the clinic's alert (no details).
follow_up_urgent = Signal()  # follow_up, now
# The patient submitted the intake through the booking's link (once per appointment): reminders tells
# the webhooks that asked, with ids and times only, never an answer or the screening's outcome.
intake_completed = Signal()  # appointment, now


@receiver(bookings.appointment_identity_verified, dispatch_uid="intake.identity_verified")
def on_identity_verified(sender, appointment, now, **kwargs) -> None:
    from . import services

    services.intake_identity_verified(appointment=appointment, now=now)
