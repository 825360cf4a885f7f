import base64
import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Source
from bookings.services import PatientDetails, appointment_book
from bookings.tokens import manage_token
from tests.bookings.conftest import at, next_weekday
from tests.factories import ConsentTextFactory
from tests.factories.intake import all_no, png_bytes  # noqa: F401  (imported from here by the tests)


def png_data_url() -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes()).decode()


@pytest.fixture
def consent_text(clinic):
    return ConsentTextFactory(service=clinic.service, version=1, title="Consent to treatment",
                              body="I agree to be treated.")  # fmt: skip


@pytest.fixture
def booked(clinic):
    """An appointment next week for Ada Park, and its token."""

    def make(hour: int = 10, *, weeks: int = 0, dob: date = date(1990, 5, 6)):
        appointment = appointment_book(
            service=clinic.service,
            start=at(next_weekday(0, at_least=2 + 7 * weeks), hour),
            now=timezone.now(),
            source=Source.ONLINE,
            details=PatientDetails("Ada", "Park", "ada@example.com", "+19415550199", dob),
        )
        return appointment, manage_token(appointment)

    return make


def code_from_outbox(appointment) -> str:
    """The code in the newest identity-code email written to the outbox for this appointment."""
    from reminders.models import Message
    from reminders.render import render

    message = Message.objects.filter(appointment=appointment, kind="identity-code").latest("created_at", "pk")
    _subject, text, _html, _attachments = render(message, "email")
    return re.search(r"your code is (\d{6})", text).group(1)


def verify_by_code(client, appointment, token) -> None:
    """Do what a returning patient does: ask for a code, read it in the email on file, enter it."""
    url = reverse("intake:verify", args=[token])
    client.post(url, {"action": "send"})
    response = client.post(url, {"action": "check", "code": code_from_outbox(appointment)})
    assert response.status_code == 302, response.content.decode()
    appointment.refresh_from_db()
    assert appointment.identity_verified


from tests.intake.gate_helpers import clock, toxin, visit  # noqa: E402, F401  (fixtures of the gate tests)
