from datetime import UTC, datetime, timedelta

import pytest

from intake.models import Consent, ConsentText
from tests.factories import AppointmentFactory, PatientFactory, ProviderFactory, ServiceFactory

# Tuesday, December 1 2026, 10:00 in New York (the factories' Sarasota location).
VISIT_START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def consent_for(appointment) -> Consent:
    text = ConsentText.objects.filter(service=appointment.service).first() or ConsentText.objects.create(
        service=appointment.service, version=1, title="Consent", body="I agree."
    )
    return Consent.objects.create(
        patient=appointment.patient, appointment=appointment, text=text, typed_name="Pat",
        signature_png=b"\x89PNG\r\n", signed_at=appointment.start - timedelta(days=1), user_agent="test",
    )  # fmt: skip


@pytest.fixture
def toxin_service(db):
    return ServiceFactory(slug="toxin-treatment", name="Neuromodulator treatment", is_toxin_treatment=True,
                          duration_minutes=45)  # fmt: skip


@pytest.fixture
def provider(injector_user, toxin_service):
    return ProviderFactory(user=injector_user, services=[toxin_service])


@pytest.fixture
def patient(db):
    return PatientFactory(first_name="Mara", last_name="Lindqvist")


@pytest.fixture
def make_visit(provider, toxin_service, patient):
    """A visit of the patient: checked in, intake complete and consent signed unless told otherwise."""

    def make(start=VISIT_START, *, status="checked_in", intake_status="complete", consent=True, service=None):
        appointment = AppointmentFactory(patient=patient, provider=provider, service=service or toxin_service,
                                         start=start, status=status, intake_status=intake_status)  # fmt: skip
        if consent:
            consent_for(appointment)
        return appointment

    return make


@pytest.fixture
def visit(make_visit):
    return make_visit()
