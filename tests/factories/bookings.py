"""The front office: locations, providers and their hours and time off, patients, appointments and
what hangs off them (events, waitlist entries, identity codes, contact proposals).

An appointment written here skips the booking service (its availability check, its signals: no
outbox rows, no intake refresh). Tests of booking itself call `bookings.services.appointment_book`.
"""

import secrets
from datetime import UTC, date, datetime, time, timedelta

import factory
from django.utils import timezone

from bookings.models import (
    BLOCKING_STATUSES,
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    ContactProposal,
    Device,
    EmbedOrigin,
    EventKind,
    IdentityCode,
    Location,
    Patient,
    Provider,
    Room,
    Source,
    TimeOff,
    WaitlistEntry,
    WaitlistStatus,
    WorkingHours,
)
from bookings.services.identity import CODE_LIFETIME
from bookings.tokens import identity_code_hash, identity_code_value

from .treatments import ServiceFactory
from .users import UserFactory

# Tuesday, December 1 2026, 10:00 in New York (the Sarasota location's zone).
DEFAULT_START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"location-{n}")
    name = factory.Sequence(lambda n: f"Location {n}")
    address = "1 Main Street"
    timezone = "America/New_York"


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, is_staff=True, first_name="Ivy", last_name=factory.Sequence(str))
    title = "Nurse injector"
    credentials = "RN"

    @factory.post_generation
    def services(self, create, extracted, **kwargs):
        if create and extracted:
            self.services.set(extracted)


class WorkingHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingHours

    provider = factory.SubFactory(ProviderFactory)
    location = factory.SubFactory(LocationFactory)
    weekday = 0
    start = time(9)
    end = time(17)


class EmbedOriginFactory(factory.django.DjangoModelFactory):
    """A website a manager allowed to show the booking (`/embed/book/`)."""

    class Meta:
        model = EmbedOrigin
        django_get_or_create = ("origin",)

    origin = factory.Sequence(lambda n: f"https://clinic{n}.example")


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    location = factory.SubFactory(LocationFactory, slug="sarasota", name="Sarasota")
    name = factory.Sequence(lambda n: f"Room {n}")


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    location = factory.SubFactory(LocationFactory, slug="sarasota", name="Sarasota")
    name = factory.Sequence(lambda n: f"Ultrasound {n}")
    kind = "ultrasound"


class TimeOffFactory(factory.django.DjangoModelFactory):
    """An afternoon away, the day after the appointments' default day."""

    class Meta:
        model = TimeOff

    provider = factory.SubFactory(ProviderFactory)
    start = DEFAULT_START + timedelta(days=1, hours=3)
    end = factory.LazyAttribute(lambda t: t.start + timedelta(hours=3))
    reason = "Training"


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Patient{n}")
    date_of_birth = date(1985, 6, 1)
    email = factory.Sequence(lambda n: f"patient{n}@example.com")
    phone = "+19415550100"


def _first_free_start(a) -> datetime:
    """DEFAULT_START, or the first time after it the provider is free for this visit and its
    buffers: one provider's blocking appointments never overlap (PostgreSQL refuses it)."""
    start, provider = DEFAULT_START, a.provider
    if provider.pk is None or a.status not in BLOCKING_STATUSES:
        return start
    service = a.service
    before, after = service.buffer_before, service.buffer_after
    taken = (
        Appointment.objects.blocking()
        .filter(provider=provider, busy_until__gt=start - before)
        .order_by("busy_from")
        .values_list("busy_from", "busy_until")
    )
    for busy_from, busy_until in taken:
        if start + service.duration + after <= busy_from:
            break
        start = max(start, busy_until + before)
    return start


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A booked appointment written directly (no availability check): for tests of what comes after.

    It starts at DEFAULT_START, or at the provider's first free time after it, unless given; its
    busy range is the visit widened by the service's buffers, as booking makes it. The services are
    for tests of booking itself. `booked_event=True` also writes the "booked" event booking writes.
    """

    class Meta:
        model = Appointment
        skip_postgeneration_save = True

    patient = factory.SubFactory(PatientFactory)
    provider = factory.SubFactory(ProviderFactory)
    location = factory.SubFactory(LocationFactory, slug="sarasota", name="Sarasota")
    service = factory.SubFactory(ServiceFactory, is_toxin_treatment=True)
    status = AppointmentStatus.BOOKED
    start = factory.LazyAttribute(_first_free_start)
    end = factory.LazyAttribute(lambda a: a.start + a.service.duration)
    busy_from = factory.LazyAttribute(lambda a: a.start - a.service.buffer_before)
    busy_until = factory.LazyAttribute(lambda a: a.end + a.service.buffer_after)
    source = Source.DESK
    identity_verified = True

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas.set(extracted)

    @factory.post_generation
    def booked_event(self, create, extracted, **kwargs):
        if create and extracted:
            AppointmentEventFactory(appointment=self, kind=EventKind.BOOKED, **kwargs)


class AppointmentEventFactory(factory.django.DjangoModelFactory):
    """By default the "booked" event, as booking writes it: now, by whoever booked, noting from where."""

    class Meta:
        model = AppointmentEvent

    appointment = factory.SubFactory(AppointmentFactory)
    kind = EventKind.BOOKED
    at = factory.LazyFunction(timezone.now)
    actor = factory.LazyAttribute(lambda e: e.appointment.booked_by)
    note = factory.LazyAttribute(lambda e: Source(e.appointment.source).label if e.kind == EventKind.BOOKED else "")


class WaitlistEntryFactory(factory.django.DjangoModelFactory):
    """Waiting for a service with anyone, anywhere, in the two weeks from the appointments' default day."""

    class Meta:
        model = WaitlistEntry

    patient = factory.SubFactory(PatientFactory)
    service = factory.SubFactory(ServiceFactory)
    earliest = DEFAULT_START.date()
    latest = factory.LazyAttribute(lambda w: w.earliest + timedelta(days=14))
    status = WaitlistStatus.WAITING
    source = Source.DESK


class IdentityCodeFactory(factory.django.DjangoModelFactory):
    """A live code for an online booking that matched an existing patient; its six digits are
    `bookings.tokens.identity_code_value(code.nonce)`."""

    class Meta:
        model = IdentityCode

    appointment = factory.SubFactory(AppointmentFactory, source=Source.ONLINE, identity_verified=False)
    nonce = factory.LazyFunction(lambda: secrets.token_hex(16))
    code_hash = factory.LazyAttribute(lambda c: identity_code_hash(c.nonce, identity_code_value(c.nonce)))
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda c: c.created_at + CODE_LIFETIME)


class ContactProposalFactory(factory.django.DjangoModelFactory):
    """What an unproven online booking said about the patient of its appointment, for front desk."""

    class Meta:
        model = ContactProposal

    appointment = factory.SubFactory(AppointmentFactory, source=Source.ONLINE, identity_verified=False)
    patient = factory.LazyAttribute(lambda p: p.appointment.patient)
    first_name = factory.LazyAttribute(lambda p: p.patient.first_name)
    last_name = factory.LazyAttribute(lambda p: p.patient.last_name)
    email = factory.Sequence(lambda n: f"new-address{n}@example.com")
    phone = "+19415550177"
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyAttribute(lambda p: p.created_at)
