"""Signed manage links: a token opens its own booking only, and only until the appointment ends."""

from datetime import datetime

from django.core import signing
from django.urls import reverse

from .models import Appointment


def _signer() -> signing.Signer:
    # Made per call, so it signs with the current SECRET_KEY and accepts SECRET_KEY_FALLBACKS.
    return signing.Signer(salt="bookings.manage", sep=".")


class ManageLinkInvalid(Exception):
    """The token is not one we signed, or its booking is gone."""


class ManageLinkExpired(Exception):
    """The appointment is over; the link no longer opens it."""


def manage_token(appointment: Appointment) -> str:
    return _signer().sign(appointment.reference)


def manage_path(appointment: Appointment) -> str:
    return reverse("bookings:manage", args=[manage_token(appointment)])


def appointment_from_token(token: str, *, now: datetime) -> Appointment:
    try:
        reference = _signer().unsign(token)
    except signing.BadSignature as exc:
        raise ManageLinkInvalid from exc
    appointment = (
        Appointment.objects.select_related("service", "location", "provider__user", "patient")
        .filter(reference=reference)
        .first()
    )
    if appointment is None:
        raise ManageLinkInvalid
    if now >= appointment.end:
        raise ManageLinkExpired
    return appointment
