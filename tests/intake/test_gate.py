"""The treatment gate: intake complete, the current consent signed, no screening hit unresolved, no
hold; and the ready / not-ready state intake writes down for the front office after every event."""

import html
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bookings.models import Appointment, AppointmentStatus, NotReady, Source
from bookings.services import patient_treatment_hold_set
from intake.models import ConsentText, MedicalHistory
from intake.selectors import TreatmentGate, treatment_gate
from intake.services import consent_sign, consent_text_publish
from tests.factories import AppointmentFactory, PatientFactory, ServiceFactory
from tests.html_forms import browser_post_data
from tests.intake.conftest import png_bytes, verify_by_code
from tests.intake.gate_helpers import intake

pytestmark = pytest.mark.django_db

HISTORY = "Medical history not finished"
CONSENT = "Consent not signed for the current version"
SCREENING = "Screening needs the injector's decision"
NOT_TO_TREAT = "Not to be treated: see the injector"
HOLD = "Treatment on hold: see the injector"
BLEEDING = {"bleeding": "yes", "bleeding.medicines": "Warfarin"}
PREGNANT = {"pregnancy": "yes"}
REACTION = {"toxin-reaction": "yes", "toxin-reaction.reaction": "Hives after Dysport"}


def stored(appointment) -> tuple[bool, str]:
    appointment.refresh_from_db()
    return appointment.treatment_ready, appointment.treatment_not_ready


def decide(client, appointment, decision, note=""):
    """The injector's review form, as the browser posts it after choosing and typing."""
    url = reverse("intake:review", args=[appointment.reference])
    data = browser_post_data(client.get(url).content.decode(), button="Record decision")
    data["decision"], data["note"] = [decision], [note]
    return client.post(url, data)


def test_not_started(visit):
    appointment, _token = visit()
    assert treatment_gate(appointment) == TreatmentGate(False, (HISTORY, CONSENT))
    assert stored(appointment) == (False, NotReady.HISTORY)  # a new booking starts not ready


def test_complete_with_no_hit_and_the_consent_signed_is_ready(client, visit):
    appointment, token = visit()
    intake(client, token)
    assert treatment_gate(appointment) == TreatmentGate(True, ())
    assert stored(appointment) == (True, NotReady.NONE)


def test_a_history_without_the_consent_is_not_ready(client, visit, toxin):
    appointment, token = visit()
    ConsentText.objects.filter(service=toxin).delete()  # the consent step is skipped without a text…
    intake(client, token, sign=False)
    assert treatment_gate(appointment) == TreatmentGate(False, (CONSENT,))  # …but nothing was signed


def test_flagged_then_cleared_by_the_injector(client, visit, injector_user):
    appointment, token = visit()
    intake(client, token, BLEEDING)
    assert treatment_gate(appointment) == TreatmentGate(False, (SCREENING,))
    assert stored(appointment) == (False, NotReady.SCREENING)
    client.force_login(injector_user)
    assert decide(client, appointment, "cleared", "Warfarin: INR stable, small needle, pressure").status_code == 302
    assert treatment_gate(appointment) == TreatmentGate(True, ())
    assert stored(appointment) == (True, NotReady.NONE)


def test_a_decision_other_than_cleared_leaves_it_unresolved(client, visit, injector_user):
    appointment, token = visit()
    intake(client, token, BLEEDING)
    client.force_login(injector_user)
    decide(client, appointment, "consultation", "Talk about the warfarin first")
    assert SCREENING in treatment_gate(appointment).reasons and stored(appointment) == (False, NotReady.SCREENING)


@pytest.mark.parametrize("answers,dob", [(REACTION, None), ({}, "2009-06-01")])
def test_an_absolute_hit_is_never_ready(client, visit, injector_user, answers, dob):
    from datetime import date

    appointment, token = visit(**({"dob": date.fromisoformat(dob)} if dob else {}))
    intake(client, token, answers)
    assert treatment_gate(appointment) == TreatmentGate(False, (NOT_TO_TREAT,))
    client.force_login(injector_user)
    decide(client, appointment, "cleared", "Seen her")  # refused: nothing changes
    decide(client, appointment, "consultation", "Talk it through")
    assert treatment_gate(appointment) == TreatmentGate(False, (NOT_TO_TREAT,))
    assert stored(appointment) == (False, NotReady.NOT_TO_TREAT)


