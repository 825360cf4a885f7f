"""Consent: a signature of one version of a text, and new versions of the texts."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Max

from bookings.models import Appointment
from medspa.middleware import CONTROL_CHARACTERS
from treatments.models import Service

from ..models import Consent, ConsentText, PhotoUse
from .access import ip_address_or_none
from .readiness import ready_refresh, treatment_ready_refresh


@dataclass(frozen=True)
class Signature:
    """What the consent step collects: the typed name, the drawn signature and where it came from."""

    typed_name: str
    signature_png: bytes
    ip_address: str | None
    user_agent: str
    method: str = "drawn"  # SignatureMethod: drawn on the pad, or the typed name drawn for them
    photo_use: str = PhotoUse.CLINICAL


def consent_record(*, appointment: Appointment, text: ConsentText, signature: Signature, now: datetime) -> Consent:
    """Keep the signature (immutable once written). In the caller's transaction; the gate is the caller's."""
    return Consent.objects.create(
        patient=appointment.patient,
        appointment=appointment,
        text=text,
        typed_name=signature.typed_name,
        signature_png=signature.signature_png,
        signature_method=signature.method,
        signed_at=now,
        ip_address=ip_address_or_none(signature.ip_address),
        user_agent=CONTROL_CHARACTERS.sub("", signature.user_agent)[:400],
        unverified=not appointment.identity_verified,
        photo_use=signature.photo_use if signature.photo_use in PhotoUse.values else PhotoUse.CLINICAL,
    )


def consent_sign(
    *,
    appointment: Appointment,
    text: ConsentText,
    typed_name: str,
    signature_png: bytes,
    ip_address: str | None,
    user_agent: str,
    now: datetime,
    photo_use: str = PhotoUse.CLINICAL,
) -> Consent:
    """A signature on its own (the intake's consent step goes through `intake_submit`)."""
    signature = Signature(typed_name=typed_name, signature_png=signature_png, ip_address=ip_address,
                          user_agent=user_agent, photo_use=photo_use)  # fmt: skip
    with transaction.atomic():
        consent = consent_record(appointment=appointment, text=text, signature=signature, now=now)
        treatment_ready_refresh(appointment=appointment, now=now)
    return consent


def consent_text_publish(*, service: Service | None, title: str, body: str, now: datetime) -> ConsentText:
    """A new version of a consent text (for one service, or the general one). Signatures of older
    versions stop counting, so every upcoming appointment that uses it is not ready until signed again."""
    with transaction.atomic():
        latest = ConsentText.objects.filter(service=service).aggregate(v=Max("version"))["v"] or 0
        text = ConsentText.objects.create(service=service, version=latest + 1, title=title, body=body)
        if service is not None:
            affected = Appointment.objects.filter(service=service)
        else:  # the general text: every service without its own
            own = ConsentText.objects.filter(service__isnull=False).values("service")
            affected = Appointment.objects.exclude(service__in=own)
        ready_refresh(affected, now=now)
    return text
