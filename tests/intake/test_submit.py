"""intake_submit: contact details, history with its screening, and consent as one change, and the
outcome the patient is told."""

from unittest import mock

import pytest
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from bookings.models import ContactProposal, IntakeStatus, NotReady, Source
from bookings.services import appointment_book
from intake.models import Consent, IntakeDraft, MedicalHistory, ScreeningHit
from intake.screening import CALL_YOU, NOT_NOW, WE_REVIEW, Outcome, Severity, outcome_for
from intake.services import IntakeError, Signature, draft_save, intake_submit
from tests.bookings.conftest import at, next_weekday
from tests.intake.conftest import all_no, png_bytes, png_data_url

pytestmark = pytest.mark.django_db

SIGNATURE = Signature(typed_name="Ada Park", signature_png=png_bytes(), ip_address="203.0.113.9", user_agent="Phone")
PREGNANT = {**all_no(), "pregnancy": "yes"}  # a defer hit: flags, and holds a proven patient


# The outcome, from the severities of the hits (pure)


@pytest.mark.parametrize(
    ("severities", "outcome"),
    [
        ([], Outcome.ALL_SET),
        ([Severity.REVIEW], Outcome.WE_REVIEW),
        ([Severity.REVIEW, Severity.REVIEW], Outcome.WE_REVIEW),
        ([Severity.DEFER], Outcome.NOT_NOW),
        ([Severity.REVIEW, Severity.DEFER], Outcome.NOT_NOW),
        ([Severity.ABSOLUTE], Outcome.CALL_YOU),
        ([Severity.REVIEW, Severity.DEFER, Severity.ABSOLUTE], Outcome.CALL_YOU),
        (["review", "absolute"], Outcome.CALL_YOU),  # as stored on a hit
    ],
)
def test_the_most_serious_hit_decides_the_outcome(severities, outcome):
    assert outcome_for(severities) == outcome
    assert outcome_for(iter(severities)) == outcome  # a generator of the hits' severities will do


def test_what_each_outcome_tells_the_patient_and_whether_it_stops_treatment():
    told = {outcome: (outcome.message, outcome.blocked) for outcome in Outcome}
    assert told == {
        Outcome.ALL_SET: ("", False),
        Outcome.WE_REVIEW: (WE_REVIEW, False),
        Outcome.NOT_NOW: (NOT_NOW, True),
        Outcome.CALL_YOU: (CALL_YOU, True),
    }


# The submission


def answered(appointment, history=None, *, email="ada.new@example.com", phone="+19415550123"):
    """The three answer steps done, as the pages leave them in the draft."""
    draft_save(appointment=appointment, step="contact", answers={"contact": {"email": email, "phone": phone}})
    draft_save(appointment=appointment, step="history", answers={"history": history or all_no(), "unchanged": False})
    draft_save(appointment=appointment, step="goals", answers={"goals": {"areas": [], "stronger_side": "left"}})
    return IntakeDraft.objects.get(appointment=appointment)


def state(appointment) -> tuple:
    """Everything a submission writes, as it stands."""
    appointment.refresh_from_db()
    patient = appointment.patient
    patient.refresh_from_db()
    return (
        MedicalHistory.objects.count(),
        ScreeningHit.objects.count(),
        Consent.objects.count(),
        ContactProposal.objects.filter(appointment=appointment).values_list("email", "phone").first(),
        (patient.email, patient.phone, patient.treatment_hold, patient.treatment_hold_reason),
        patient.audit_history.count(),
        (appointment.intake_status, appointment.treatment_ready, appointment.treatment_not_ready),
        appointment.audit_history.count(),
    )


def test_a_submission_writes_the_contact_details_the_history_and_the_consent(booked, consent_text):
    appointment, _token = booked()
    answered(appointment, PREGNANT)
    submitted = intake_submit(appointment=appointment, signature=SIGNATURE, now=timezone.now())
    assert submitted.new and submitted.outcome == Outcome.NOT_NOW
    assert submitted.history.answers == PREGNANT and submitted.history.version == 1
    assert submitted.consent.text == consent_text and submitted.consent.typed_name == "Ada Park"
    appointment.refresh_from_db()
    patient = appointment.patient
    assert (patient.email, patient.phone) == ("ada.new@example.com", "+19415550123")
    assert patient.treatment_hold and appointment.intake_status == IntakeStatus.FLAGGED
    assert appointment.treatment_not_ready == NotReady.SCREENING  # the gate was written after the consent


