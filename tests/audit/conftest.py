from datetime import date

import pytest
from django.utils import timezone

from bookings.models import Source
from bookings.services import PatientDetails, appointment_book
from intake.services import consent_sign, history_submit
from tests.bookings.conftest import at, next_weekday
from tests.factories import ConsentTextFactory
from tests.intake.conftest import all_no, png_bytes


@pytest.fixture
def book(clinic):
    """Book the clinic's service for a patient (new or matched by email and birth date)."""

    def make(hour: int = 10, *, email: str = "ada@example.com", first: str = "Ada", days: int = 2):
        return appointment_book(
            service=clinic.service,
            start=at(next_weekday(0, at_least=days), hour),
            now=timezone.now(),
            source=Source.ONLINE,
            details=PatientDetails(first, "Park", email, "+19415550199", date(1990, 5, 6)),
        )

    return make


@pytest.fixture
def signed(clinic):
    """Submit an all-"no" history and sign consent for an appointment, as the patient would."""

    def make(appointment):
        text = ConsentTextFactory(service=clinic.service, title="Consent", body="I agree.")  # version 1
        history_submit(appointment=appointment, answers=all_no(), goals={}, unchanged=False, now=timezone.now())
        return consent_sign(appointment=appointment, text=text, typed_name="Ada Park", signature_png=png_bytes(),
                            ip_address="198.51.100.7", user_agent="Phone Safari", now=timezone.now())  # fmt: skip

    return make
