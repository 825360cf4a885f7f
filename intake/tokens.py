"""Patients reach their forms by signed links. Intake uses the booking's manage token (it opens
that appointment only, until it ends); the two-week follow-up has its own, valid for 60 days after."""

from datetime import datetime, timedelta

from django.core import signing

from bookings.models import Appointment
from bookings.tokens import ManageLinkExpired, ManageLinkInvalid, appointment_from_token

FOLLOW_UP_DAYS = 60

__all__ = ["ManageLinkExpired", "ManageLinkInvalid", "appointment_from_token", "follow_up_token"]


def _follow_up_signer() -> signing.Signer:
    return signing.Signer(salt="intake.follow-up", sep=".")


def follow_up_token(appointment: Appointment) -> str:
    return _follow_up_signer().sign(appointment.reference)


def appointment_for_follow_up(token: str, *, now: datetime) -> Appointment:
    try:
        reference = _follow_up_signer().unsign(token)
    except signing.BadSignature as exc:
        raise ManageLinkInvalid from exc
    appointment = (
        Appointment.objects.select_related("patient", "service", "location").filter(reference=reference).first()
    )
    if appointment is None:
        raise ManageLinkInvalid
    if now > appointment.end + timedelta(days=FOLLOW_UP_DAYS):
        raise ManageLinkExpired
    return appointment
