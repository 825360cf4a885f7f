"""Charted visits for the reminders tests: a signed record with the products and areas given."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from bookings.models import AppointmentStatus, ChartState
from bookings.services import appointment_chart_state_set
from reminders.models import Message
from reminders.render import render
from reminders.services import timeline_on_completed
from tests.factories import AppointmentFactory, InjectionSiteFactory, LotUseFactory, SignedRecordFactory
from treatments.models import Product, Service, TreatmentArea

NEW_YORK = ZoneInfo("America/New_York")
TREATMENT, REVIEW = "neuromodulator-treatment", "two-week-review"


@dataclass(frozen=True)
class Given:
    product: str  # slug
    area: str  # slug
    side: str = "centre"
    units: str = "4"


def visit(start: datetime, *, service: str = TREATMENT, patient=None, location=None, booked_areas=(), **extra):
    """A completed appointment of the catalog's service, 30 minutes from `start`."""
    fields = {"service": Service.objects.get(slug=service), "start": start, "status": AppointmentStatus.COMPLETED}
    if patient is not None:
        fields["patient"] = patient
    if location is not None:
        fields["location"] = location
    appointment = AppointmentFactory(**fields, **extra)
    if booked_areas:
        appointment.areas.set(TreatmentArea.objects.filter(slug__in=booked_areas))
    return appointment


def chart(appointment, *given: Given):
    """Sign a record of what was given (one lot per product) and set the appointment's chart flags."""
    record = SignedRecordFactory(appointment=appointment)
    lots = {}
    for item in given:
        if item.product not in lots:
            lots[item.product] = LotUseFactory(record=record, product=Product.objects.get(slug=item.product))
        InjectionSiteFactory(
            lot=lots[item.product],
            area=TreatmentArea.objects.get(slug=item.area),
            side=item.side,
            units=Decimal(item.units),
        )
    appointment_chart_state_set(appointment=appointment, state=ChartState.SIGNED, toxin_given=True)
    appointment.refresh_from_db()
    return record


def complete(appointment) -> dict[str, Message]:
    """Plan the aftercare at the visit's end, with the clock there; the aftercare messages by step."""
    with time_machine.travel(appointment.end, tick=False):
        timeline_on_completed(appointment=appointment, now=appointment.end)
    return aftercare(appointment)


def aftercare(appointment) -> dict[str, Message]:
    return {m.step: m for m in Message.objects.filter(appointment=appointment, kind="aftercare")}


def local_day(moment: datetime, zone=NEW_YORK) -> date:
    return moment.astimezone(zone).date()


def words(message: Message, channel: str = "email") -> str:
    """What the patient reads on the channel, rendered with the clock at the message's due time."""
    with time_machine.travel(message.due_at, tick=False):
        subject, text, _html, _files = render(message, channel)
    return f"{subject}\n{text}"
