"""The change history: every change to a patient, appointment, consent or screening decision is
kept with who made it (the signed-in user from the request; nobody for the patient online)."""

import pytest
from django.urls import reverse

from audit.models import TRACKED
from bookings.models import Appointment, Patient
from bookings.services import patient_treatment_hold_set
from intake.models import Consent, ScreeningDecision
from tests.html_forms import rendered_form

pytestmark = pytest.mark.django_db


def test_every_audited_model_has_a_history_in_the_audit_app():
    assert {model for model, _ in TRACKED} == {Patient, Appointment, Consent, ScreeningDecision}
    for model, _ in TRACKED:
        assert model.audit_history.model._meta.app_label == "audit"


def test_an_online_booking_is_recorded_without_a_user(book):
    appointment = book()
    (row,) = appointment.audit_history.all()
    assert (row.history_type, row.history_user, row.status) == ("+", None, "booked")
    assert appointment.patient.audit_history.get().history_type == "+"


def test_front_desk_checking_in_is_recorded_with_their_user(client, front_desk_user, book):
    appointment = book()
    client.force_login(front_desk_user)
    client.post(reverse("bookings:staff-appointment-action", args=[appointment.reference, "confirm"]))
    latest = appointment.audit_history.first()
    assert (latest.history_type, latest.history_user, latest.status) == ("~", front_desk_user, "confirmed")


def test_front_desk_editing_contact_details_is_recorded_with_their_user(client, front_desk_user, book):
    patient = book().patient
    client.force_login(front_desk_user)
    page = client.get(reverse("bookings:staff-patient", args=[patient.pk])).content.decode()
    data, _ = rendered_form(page)
    data.pop("q", None)
    response = client.post(reverse("bookings:staff-patient", args=[patient.pk]), {**data, "phone": "+19415550123"})
    assert response.status_code == 302
    latest = patient.audit_history.first()
    assert (latest.history_user, latest.phone) == (front_desk_user, "+19415550123")
    assert latest.prev_record.phone == "+19415550199"


def test_a_hold_set_by_a_service_is_recorded(book):
    patient = book().patient
    patient_treatment_hold_set(patient=patient, hold=True, reason="Screening: pregnancy")
    latest = patient.audit_history.first()
    assert (latest.treatment_hold, latest.treatment_hold_reason) == (True, "Screening: pregnancy")


def test_a_signed_consent_is_recorded_without_its_drawing(book, signed):
    consent = signed(book())
    row = consent.audit_history.get()
    assert (row.history_type, row.history_user, row.typed_name) == ("+", None, "Ada Park")
    assert not hasattr(row, "signature_png")


def test_an_injectors_decision_is_recorded_with_their_user(client, injector_user, book, signed):
    appointment = book()
    signed(appointment)
    client.force_login(injector_user)
    response = client.post(
        reverse("intake:review", args=[appointment.reference]), {"decision": "consultation", "note": "Call first"}
    )
    assert response.status_code == 302
    decision = ScreeningDecision.objects.get()
    row = decision.audit_history.get()
    assert (row.history_user, row.decision, row.note) == (injector_user, "consultation", "Call first")
    hold = appointment.patient.audit_history.first()  # the hold the decision put on, by the same user
    assert (hold.history_user, hold.treatment_hold) == (injector_user, True)
