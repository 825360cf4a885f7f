"""The opt-out link every message carries: one patient, one channel, no expiry."""

from django.core import signing

from bookings.models import Patient


def _signer() -> signing.Signer:
    return signing.Signer(salt="reminders.opt-out", sep=".")


def opt_out_token(patient: Patient, channel: str) -> str:
    return _signer().sign(f"{patient.pk}-{channel}")


def opt_out_from_token(token: str) -> tuple[Patient, str] | None:
    try:
        pk, channel = _signer().unsign(token).split("-")
    except (signing.BadSignature, ValueError):
        return None
    patient = Patient.objects.filter(pk=pk).first()
    if patient is None or channel not in ("email", "sms"):
        return None
    return patient, channel
