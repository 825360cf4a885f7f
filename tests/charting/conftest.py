from datetime import UTC, datetime, timedelta

import pytest

from intake.models import Consent, ConsentText, MedicalHistory, ScreeningHit
from intake.screening import RULES, Severity
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


def history_for(appointment, *, intake_status: str) -> MedicalHistory | None:
    """The intake behind a status, as the gate reads it: none (not started), a clean history (complete)
    or one with a review hit no injector has decided on (flagged)."""
    if intake_status == "not_started":
        return None
    answers = {rule.code: "no" for rule in RULES}
    if intake_status == "flagged":
        answers["bleeding"] = "yes"
    history = MedicalHistory.objects.create(
        patient=appointment.patient, appointment=appointment, version=1 + appointment.patient.medical_histories.count(),
        form_version="2026-11", answers=answers, submitted_at=appointment.start - timedelta(days=1),
    )  # fmt: skip
    if intake_status == "flagged":
        ScreeningHit.objects.create(history=history, code="bleeding", severity=Severity.REVIEW, detail="Aspirin")
    return history


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
        history_for(appointment, intake_status=intake_status)
        if consent:
            consent_for(appointment)
        return appointment

    return make


@pytest.fixture
def visit(make_visit):
    return make_visit()
