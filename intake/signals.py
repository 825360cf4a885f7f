"""Intake listens to bookings: what it must do when something happens to an appointment."""

from django.dispatch import receiver

from bookings import signals as bookings

from . import services


@receiver(bookings.appointment_identity_verified, dispatch_uid="intake.identity_verified")
def on_identity_verified(sender, appointment, now, **kwargs) -> None:
    services.intake_identity_verified(appointment=appointment, now=now)
