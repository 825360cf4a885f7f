"""The waitlist: patients who would take a time that frees up, offered it first come, first served."""

from datetime import date, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q

from treatments.models import Service

from .. import signals
from ..models import Appointment, Location, Patient, Provider, Source, WaitlistEntry, WaitlistStatus
from ..policy import booking_policy
from ..selectors import slot_check
from .booking import (
    BookingError,
    BookingInvalid,
    PatientDetails,
    SlotUnavailable,
    appointment_book,
    patient_match_or_create,
)


def waitlist_add(
    *,
    patient: Patient,
    service: Service,
    earliest: date,
    latest: date,
    source: Source,
    today: date,
    provider: Provider | None = None,
    location: Location | None = None,
    actor: AbstractBaseUser | None = None,
    note: str = "",
) -> WaitlistEntry:
    errors: dict[str, list[str]] = {}
    if earliest < today:
        errors["earliest"] = ["The first date can't be in the past."]
    if latest < earliest:
        errors["latest"] = ["The last date must be on or after the first."]
    horizon = today + timedelta(days=booking_policy().horizon_days)
    if latest > horizon:
        errors["latest"] = [f"We book up to {horizon:%B %-d}; choose a date before then."]
    if errors:
        raise BookingInvalid(errors)
    return WaitlistEntry.objects.create(
        patient=patient,
        service=service,
        provider=provider,
        location=location,
        earliest=earliest,
        latest=latest,
        source=source,
        created_by=actor,
        note=note,
    )


def waitlist_join_online(
    *,
    details: PatientDetails,
    service: Service,
    earliest: date,
    latest: date,
    today: date,
    provider: Provider | None = None,
    location: Location | None = None,
    note: str = "",
) -> WaitlistEntry:
    """Online, when no time suits: the patient (matched on email and date of birth, or new) and their
    entry, in one transaction. Dates the waitlist refuses raise BookingInvalid and leave no new
    patient behind. A match changes nothing of the record, as with a booking."""
    with transaction.atomic():
        patient, _created = patient_match_or_create(details=details)
        return waitlist_add(patient=patient, service=service, earliest=earliest, latest=latest, source=Source.ONLINE,
                            today=today, provider=provider, location=location, note=note)  # fmt: skip


def waitlist_remove(*, entry: WaitlistEntry) -> WaitlistEntry:
    entry.status = WaitlistStatus.REMOVED
    entry.save(update_fields=["status"])
    return entry


def waitlist_offer_freed_time(*, provider_id: int, location_id: int, start: datetime, now: datetime):
    """Offer a time that just freed up to the first waiting patient it suits. Returns the entry or None.

    First come, first served among entries whose dates, provider and location allow it and whose
    service fits there now. An offer that was never taken up and whose time has passed counts
    as waiting again.
    """
    if start < now + booking_policy().min_notice:
        return None
    location = Location.objects.get(pk=location_id)
    day = start.astimezone(location.zone).date()
    waiting = Q(status=WaitlistStatus.WAITING) | Q(status=WaitlistStatus.OFFERED, offered_start__lt=now)
    entries = (
        WaitlistEntry.objects.filter(waiting, earliest__lte=day, latest__gte=day)
        .filter(Q(provider__isnull=True) | Q(provider_id=provider_id))
        .filter(Q(location__isnull=True) | Q(location_id=location_id))
        .select_related("service", "patient")
        .order_by("created_at", "pk")[:50]
    )
    for entry in entries:
        if entry.service.is_toxin_treatment and entry.patient.treatment_hold:
            continue
        check = slot_check(
            service=entry.service, start=start, location=location, provider_ids=[provider_id], online=True
        )
        if not check.free:
            continue
        with transaction.atomic():
            entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
            entry.status = WaitlistStatus.OFFERED
            entry.offered_start, entry.offered_at = start, now
            entry.offered_provider_id, entry.offered_location_id = provider_id, location_id
            entry.offer_emailed_for = start  # the offer message is written now, in this transaction
            entry.save()
            # Reminders writes the offer into the outbox in this transaction (consent, opt-out, log).
            signals.waitlist_offer_made.send(sender=WaitlistEntry, entry=entry, now=now)
        return entry
    return None


def waitlist_offer_accept(*, entry: WaitlistEntry, now: datetime) -> Appointment:
    """Book the offered time if it is still free; otherwise the patient goes back to waiting.

    The entry is locked first, so a double submit (two clicks, two tabs) books once: the second
    finds the entry booked and gets the same appointment, never "someone else took it".
    """
    taken = False
    with transaction.atomic():
        locked = WaitlistEntry.objects.select_for_update(of=("self",)).select_related("appointment").get(pk=entry.pk)
        booked = locked.status == WaitlistStatus.BOOKED and locked.appointment is not None
        if booked and locked.offered_start == entry.offered_start:
            return locked.appointment  # this offer, already accepted (a double submit)
        if locked.status != WaitlistStatus.OFFERED or locked.offered_start is None:
            raise BookingError("This offer is no longer open.")
        try:
            appointment = appointment_book(
                service=entry.service,
                start=locked.offered_start,
                now=now,
                source=Source.ONLINE,
                patient=entry.patient,
                provider=entry.offered_provider,
                location=entry.offered_location,
            )
        except (SlotUnavailable, BookingInvalid):
            WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistStatus.WAITING, offered_start=None)
            taken = True
        else:
            WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistStatus.BOOKED, appointment=appointment)
    if taken:
        raise SlotUnavailable(
            "Sorry, someone else took that time first. You're still on the waitlist, and we'll write again."
        )
    return appointment