def test_a_signature_of_an_older_consent_version_does_not_count(client, visit, toxin, clinic):
    appointment, token = visit()
    consultation, _ = visit(hour=11)  # another service: its consent text is not the one changed
    Appointment.objects.filter(pk=consultation.pk).update(service=clinic.service)
    intake(client, token)
    assert stored(appointment) == (True, NotReady.NONE)
    text = consent_text_publish(service=toxin, title="Consent to toxin treatment", body="New wording.",
                                now=timezone.now())  # fmt: skip
    assert text.version == 2
    assert treatment_gate(appointment) == TreatmentGate(False, (CONSENT,))
    assert stored(appointment) == (False, NotReady.CONSENT)  # recomputed when the version was created
    consent_sign(appointment=appointment, text=text, typed_name="Ada Park", signature_png=png_bytes(),
                 ip_address="203.0.113.9", user_agent="Phone", now=timezone.now())  # fmt: skip
    assert stored(appointment) == (True, NotReady.NONE)


def test_a_new_consent_version_through_the_admin_recomputes_upcoming_appointments(client, visit, toxin,
                                                                                 manager_user):  # fmt: skip
    appointment, token = visit()
    intake(client, token)
    assert stored(appointment) == (True, NotReady.NONE)
    manager_user.is_superuser = True
    manager_user.save()
    client.force_login(manager_user)
    posted = {"service": toxin.pk, "title": "Consent to toxin treatment", "body": "Reworded."}
    response = client.post(reverse("admin:intake_consenttext_add"), posted)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(ConsentText.objects.filter(service=toxin).values_list("version", flat=True)) == [2, 1]
    assert stored(appointment) == (False, NotReady.CONSENT)


def test_an_unproven_link_needs_the_injector_and_its_own_signature(client, visit, toxin, injector_user):
    own, own_token = visit()
    intake(client, own_token)  # Ada's own, proven intake and consent
    appointment, token = visit(hour=11, source=Source.ONLINE)  # someone booking online with her details
    assert not appointment.identity_verified
    intake(client, token)  # no hit, but an injector looks at every unproven submission
    assert treatment_gate(appointment) == TreatmentGate(False, (SCREENING,))
    assert stored(appointment) == (False, NotReady.SCREENING)
    client.force_login(injector_user)
    assert decide(client, appointment, "cleared", "").status_code == 302  # no hit: no note needed
    assert stored(appointment) == (True, NotReady.NONE)
    text = consent_text_publish(service=toxin, title="Consent", body="New wording.", now=timezone.now())
    consent_sign(appointment=own, text=text, typed_name="Ada Park", signature_png=png_bytes(),
                 ip_address=None, user_agent="Phone", now=timezone.now())  # fmt: skip
    assert stored(own) == (True, NotReady.NONE)
    # Her own signature of the new version doesn't count for a link that hasn't proved it is hers.
    assert treatment_gate(appointment) == TreatmentGate(False, (CONSENT,))
    assert stored(appointment) == (False, NotReady.CONSENT)


def test_proving_the_link_recomputes_the_state(client, visit):
    _own, own_token = visit()
    intake(client, own_token)
    appointment, token = visit(hour=11, source=Source.ONLINE)
    intake(client, token)
    assert stored(appointment) == (False, NotReady.SCREENING)
    verify_by_code(client, appointment, token)  # intake_identity_verified, through bookings' signal
    assert treatment_gate(appointment) == TreatmentGate(True, ())
    assert stored(appointment) == (True, NotReady.NONE)


def test_a_correction_after_clearing_needs_a_new_decision(client, visit, injector_user):
    appointment, token = visit()
    intake(client, token, BLEEDING)
    client.force_login(injector_user)
    decide(client, appointment, "cleared", "Warfarin: INR stable")
    assert stored(appointment) == (True, NotReady.NONE)
    client.logout()
    url = reverse("intake:correct", args=[token])
    data = browser_post_data(client.get(url).content.decode(), button="Send my corrections")
    data["bleeding.medicines"] = ["Warfarin and fish oil"]
    assert client.post(url, data).status_code == 302
    assert MedicalHistory.objects.filter(patient=appointment.patient).count() == 2
    assert treatment_gate(appointment) == TreatmentGate(False, (SCREENING,))
    assert stored(appointment) == (False, NotReady.SCREENING)
    client.force_login(injector_user)
    decide(client, appointment, "cleared", "Fish oil too: fine, pressure after")
    assert stored(appointment) == (True, NotReady.NONE)


