"""The opt-out link every message carries.

It names the message by a random key (never the patient's sequential id) and the channel, signed,
and works for OPT_OUT_LINK_DAYS after the message was sent. Links in messages sent before the key
existed ("<patient id>-<channel>", signed) keep working while the patient was sent a message on
that channel within the same number of days, so every old link has expired that long after this
change.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing

from bookings.models import Patient
from bookings.tokens import ManageLinkExpired, ManageLinkInvalid

from .models import Message, new_link_key

CHANNELS = {"e": "email", "s": "sms"}


def _signer() -> signing.Signer:
    return signing.Signer(salt="reminders.opt-out.message", sep=".")


def _legacy_signer() -> signing.Signer:
    return signing.Signer(salt="reminders.opt-out", sep=".")


def _lifetime() -> timedelta:
    return timedelta(days=settings.OPT_OUT_LINK_DAYS)


def opt_out_token(message: Message, channel: str) -> str:
    if not message.link_key:  # a message queued before keys existed, sent now: give it one
        message.link_key = new_link_key()
        Message.objects.filter(pk=message.pk).update(link_key=message.link_key)
    return _signer().sign(f"{channel[0]}{message.link_key}")


def opt_out_from_token(token: str, *, now: datetime) -> tuple[Patient, str]:
    """(patient, "email" | "sms"); ManageLinkInvalid if we never signed it, ManageLinkExpired when it is too old."""
    try:
        value = _signer().unsign(token)
    except signing.BadSignature:
        return _legacy(token, now=now)
    channel = CHANNELS.get(value[:1])
    message = Message.objects.select_related("patient").filter(link_key=value[1:]).first()
    if channel is None or message is None:
        raise ManageLinkInvalid
    if now > (message.sent_at or message.due_at) + _lifetime():
        raise ManageLinkExpired
    return message.patient, channel


def _legacy(token: str, *, now: datetime) -> tuple[Patient, str]:
    try:
        pk, channel = _legacy_signer().unsign(token).split("-")
    except (signing.BadSignature, ValueError) as exc:
        raise ManageLinkInvalid from exc
    patient = Patient.objects.filter(pk=pk).first()
    if patient is None or channel not in CHANNELS.values():
        raise ManageLinkInvalid
    recent = patient.messages.filter(sent_channel=channel, sent_at__gte=now - _lifetime())
    if not recent.exists():
        raise ManageLinkExpired
    return patient, channel
