"""A small clinic whose every figure can be counted by hand.

Two locations in different zones (Sarasota on New York time, Scottsdale on Phoenix time, which
keeps no daylight saving), two injectors, the three kinds of service. Visits are written directly
with the factories (the report reads rows; how they were made does not matter to it), and each
test says which visits it writes and what it expects of them.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from bookings.models import Appointment, ChartState, TimeOff
from intake.models import MedicalHistory
from tests.factories import (
    AppointmentFactory,
    InjectionSiteFactory,
    LocationFactory,
    LotUseFactory,
    PatientFactory,
    ProviderFactory,
    ServiceFactory,
    SignedRecordFactory,
    TreatmentRecordFactory,
    WorkingHoursFactory,
)
from treatments.models import Product, ServiceKind, TreatmentArea

# Tuesday, September 1 2026, noon in New York: long after the January visits' 180 days.
NOW = datetime(2026, 9, 1, 16, 0, tzinfo=UTC)


@pytest.fixture
def clinic(db):
    sarasota = LocationFactory(slug="sarasota", name="Sarasota", timezone="America/New_York", sort_order=0)
    scottsdale = LocationFactory(slug="scottsdale", name="Scottsdale", timezone="America/Phoenix", sort_order=1)
    services = SimpleNamespace(
        consult=ServiceFactory(slug="consult", kind=ServiceKind.CONSULTATION, duration_minutes=45),
        treatment=ServiceFactory(
            slug="treat", kind=ServiceKind.TREATMENT, duration_minutes=30, is_toxin_treatment=True
        ),
        review=ServiceFactory(slug="review", kind=ServiceKind.REVIEW, duration_minutes=15),
    )
    first = ProviderFactory(user__first_name="Imani", user__last_name="Osei", sort_order=0)
    second = ProviderFactory(user__first_name="Daniel", user__last_name="Park", credentials="MD", sort_order=1)
    return SimpleNamespace(sarasota=sarasota, scottsdale=scottsdale, services=services, first=first, second=second)


@dataclass
class Book:
    """Writes one appointment: `book(clinic.first, start, ...)`."""

    clinic: SimpleNamespace

    def __call__(
        self,
        provider,
        start: datetime,
        *,
        minutes: int | None = None,
        service: str = "treatment",
        status: str = "completed",
        patient=None,
        location=None,
        source: str = "desk",
        created: datetime | None = None,
        cancelled: datetime | None = None,
        chart_state: str = "",
    ) -> Appointment:
        service = getattr(self.clinic.services, service)
        end = start + timedelta(minutes=minutes or service.duration_minutes)
        if status == "completed" and service.kind == ServiceKind.TREATMENT and not chart_state:
            chart_state = ChartState.SIGNED
        appointment = AppointmentFactory(
            provider=provider, start=start, end=end, service=service, status=status,
            patient=patient or PatientFactory(), location=location or self.clinic.sarasota, source=source,
            cancelled_at=cancelled, chart_state=chart_state,
        )  # fmt: skip
        # created_at is auto_now_add: set when it was booked, as the report reads it.
        when = created or start - timedelta(days=7)
        Appointment.objects.filter(pk=appointment.pk).update(created_at=when)
        appointment.created_at = when
        return appointment


@pytest.fixture
def book(clinic):
    return Book(clinic)


def local(day: date, hour: int, minute: int = 0, zone: str = "America/New_York") -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone))


def hours(provider, location, weekday: int, start: time, end: time) -> None:
    WorkingHoursFactory(provider=provider, location=location, weekday=weekday, start=start, end=end)


def away(provider, start: datetime, end: datetime) -> None:
    TimeOff.objects.create(provider=provider, start=start, end=end)


def history(appointment: Appointment, submitted: datetime) -> MedicalHistory:
    """The patient's medical history for the appointment, submitted at `submitted`."""
    return MedicalHistory.objects.create(
        patient=appointment.patient, appointment=appointment, form_version="test", answers={},
        version=1 + MedicalHistory.objects.filter(patient=appointment.patient).count(), submitted_at=submitted,
    )  # fmt: skip


def injected(appointment: Appointment, product: str, sites: list[tuple[str, str, str]], *, signed: bool = True):
    """A treatment record of the appointment: `sites` are (area slug, side, units) of one product's lot."""
    factory = SignedRecordFactory if signed else TreatmentRecordFactory
    record = factory(appointment=appointment)
    lot = LotUseFactory(record=record, product=Product.objects.get(slug=product))
    for area, side, units in sites:
        InjectionSiteFactory(lot=lot, record=record, area=TreatmentArea.objects.get(slug=area), side=side,
                             units=Decimal(units))  # fmt: skip
    return record
