"""Signed manage links: a token opens its own booking only, and only until the appointment ends."""

from datetime import datetime

from django.core import signing
from django.urls import reverse
from django.utils.crypto import salted_hmac

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


def _waitlist_signer() -> signing.Signer:
    return signing.Signer(salt="bookings.waitlist", sep=".")


def waitlist_offer_token(entry) -> str:
    """Opens one offer: the entry and the offered time, so a later offer makes an older link stale."""
    return _waitlist_signer().sign(f"{entry.pk}-{int(entry.offered_start.timestamp())}")


def waitlist_entry_from_token(token: str):
    """The entry whose current offer this token names, or ManageLinkInvalid."""
    from .models import WaitlistEntry, WaitlistStatus

    try:
        value = _waitlist_signer().unsign(token)
        pk, stamp = (int(part) for part in value.split("-"))
    except (signing.BadSignature, ValueError) as exc:
        raise ManageLinkInvalid from exc
    entry = WaitlistEntry.objects.select_related("service", "patient", "offered_location", "offered_provider__user")
    entry = entry.filter(pk=pk).first()
    if entry is None:
        raise ManageLinkInvalid
    if entry.status != WaitlistStatus.OFFERED or entry.offered_start is None:
        raise ManageLinkExpired
    if int(entry.offered_start.timestamp()) != stamp:
        raise ManageLinkExpired
    return entry


def identity_code_value(nonce: str) -> str:
    """The six digits an identity code's nonce stands for (only the server, with SECRET_KEY, knows)."""
    digest = salted_hmac("bookings.identity-code.value", nonce).hexdigest()
    return f"{int(digest, 16) % 1_000_000:06d}"


def identity_code_hash(nonce: str, code: str) -> str:
    """What is stored and compared: a keyed hash of the code with its nonce."""
    return salted_hmac("bookings.identity-code.hash", f"{nonce}:{code}", algorithm="sha256").hexdigest()