def test_a_patient_on_hold_is_not_ready(client, visit):
    appointment, token = visit()
    intake(client, token)
    patient_treatment_hold_set(patient=appointment.patient, hold=True, reason="Called: wants to wait")
    assert treatment_gate(appointment) == TreatmentGate(False, (HOLD,))


def test_a_defer_hit_holds_and_clearing_it_with_a_note_lifts_the_hold(client, visit, injector_user):
    appointment, token = visit()
    intake(client, token, PREGNANT)
    appointment.patient.refresh_from_db()
    assert appointment.patient.treatment_hold
    assert treatment_gate(appointment) == TreatmentGate(False, (SCREENING,))
    client.force_login(injector_user)
    decide(client, appointment, "cleared", "Baby born in March; no longer breastfeeding")
    appointment.patient.refresh_from_db()
    assert not appointment.patient.treatment_hold and treatment_gate(appointment).ready


def test_the_gate_costs_three_queries_whatever_the_history(client, visit, injector_user):
    appointment, token = visit()
    intake(client, token, {**BLEEDING, **PREGNANT, "keloid-bdd": "yes"})
    for _ in range(3):
        url = reverse("intake:correct", args=[token])
        client.post(url, browser_post_data(client.get(url).content.decode(), button="Send my corrections"))
    assert MedicalHistory.objects.filter(patient=appointment.patient).count() == 4
    fresh = Appointment.objects.get(pk=appointment.pk)
    with CaptureQueriesContext(connection) as queries:
        treatment_gate(fresh)
    assert len(queries) == 3


def test_other_upcoming_appointments_of_the_patient_follow_her_history(client, visit):
    appointment, token = visit()
    later, later_token = visit(hour=14)
    past = AppointmentFactory(patient=appointment.patient, start=timezone.now() - timedelta(days=200),
                              status=AppointmentStatus.COMPLETED, treatment_ready=True)  # fmt: skip
    intake(client, token)
    assert stored(appointment) == (True, NotReady.NONE)
    assert stored(later) == (False, NotReady.HISTORY)  # not submitted for that visit yet
    intake(client, later_token)
    assert stored(later) == (True, NotReady.NONE)
    url = reverse("intake:correct", args=[token])  # through the first visit's link…
    data = browser_post_data(client.get(url).content.decode(), button="Send my corrections")
    data["pregnancy"] = ["yes"]
    assert client.post(url, data).status_code == 302
    assert stored(later) == (False, NotReady.SCREENING)  # …her history changed for the later one too
    assert stored(past) == (True, NotReady.HISTORY)  # a past visit is left as it was


# What the front office sees


def test_front_desk_sees_ready_or_not_and_no_clinical_detail(client, visit, front_desk_user, clinic):
    flagged, token = visit()
    intake(client, token, BLEEDING)
    namesake = PatientFactory(first_name="Ada", last_name="Park", email="ada.park@example.com")
    _ready, ready_token = visit(hour=11, patient=namesake)
    intake(client, ready_token)
    consult = ServiceFactory(slug="consult-2", name="Consultation chat")
    clinic.provider.services.add(consult)
    other, _ = visit(hour=14, patient=flagged.patient)
    Appointment.objects.filter(pk=other.pk).update(service=consult)
    client.force_login(front_desk_user)
    day = flagged.local_start.date().isoformat()
    pages = {
        "appointment": client.get(reverse("bookings:staff-appointment", args=[flagged.reference])),
        "sheet": client.get(reverse("bookings:staff-sheet"), {"provider": clinic.provider.pk, "date": day}),
        "grid": client.get(reverse("bookings:staff-day"), {"date": day}),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        page = html.unescape(response.content.decode())
        assert "Not ready for treatment: Screening needs the injector's decision" in page, name
        for clinical in ("Warfarin", "bleeding", "Bleeding", "blood thinner", "review hit", "severity"):
            assert clinical not in page, (name, clinical)
    sheet = html.unescape(pages["sheet"].content.decode())
    # One toxin treatment each way; the consultation shows neither.
    assert sheet.count("Not ready for treatment") == 1 and sheet.count("Ready for treatment") == 1


def test_the_command_writes_the_gate_on_appointments_booked_before_the_field(client, visit):
    from io import StringIO

    from django.core.management import call_command

    appointment, token = visit()
    intake(client, token)
    Appointment.objects.filter(pk=appointment.pk).update(treatment_ready=False, treatment_not_ready="history")
    out = StringIO()
    call_command("treatment_ready_refresh", stdout=out)
    assert out.getvalue().strip() == "1 appointment(s) changed."
    assert stored(appointment) == (True, NotReady.NONE)
