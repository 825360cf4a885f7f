from datetime import UTC, datetime

import pytest

from intake.models import Consent, MedicalHistory
from intake.screening import RULES, Severity
from tests.factories import (
    AppointmentFactory,
    ConsentFactory,
    MedicalHistoryFactory,
    PatientFactory,
    ProviderFactory,
    ScreeningHitFactory,
    ServiceFactory,
)

# Tuesday, December 1 2026, 10:00 in New York (the factories' Sarasota location).
VISIT_START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def consent_for(appointment) -> Consent:
    return ConsentFactory(appointment=appointment, typed_name="Pat", user_agent="test")


def history_for(appointment, *, intake_status: str) -> MedicalHistory | None:
    """The intake behind a status, as the gate reads it: none (not started), a clean history (complete)
    or one with a review hit no injector has decided on (flagged)."""
    if intake_status == "not_started":
        return None
    answers = {rule.code: "no" for rule in RULES}
    if intake_status == "flagged":
        answers["bleeding"] = "yes"
    history = MedicalHistoryFactory(appointment=appointment, answers=answers, goals={})
    if intake_status == "flagged":
        ScreeningHitFactory(history=history, code="bleeding", severity=Severity.REVIEW, detail="Aspirin")
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
