"""Patients choose texts at booking: an explicit opt-in kept with its time and source, for a new
patient only; a booking that matches a patient on file changes nothing of theirs."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from bookings.models import SMS_CONSENT_TEXT, Appointment, Patient, Source
from bookings.services import PatientDetails, appointment_book
from tests.bookings.conftest import at, next_weekday
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

PATIENT = {
    "first_name": "Ada",
    "last_name": "Park",
    "email": "ada@example.com",
    "phone": "(941) 555-0199",
    "date_of_birth": "1990-05-06",
}


def _post(client, day, hour=10, **patient):
    body = {
        "service": "consult",
        "start": at(day, hour).isoformat(),
        "accept_policy": True,
        "patient": {**PATIENT, **patient},
    }
    return client.post("/api/v1/bookings", json.dumps(body), content_type="application/json")


@pytest.fixture
def day():
    return next_weekday(0)


def _comparable(body: dict) -> dict:
    """The answer without what differs between any two bookings."""
    return {k: v for k, v in body.items() if k not in {"reference", "manage_url"}}


def test_a_new_patient_who_ticks_the_opt_in_gets_texts_kept_with_time_and_source(client, clinic, day):
    response = _post(client, day, sms_consent=True, preferred_channel="sms")
    assert response.status_code == 201, response.content
    patient = Appointment.objects.get(reference=response.json()["reference"]).patient
    assert patient.consent_sms and patient.preferred_channel == "sms"
    assert patient.consent_sms_source == "Online booking"
    assert abs((patient.consent_sms_at - datetime.now(UTC)).total_seconds()) < 60


def test_without_the_opt_in_a_new_patient_gets_email_only(client, clinic, day):
    response = _post(client, day)
    assert response.status_code == 201, response.content
    patient = Patient.objects.get()
    assert (patient.consent_sms, patient.preferred_channel, patient.consent_sms_at) == (False, "email", None)
    assert patient.consent_sms_source == ""


def test_the_opt_in_with_email_as_channel_keeps_the_consent_and_email(client, clinic, day):
    assert _post(client, day, sms_consent=True, preferred_channel="email").status_code == 201
    patient = Patient.objects.get()
    assert patient.consent_sms and patient.preferred_channel == "email"


def test_a_booking_matching_a_patient_on_file_changes_neither_consent_nor_channel_and_answers_the_same(
    client, clinic, day
):
    on_file = PatientFactory(email="ada@example.com", date_of_birth=date(1990, 5, 6), phone="+19415550100")
    stranger = _post(client, day, hour=9, email="someone-new@example.com", sms_consent=True, preferred_channel="sms")
    matched = _post(client, day, hour=10, sms_consent=True, preferred_channel="sms")
    assert stranger.status_code == matched.status_code == 201
    on_file.refresh_from_db()
    assert (on_file.consent_sms, on_file.preferred_channel, on_file.consent_sms_at) == (False, "email", None)
    assert on_file.phone == "+19415550100"
    # Same keys, same kind of answer: nothing tells a stranger whether the patient exists.
    stranger_body, matched_body = stranger.json(), matched.json()
    assert set(stranger_body) == set(matched_body)
    for body in (stranger_body, matched_body):
        body.pop("start"), body.pop("end"), body.pop("cancellable_until")
    assert _comparable(stranger_body) == _comparable(matched_body)


def test_a_booking_matching_a_texting_patient_does_not_turn_their_texts_off(client, clinic, day):
    on_file = PatientFactory(email="ada@example.com", date_of_birth=date(1990, 5, 6), consent_sms=True,
                             preferred_channel="sms")  # fmt: skip
    assert _post(client, day).status_code == 201  # unticked, email
    on_file.refresh_from_db()
    assert on_file.consent_sms and on_file.preferred_channel == "sms"


def test_the_service_keeps_the_consent_time_it_is_given(clinic, day):
    now = at(day, 10) - timedelta(days=3, hours=5)
    appointment = appointment_book(
        service=clinic.service,
        start=at(day, 10),
        now=now,
        source=Source.ONLINE,
        details=PatientDetails("Ada", "Park", "ada@example.com", "+19415550199", date(1990, 5, 6), True, "sms"),
    )
    assert appointment.patient.consent_sms_at == now


def test_texts_without_consent_are_never_the_channel(clinic, day):
    appointment = appointment_book(
        service=clinic.service,
        start=at(day, 10),
        now=datetime.now(UTC),
        source=Source.ONLINE,
        details=PatientDetails("Ada", "Park", "ada@example.com", "+19415550199", date(1990, 5, 6), False, "sms"),
    )
    assert appointment.patient.preferred_channel == "email" and not appointment.patient.consent_sms


@pytest.mark.parametrize(
    ("patient", "field"),
    [
        ({"sms_consent": "yes"}, "patient.sms_consent"),
        ({"sms_consent": None}, "patient.sms_consent"),
        ({"preferred_channel": "pigeon"}, "patient.preferred_channel"),
        ({"preferred_channel": "sms"}, "patient.preferred_channel"),  # texts without the opt-in
        ({"preferred_channel": "sms", "sms_consent": False}, "patient.preferred_channel"),
    ],
)
def test_bad_texting_choices_are_a_400_naming_the_field_and_book_nothing(client, clinic, day, patient, field):
    response = _post(client, day, **patient)
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert field in errors and all(isinstance(m, str) and m for m in errors[field]), errors
    assert not Appointment.objects.exists() and not Patient.objects.exists()


def test_the_openapi_schema_describes_the_texting_choice(client):
    schema = client.get("/api/v1/schema").json()
    patient = schema["components"]["schemas"]["PatientIn"]["properties"]
    assert patient["sms_consent"]["type"] == "boolean" and patient["sms_consent"]["default"] is False
    assert SMS_CONSENT_TEXT in patient["sms_consent"]["description"]
    assert patient["preferred_channel"]["enum"] == ["email", "sms"]
    assert patient["preferred_channel"]["default"] == "email"
    required = schema["components"]["schemas"]["PatientIn"].get("required", [])
    assert "sms_consent" not in required and "preferred_channel" not in required
