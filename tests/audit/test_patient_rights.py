"""A patient's right of access (their complete record, as JSON and as a printable page) and to
erasure (refused while the clinic must keep a clinical record), both audited."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Erasure
from audit.services import ErasureRefused, patient_erase
from bookings.models import AppointmentStatus, ChartState, Patient
from bookings.services import appointment_chart_state_set, appointment_check_in, appointment_complete, waitlist_add
from intake.models import AccessLog, IntakeDraft
from reminders.models import Message, MessageState
from tests.factories import IntakeDraftFactory, MessageFactory
from treatments.models import ServiceKind

pytestmark = pytest.mark.django_db


def test_the_json_export_holds_the_whole_record_and_is_logged(client, manager_user, book, signed):
    appointment = book()
    signed(appointment)
    MessageFactory(appointment=appointment, kind="reminder", step="24h", due_at=timezone.now(), subject="See you soon",
                   dedupe_key="x")  # fmt: skip
    client.force_login(manager_user)
    response = client.get(reverse("audit:patient-record-json", args=[appointment.patient.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == f'attachment; filename="patient-{appointment.patient.pk}-record.json"'
    record = json.loads(response.content)
    assert record["patient"]["email"] == "ada@example.com"
    (visit,) = record["appointments"]
    assert visit["reference"] == appointment.reference and visit["start"].endswith(("-05:00", "-04:00"))
    assert [e["what"] for e in visit["events"]] == ["Booked"]
    (history,) = record["medical_histories"]
    assert history["answers"]["pregnancy"] == "no"
    (consent,) = record["consents"]
    assert (consent["typed_name"], consent["text"], consent["text_version"]) == ("Ada Park", "I agree.", 1)
    assert consent["signed_at"] and consent["signature_png_base64"]
    assert consent["photo_use"] == "Clinical record only"
    assert record["photos"] == []
    assert ("reminder", "See you soon") in [(m["kind"], m["subject"]) for m in record["messages"]]
    assert len(record["messages"]) == Message.objects.filter(patient=appointment.patient).count()
    assert [e["what"] for e in record["access_log"]] == ["complete record export"]
    assert {c["record"] for c in record["change_history"]} == {"patient", "appointment", "consent"}
    assert record["erasure"] is None
    entry = AccessLog.objects.get()
    assert (entry.actor, entry.patient, entry.what) == (manager_user, appointment.patient, "complete record export")


def test_the_printable_page_shows_the_record_in_the_locations_zone_and_is_logged(client, manager_user, book, signed):
    appointment = book()
    signed(appointment)
    client.force_login(manager_user)
    response = client.get(reverse("audit:patient-record", args=[appointment.patient.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    html = response.content.decode()
    local = appointment.start.astimezone(appointment.location.zone)
    assert f"{local:%-I:%M} {local:%p} {local.tzname()}" in html
    assert "Ada Park" in html and "I agree." in html and "pregnancy" in html
    assert AccessLog.objects.get().what == "complete record"


def test_erasing_a_patient_without_clinical_records(client, manager_user, clinic, book):
    soon = book(email="eve@example.com", first="Eve", days=2)
    upcoming = book(email="eve@example.com", first="Eve", hour=11, days=9)
    patient = soon.patient
    IntakeDraftFactory(appointment=upcoming, answers={"pregnancy": "yes"})
    today = timezone.localdate()
    waitlist_add(patient=patient, service=clinic.service, source="desk", today=today, earliest=today,
                 latest=today + timedelta(days=7), actor=manager_user)  # fmt: skip
    MessageFactory(patient=patient, appointment=None, kind="confirmation", due_at=timezone.now(),
                   state=MessageState.SENT, subject="Booked, Eve", body="Hi Eve", dedupe_key="c1")  # fmt: skip
    client.force_login(manager_user)
    page = client.get(reverse("audit:patient-erase", args=[patient.pk]))
    assert page.status_code == 200 and "Erase personal data" in page.content.decode()
    assert client.post(reverse("audit:patient-erase", args=[patient.pk]), {}).status_code == 400  # not confirmed
    response = client.post(reverse("audit:patient-erase", args=[patient.pk]), {"confirm": "on"})
    assert response.status_code == 302

    patient.refresh_from_db()
    assert (patient.first_name, patient.email, patient.phone) == ("Erased", f"erased-{patient.pk}@erased.invalid", "")
    assert Patient.objects.filter(email__icontains="eve").count() == 0
    for appointment in (soon, upcoming):
        appointment.refresh_from_db()
        assert appointment.status == AppointmentStatus.CANCELLED
    assert not IntakeDraft.objects.exists() and not patient.waitlist_entries.exists()
    assert not Message.objects.filter(patient=patient).exclude(subject="", body="").exists()
    assert not Message.objects.filter(patient=patient, state=MessageState.PENDING).exists()
    # Every version of the patient row in the change history is scrubbed; the last is the tombstone.
    assert not patient.audit_history.filter(first_name="Eve").exists()
    tombstone = patient.audit_history.first()
    assert (tombstone.history_user, tombstone.history_change_reason) == (
        manager_user,
        "Erased at the patient's request",
    )
    erasure = Erasure.objects.get()
    assert (erasure.patient, erasure.erased_by) == (patient, manager_user)
    assert sorted(erasure.cancelled_appointments) == sorted([soon.reference, upcoming.reference])
    # A second erasure is refused; the record page says who erased it.
    again = client.post(reverse("audit:patient-erase", args=[patient.pk]), {"confirm": "on"})
    assert again.status_code == 409 and "already been erased" in again.content.decode()
    assert "Personal data erased" in client.get(reverse("audit:patient-record", args=[patient.pk])).content.decode()


def test_erasure_is_refused_with_the_reason_after_a_signed_consent(client, manager_user, book, signed):
    appointment = book()
    signed(appointment)
    client.force_login(manager_user)
    page = client.get(reverse("audit:patient-erase", args=[appointment.patient.pk])).content.decode()
    assert "This record must be kept" in page and "1 signed consent" in page and "Erase personal data" not in page
    response = client.post(reverse("audit:patient-erase", args=[appointment.patient.pk]), {"confirm": "on"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "signed consents must be kept" in html and "1 submitted medical history" in html
    appointment.patient.refresh_from_db()
    assert appointment.patient.first_name == "Ada" and not Erasure.objects.exists()


def test_erasure_is_refused_after_a_completed_toxin_treatment(clinic, manager_user, book):
    clinic.service.kind = ServiceKind.TREATMENT
    clinic.service.is_toxin_treatment = True
    clinic.service.save()
    appointment = book()
    appointment_check_in(appointment=appointment, actor=manager_user, now=appointment.start)
    appointment_chart_state_set(appointment=appointment, state=ChartState.SIGNED, toxin_given=True)  # charted
    appointment_complete(appointment=appointment, actor=manager_user, now=appointment.end)
    with pytest.raises(ErasureRefused) as refused:
        patient_erase(patient=appointment.patient, actor=manager_user, now=timezone.now())
    assert refused.value.reasons == ["1 completed neuromodulator treatment: the treatment record must be kept."]


def test_erasing_a_patient_deletes_their_photos_and_the_files(
    clinic, manager_user, book, django_capture_on_commit_callbacks, photo_store
):
    from audit.records import patient_record
    from charting.models import Photo
    from tests.charting.photo_helpers import stored_files
    from tests.factories import PhotoFactory

    folder = photo_store
    visit = book(email="eve@example.com", first="Eve", days=2)
    PhotoFactory(appointment=visit)
    kept = PhotoFactory()  # another patient's
    assert len(stored_files(folder)) == 2
    (listed,) = patient_record(patient=visit.patient)["photos"]  # the complete record lists them
    assert (listed["appointment"], listed["phase"], listed["expression"]) == (visit.reference, "Before treatment",
                                                                              "At rest")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        patient_erase(patient=visit.patient, actor=manager_user, now=timezone.now())
    assert list(Photo.objects.all()) == [kept]
    assert patient_record(patient=visit.patient)["photos"] == []
    assert [p.name for p in stored_files(folder)] == [kept.image.name]
