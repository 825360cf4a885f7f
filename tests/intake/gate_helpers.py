"""A toxin treatment booked at the desk for Ada Park, on a pinned clock, and her intake driven as the
patient's browser sends it: shared by the gate and decision tests."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.utils import timezone

from bookings.models import Source
from bookings.services import PatientDetails, appointment_book
from bookings.tokens import manage_token
from tests.bookings.conftest import at, next_weekday
from tests.factories import ConsentTextFactory, ServiceFactory
from tests.intake.conftest import all_no, png_data_url
from tests.intake.test_intake_flow import step_url

NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)  # a Monday, 10:00 in New York
ADA = ("Ada", "Park", "ada@example.com", "+19415550199")


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def toxin(clinic):
    service = ServiceFactory(slug="toxin", name="Toxin treatment", is_toxin_treatment=True,
                             buffer_before_minutes=0, buffer_after_minutes=0)  # fmt: skip
    clinic.provider.services.add(service)
    ConsentTextFactory(service=service, version=1, title="Consent to toxin treatment", body="I agree.")
    return service


@pytest.fixture
def visit(clock, clinic, toxin):
    """Book the toxin treatment (front desk: the patient is who they say); returns it and its link's token."""

    def make(*, hour: int = 10, dob: date = date(1990, 5, 6), source: str = Source.DESK, patient=None):
        appointment = appointment_book(
            service=toxin,
            start=at(next_weekday(2), hour),
            now=timezone.now(),
            source=source,
            patient=patient,
            details=None if patient else PatientDetails(*ADA, dob),
        )
        return appointment, manage_token(appointment)

    return make


def intake(client, token, answers=None, *, sign=True):
    """The patient's four steps, as the browser posts them."""
    client.post(step_url(token, "contact"), {"email": "ada@example.com", "phone": "941-555-0199"})
    client.post(step_url(token, "history"), {**all_no(), **(answers or {})})
    client.post(step_url(token, "goals"), {"areas": [], "stronger_side": "left", "notes": ""})
    consent = {"agree": "on", "typed_name": "Ada Park", "signature": png_data_url(), "strokes": "3"} if sign else {}
    return client.post(step_url(token, "consent"), consent, follow=True)