@pytest.mark.parametrize("verified", [True, False], ids=["proven link", "unproven link"])
def test_when_the_consent_cannot_be_written_nothing_of_the_submission_is(booked, consent_text, verified):
    """The design's flow: the patient answers the history and signs consent, then screening runs on
    submit. A history without its consent (a flagged appointment, a hold, changed contact details,
    a proposal for front desk) would be half an intake: all of it is written, or none."""
    appointment, _token = booked()
    if not verified:
        appointment, _token = booked(hour=11)  # the same email and birth date, online: matched, unproven
        assert not appointment.identity_verified
    draft = answered(appointment, PREGNANT)
    before = state(appointment)
    with (
        mock.patch.object(Consent.objects, "create", side_effect=DatabaseError("disk full")),
        pytest.raises(DatabaseError),
    ):
        intake_submit(appointment=appointment, signature=SIGNATURE, now=timezone.now())
    assert state(appointment) == before
    kept = IntakeDraft.objects.get(appointment=appointment)
    assert (kept.answers, kept.steps_done) == (draft.answers, draft.steps_done)  # the answers are not lost
    # …so sending it again works, and writes it all once.
    submitted = intake_submit(appointment=appointment, signature=SIGNATURE, now=timezone.now())
    assert submitted.new and MedicalHistory.objects.get() == submitted.history and Consent.objects.count() == 1


def test_when_the_gate_cannot_be_written_the_history_and_consent_are_not_kept_either(booked, consent_text):
    appointment, _token = booked()
    answered(appointment)
    before = state(appointment)
    with (
        mock.patch("intake.services.submission.treatment_ready_refresh", side_effect=DatabaseError("gone")),
        pytest.raises(DatabaseError),
    ):
        intake_submit(appointment=appointment, signature=SIGNATURE, now=timezone.now())
    assert state(appointment) == before


def test_a_failed_consent_write_through_the_page_loses_nothing_and_the_patient_can_send_again(
    client, booked, consent_text
):
    appointment, token = booked()
    answered(appointment, PREGNANT)
    before = state(appointment)
    url = reverse("intake:step", args=[token, "consent"])
    form = {"agree": "on", "typed_name": "Ada Park", "signature": png_data_url(), "strokes": "3"}
    client.raise_request_exception = False
    with mock.patch.object(Consent.objects, "create", side_effect=DatabaseError("disk full")):
        assert client.post(url, form).status_code == 500
    assert state(appointment) == before
    assert client.get(url).status_code == 200  # still the consent step, answers kept
    assert client.post(url, form)["Location"] == reverse("intake:done", args=[token])
    assert MedicalHistory.objects.count() == 1 and Consent.objects.count() == 1


def test_a_second_submit_writes_nothing_and_answers_with_the_first(booked, consent_text):
    appointment, _token = booked()
    answered(appointment)
    first = intake_submit(appointment=appointment, signature=SIGNATURE, now=timezone.now())
    again = intake_submit(appointment=appointment, signature=SIGNATURE, now=timezone.now())
    assert not again.new and again.history == first.history and again.outcome == Outcome.ALL_SET
    assert MedicalHistory.objects.count() == 1 and Consent.objects.count() == 1


def test_a_signature_is_asked_for_only_when_the_current_text_is_not_signed(booked, consent_text, clinic):
    appointment, _token = booked()
    answered(appointment)
    with pytest.raises(IntakeError) as refused:
        intake_submit(appointment=appointment, signature=None, now=timezone.now())
    assert refused.value.field == "signature" and not MedicalHistory.objects.exists()
    intake_submit(appointment=appointment, signature=SIGNATURE, now=timezone.now())
    # A second visit of the same (proven) patient: the signature of this version still counts.
    later = appointment_book(service=clinic.service, start=at(next_weekday(1, at_least=2), 14), now=timezone.now(),
                             source=Source.ONLINE, patient=appointment.patient)  # fmt: skip
    assert later.identity_verified
    answered(later)
    submitted = intake_submit(appointment=later, signature=None, now=timezone.now())
    assert submitted.new and submitted.consent is None and Consent.objects.count() == 1


def test_a_submission_needs_every_answer_step(booked, consent_text):
    appointment, _token = booked()
    with pytest.raises(IntakeError) as refused:
        intake_submit(appointment=appointment, signature=SIGNATURE, now=timezone.now())
    assert refused.value.field == "contact"
    draft_save(appointment=appointment, step="contact", answers={"contact": {"email": "a@example.com", "phone": ""}})
    draft_save(appointment=appointment, step="history", answers={"history": all_no()})
    with pytest.raises(IntakeError) as refused:
        intake_submit(appointment=appointment, signature=SIGNATURE, now=timezone.now())
    assert refused.value.field == "goals"
    assert not MedicalHistory.objects.exists() and not Consent.objects.exists()


def test_an_absolute_hit_tells_the_patient_the_clinic_will_call(booked, consent_text):
    appointment, _token = booked()
    answered(appointment, {**all_no(), "toxin-reaction": "yes", "toxin-reaction.reaction": "Rash"})
    submitted = intake_submit(appointment=appointment, signature=SIGNATURE, now=timezone.now())
    assert submitted.outcome == Outcome.CALL_YOU and submitted.outcome.blocked


def test_opening_the_link_and_its_steps_writes_no_draft(client, booked):
    """Reads never write: a draft appears with the first step's answers, not with a page view."""
    appointment, token = booked()
    client.get(reverse("intake:start", args=[token]))
    for step in ("contact", "history", "goals", "consent"):
        client.get(reverse("intake:step", args=[token, step]))
    assert not IntakeDraft.objects.filter(appointment=appointment).exists()
