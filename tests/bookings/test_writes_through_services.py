"""The patient page and the public waitlist write through services, with the same guarantees."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Patient, Source, WaitlistEntry
from bookings.services import BookingInvalid, PatientDetails, patient_details_update, waitlist_join_online
from tests.bookings.conftest import next_weekday
from tests.factories import PatientFactory
from tests.html_forms import rendered_form

pytestmark = pytest.mark.django_db


def test_the_patient_service_writes_the_details_and_one_history_row():
    patient = PatientFactory(phone="+19415550199", consent_sms=False)
    rows = patient.audit_history.count()
    patient_details_update(patient=patient, details={"phone": "+19415550123", "consent_sms": True})
    patient.refresh_from_db()
    assert (patient.phone, patient.consent_sms) == ("+19415550123", True)
    assert patient.audit_history.count() == rows + 1
    assert patient.audit_history.first().phone == "+19415550123"


@pytest.mark.parametrize("field", ["treatment_hold", "treatment_hold_reason", "opted_out_email", "opted_out_sms"])
def test_the_patient_service_refuses_what_front_desk_does_not_change(field):
    patient = PatientFactory()
    value = "made up" if field == "treatment_hold_reason" else True
    with pytest.raises(ValueError, match=field):
        patient_details_update(patient=patient, details={"phone": "+19415550123", field: value})
    assert Patient.objects.get(pk=patient.pk).phone == patient.phone


def test_the_patient_page_saves_through_the_service_and_keeps_the_hold(client, front_desk_user):
    patient = PatientFactory(treatment_hold=True, treatment_hold_reason="Screening: pregnancy")
    client.force_login(front_desk_user)
    url = reverse("bookings:staff-patient", args=[patient.pk])
    data, _ = rendered_form(client.get(url).content.decode())
    data.pop("q", None)
    response = client.post(url, {**data, "phone": "+19415550123", "treatment_hold": "", "treatment_hold_reason": ""})
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.phone == "+19415550123"
    assert (patient.treatment_hold, patient.treatment_hold_reason) == (True, "Screening: pregnancy")
    assert patient.audit_history.first().history_user == front_desk_user


@pytest.fixture
def wanted(clinic):
    today = timezone.localdate()
    day = next_weekday(0)
    return {"service": clinic.service, "earliest": day, "latest": day + timedelta(days=7), "today": today}


LENA = PatientDetails("Lena", "Ortiz", "lena@example.com", "+14805550190", date(1991, 2, 2))


def test_joining_the_waitlist_online_creates_the_patient_and_the_entry(wanted):
    entry = waitlist_join_online(details=LENA, note="Mornings", **wanted)
    assert (entry.patient.email, entry.source, entry.note) == ("lena@example.com", Source.ONLINE, "Mornings")


def test_dates_the_waitlist_refuses_leave_no_new_patient_behind(wanted):
    with pytest.raises(BookingInvalid) as refused:
        waitlist_join_online(details=LENA, **{**wanted, "latest": wanted["earliest"] - timedelta(days=1)})
    assert "latest" in refused.value.errors
    assert not Patient.objects.exists() and not WaitlistEntry.objects.exists()


def test_a_matched_patient_joins_with_nothing_of_their_record_changed(wanted):
    known = PatientFactory(first_name="Lena", email="lena@example.com", date_of_birth=date(1991, 2, 2),
                           phone="+19415550100")  # fmt: skip
    entry = waitlist_join_online(details=PatientDetails("Someone", "Else", "LENA@example.com", "+14805550111",
                                                        date(1991, 2, 2)), **wanted)  # fmt: skip
    assert entry.patient == known
    known.refresh_from_db()
    assert (known.first_name, known.phone) == ("Lena", "+19415550100")
