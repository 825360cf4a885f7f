"""Email and date of birth are no proof of who someone is (issue 10, critical and first high finding).

An anonymous online booking with an existing patient's email and date of birth must show and change
nothing of that patient's record until the person enters a code sent to the contact details on
file; the booking API answers a stranger the same whether or not, and however, a patient matched.
"""

import json
import re
from datetime import date, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from bookings.models import (
    Appointment,
    AppointmentStatus,
    ContactProposal,
    IdentityCode,
    NeedsCall,
    Patient,
    ProposalStatus,
    Source,
)
from bookings.services import PatientDetails, appointment_book, appointment_cancel
from intake.models import Consent, FollowUp, MedicalHistory
from intake.selectors import history_current
from intake.tokens import follow_up_token
from reminders.models import Message
from reminders.services import message_send_next
from tests.bookings.conftest import at, next_weekday
from tests.factories import PatientFactory, ServiceFactory
from tests.intake.conftest import all_no, code_from_outbox, png_data_url, verify_by_code

pytestmark = pytest.mark.django_db

ADA = {"first_name": "Ada", "last_name": "Park", "email": "ada.park@example.com", "phone": "+19415550199",
       "date_of_birth": "1990-05-06"}  # fmt: skip
# What the attacker knows: the email (typed in another case) and the birth date. Name and phone are theirs.
MALLORY = {"first_name": "Mallory", "last_name": "Stone", "email": "ADA.PARK@EXAMPLE.COM", "phone": "+13055550123",
           "date_of_birth": "1990-05-06"}  # fmt: skip
SECRET_ANSWER = "Warfarin 5 mg daily"


def step_url(token, step):
    return reverse("intake:step", args=[token, step])


def api_book(client, service: str, start, person: dict):
    body = {"service": service, "start": start.isoformat(), "accept_policy": True, "patient": person}
    return client.post("/api/v1/bookings", json.dumps(body), content_type="application/json")


def token_of(response) -> str:
    return response.json()["manage_url"].rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture
def ada(client, clinic, consent_text):
    """Ada, a real patient: booked online (which created her record), told us she takes warfarin
    and signed consent. Her upcoming appointment is flagged for the injector."""
    response = api_book(client, "consult", at(next_weekday(0, at_least=2), 10), ADA)
    assert response.status_code == 201
    token = token_of(response)
    appointment = Appointment.objects.get(reference=response.json()["reference"])
    assert appointment.identity_verified  # her own first booking created the record
    client.post(step_url(token, "contact"), {"email": ADA["email"], "phone": ADA["phone"]})
    client.post(step_url(token, "history"), {**all_no(), "bleeding": "yes", "bleeding.medicines": SECRET_ANSWER})
    client.post(step_url(token, "goals"), {"areas": [], "stronger_side": "left", "notes": ""})
    client.post(step_url(token, "consent"), {"agree": "on", "typed_name": "Ada Park", "signature": png_data_url(),
                                             "strokes": "3"})  # fmt: skip
    appointment.refresh_from_db()
    assert appointment.intake_status == "flagged"
    client.cookies.clear()
    return appointment


def _visible_record(patient: Patient) -> tuple:
    patient.refresh_from_db()
    return (patient.first_name, patient.last_name, patient.email, patient.phone, patient.treatment_hold)


def _review(client, injector_user, appointment) -> str:
    client.force_login(injector_user)
    page = client.get(reverse("intake:review", args=[appointment.reference])).content.decode()
    client.logout()
    return page


def test_email_and_birth_date_open_nothing_of_a_patients_record(client, ada, injector_user):
    patient = ada.patient
    record_before = _visible_record(patient)
    history_before = history_current(patient)
    review_before = _review(client, injector_user, ada)
    assert SECRET_ANSWER in review_before and "No rule was triggered" not in review_before

    # The attack: a booking with Ada's email and birth date, then her intake pages.
    booked = api_book(client, "consult", at(next_weekday(1, at_least=2), 11), MALLORY)
    assert booked.status_code == 201
    token = token_of(booked)
    attack = Appointment.objects.get(reference=booked.json()["reference"])
    assert attack.patient == patient and not attack.identity_verified

    pages = [client.get(reverse("intake:start", args=[token]), follow=True).content.decode()]
    pages.append(client.get(step_url(token, "contact")).content.decode())
    client.post(step_url(token, "contact"), {"email": "mallory@example.net", "phone": "305-555-0123"})
    pages.append(client.get(step_url(token, "history")).content.decode())
    client.post(step_url(token, "history"), all_no())
    client.post(step_url(token, "goals"), {"areas": []})
    consent_page = client.get(step_url(token, "consent")).content.decode()
    pages.append(consent_page)
    assert "Sign and finish" in consent_page  # never skipped because Ada signed before
    signed = {"agree": "on", "typed_name": "Mallory Stone", "signature": png_data_url(), "strokes": "2"}
    done = client.post(step_url(token, "consent"), signed, follow=True)
    pages.append(done.content.decode())
    pages.append(client.get(reverse("bookings:manage", args=[token]) + "?booked=1").content.decode())
    for html in pages:
        assert SECRET_ANSWER not in html and "Nothing has changed" not in html
        assert "You answered these questions" not in html
        assert ADA["email"] not in html and "941-555-0199" not in html and "9415550199" not in html
        assert "Ada" not in html and "Park" not in html

    # Nothing of Ada's changed: record, current history, hold, what her review relies on.
    assert _visible_record(patient) == record_before
    assert history_current(patient) == history_before
    assert _review(client, injector_user, ada).count(SECRET_ANSWER) == review_before.count(SECRET_ANSWER)
    assert "No rule was triggered" not in _review(client, injector_user, ada)
    # The stranger's answers are kept apart, labelled, for the injector; their consent counts only for them.
    submitted = MedicalHistory.objects.get(appointment=attack)
    assert submitted.unverified and submitted.answers == all_no()
    attack.refresh_from_db()
    assert attack.intake_status == "flagged"
    attack_review = _review(client, injector_user, attack)
    assert "Unverified: booked online with this patient" in attack_review
    assert Consent.objects.get(appointment=attack).unverified
    # The details they gave wait for front desk; no message goes anywhere but the address on file.
    proposal = ContactProposal.objects.get(appointment=attack)
    assert (proposal.status, proposal.email, proposal.phone) == (ProposalStatus.PENDING, "mallory@example.net",
                                                                 "+13055550123")  # fmt: skip
    assert not Message.objects.exclude(patient=patient).exists()

    # Cancelled, the link opens nothing.
    appointment_cancel(appointment=attack, now=timezone.now(), by_patient=True)
    for url in (
        reverse("intake:start", args=[token]),
        step_url(token, "contact"),
        reverse("intake:done", args=[token]),
    ):
        closed = client.get(url)
        assert closed.status_code == 410 and "Mallory" not in closed.content.decode()


def test_front_desk_accepts_or_dismisses_details_proposed_through_an_unproven_link(client, ada, front_desk_user):
    booked = api_book(client, "consult", at(next_weekday(1, at_least=2), 11), {**MALLORY, "first_name": "Ada",
                                                                              "last_name": "Park"})  # fmt: skip
    proposal = ContactProposal.objects.get(appointment__reference=booked.json()["reference"])
    client.force_login(front_desk_user)
    profile = reverse("bookings:staff-patient", args=[ada.patient.pk])
    page = client.get(profile).content.decode()
    assert "Details given online, not yet confirmed" in page and "+13055550123" in page
    url = reverse("bookings:staff-contact-proposal", args=[ada.patient.pk, proposal.pk])
    client.post(url, {"decision": "accept"})
    ada.patient.refresh_from_db()
    assert ada.patient.phone == "+13055550123" and ada.patient.email == ADA["email"]
    assert "Details given online" not in client.get(profile).content.decode()
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == (ProposalStatus.ACCEPTED, front_desk_user)


def _masked(response) -> tuple[int, str]:
    body = json.loads(response.content)
    for key in ("reference", "manage_url", "start", "end", "cancellable_until"):
        body[key] = "…"
    return response.status_code, json.dumps(body, sort_keys=True)


def test_the_booking_answer_is_the_same_for_unknown_known_on_hold_and_returning_patients(client, clinic):
    toxin = ServiceFactory(slug="toxin", name="Toxin", is_toxin_treatment=True, new_patients_online=False)
    clinic.provider.services.add(toxin)
    people = {name: {**ADA, "email": f"{name}@example.com"} for name in ("unknown", "known", "held", "returning")}
    for name in ("known", "held", "returning"):
        details = PatientDetails(**{**people[name], "date_of_birth": date(1990, 5, 6)})
        appointment = appointment_book(service=clinic.service, start=at(next_weekday(0, at_least=2), 9),
                                       now=timezone.now(), source=Source.DESK, min_notice=timedelta(0),
                                       details=details)  # fmt: skip
        Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.CANCELLED)
    Patient.objects.filter(email="held@example.com").update(treatment_hold=True, treatment_hold_reason="Screening")
    Appointment.objects.filter(patient__email="returning@example.com").update(status=AppointmentStatus.COMPLETED)

    answers = {}
    for hour, name in zip((9, 10, 11, 13), people, strict=True):
        answers[name] = api_book(client, "toxin", at(next_weekday(2, at_least=2), hour), people[name])
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(people, 201)
    assert len({_masked(r) for r in answers.values()}) == 1, {name: _masked(r) for name, r in answers.items()}
    assert len({tuple(sorted(r.json())) for r in answers.values()}) == 1
    references = [r.json()["reference"] for r in answers.values()]
    needs = dict(Appointment.objects.filter(reference__in=references).values_list("patient__email", "needs_call"))
    assert needs == {"unknown@example.com": NeedsCall.NOT_RETURNING, "known@example.com": NeedsCall.NOT_RETURNING,
                     "held@example.com": NeedsCall.HOLD, "returning@example.com": ""}  # fmt: skip


def test_front_desk_sees_call_before_the_visit_without_clinical_detail(client, clinic, front_desk_user):
    toxin = ServiceFactory(slug="toxin", name="Toxin", is_toxin_treatment=True, new_patients_online=False)
    clinic.provider.services.add(toxin)
    reference = api_book(client, "toxin", at(next_weekday(2, at_least=2), 9), ADA).json()["reference"]
    client.force_login(front_desk_user)
    page = client.get(reverse("bookings:staff-appointment", args=[reference])).content.decode()
    assert "Call before the visit." in page and "without an earlier visit" in page


@pytest.fixture
def matched(client, ada):
    """A second online booking with Ada's email and birth date: unverified, its token."""
    response = api_book(client, "consult", at(next_weekday(1, at_least=2), 11), {**ADA, "first_name": "A."})
    appointment = Appointment.objects.get(reference=response.json()["reference"])
    return appointment, token_of(response)


def test_a_code_goes_to_the_email_on_file_is_stored_hashed_and_not_kept_in_the_message_log(client, matched):
    appointment, token = matched
    url = reverse("intake:verify", args=[token])
    page = client.get(url).content.decode()
    assert "email address we have on file" in page and ADA["email"] not in page
    client.post(step_url(token, "contact"), {"email": "someone@example.net", "phone": "3055550123"})
    sent = client.post(url, {"action": "send"}, follow=True)
    assert "sent a 6-digit code to the email address we have on file" in sent.content.decode()
    code = code_from_outbox(appointment)
    stored = IdentityCode.objects.get(appointment=appointment)
    assert code not in (stored.code_hash, stored.nonce) and len(stored.code_hash) == 64
    client.post(url, {"action": "send"})  # a moment later: no second email
    assert IdentityCode.objects.filter(appointment=appointment).count() == 1
    while message_send_next(now=timezone.now()) is not None:
        pass
    [email] = [m for m in mail.outbox if "confirm it's you" in m.subject]
    assert email.to == [ADA["email"]] and code in email.body
    message = Message.objects.get(appointment=appointment, kind="identity-code")
    assert message.state == "sent" and code not in message.body and code not in message.subject


def test_a_wrong_code_is_refused_and_shows_nothing(client, matched):
    appointment, token = matched
    url = reverse("intake:verify", args=[token])
    client.post(url, {"action": "send"})
    code = code_from_outbox(appointment)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = client.post(url, {"action": "check", "code": wrong})
    assert response.status_code == 400 and "That code isn&#x27;t right" in response.content.decode()
    assert "6 digits" in client.post(url, {"action": "check", "code": "12ab"}).content.decode()
    appointment.refresh_from_db()
    assert not appointment.identity_verified
    assert SECRET_ANSWER not in client.get(step_url(token, "history")).content.decode()


def test_an_expired_code_is_refused(client, matched):
    appointment, token = matched
    url = reverse("intake:verify", args=[token])
    client.post(url, {"action": "send"})
    code = code_from_outbox(appointment)
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(minutes=11)):
        response = client.post(url, {"action": "check", "code": code})
    assert "That code has expired" in response.content.decode()
    appointment.refresh_from_db()
    assert not appointment.identity_verified


def test_too_many_wrong_codes_lock_the_code_even_for_the_right_one(client, matched):
    appointment, token = matched
    url = reverse("intake:verify", args=[token])
    client.post(url, {"action": "send"})
    code = code_from_outbox(appointment)
    wrong = f"{(int(code) + 7) % 1_000_000:06d}"
    for _ in range(5):
        client.post(url, {"action": "check", "code": wrong})
    response = client.post(url, {"action": "check", "code": code})
    assert "Too many tries" in response.content.decode()
    appointment.refresh_from_db()
    assert not appointment.identity_verified
    # A new code (a minute later) works.
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(minutes=2)):
        client.post(url, {"action": "send"})
        assert client.post(url, {"action": "check", "code": code_from_outbox(appointment)}).status_code == 302


def test_the_right_code_brings_back_earlier_answers_and_details(client, matched):
    appointment, token = matched
    assert "Nothing has changed" not in client.get(step_url(token, "history")).content.decode()
    verify_by_code(client, appointment, token)
    assert "9415550199" in client.get(step_url(token, "contact")).content.decode().replace("-", "")
    history = client.get(step_url(token, "history")).content.decode()
    assert "Nothing has changed" in history and SECRET_ANSWER in history
    assert "Been to us before?" not in history
    assert appointment.events.filter(kind="verified").exists()


@pytest.mark.parametrize("status", [AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW])
def test_intake_and_follow_up_links_refuse_cancelled_and_no_show_appointments(client, booked, status):
    appointment, token = booked()
    Appointment.objects.filter(pk=appointment.pk).update(status=status)
    follow_up = reverse("intake:follow-up", args=[follow_up_token(appointment)])
    for url in (reverse("intake:start", args=[token]), step_url(token, "history"),
                reverse("intake:verify", args=[token]), follow_up):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 410 and "no longer open" in response.content.decode()
        assert "Ada" not in response.content.decode()
    urgent = {"looks": "uneven", "urgent": ["swallowing"], "satisfaction": "2", "touch_up": "no"}
    posted = client.post(follow_up, urgent)
    assert posted.status_code == 410 and not FollowUp.objects.exists()


def test_a_follow_up_is_taken_once_and_alerts_once(client, booked, django_capture_on_commit_callbacks):
    appointment, _ = booked()
    url = reverse("intake:follow-up", args=[follow_up_token(appointment)])
    urgent = {"looks": "uneven", "urgent": ["swallowing"], "satisfaction": "2", "touch_up": "no"}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, urgent)
        second = client.post(url, urgent)
        third = client.post(url, {"looks": "great", "satisfaction": "5", "touch_up": "no"})
    assert "Please seek medical care now" in first.content.decode()
    for page in (second, third, client.get(url)):
        assert page.status_code == 200 and "We already have your answers" in page.content.decode()
    alerts = Message.objects.filter(kind="urgent-follow-up")
    assert FollowUp.objects.count() == 1 and alerts.count() == 1


def test_the_code_email_says_nothing_about_health(matched):
    appointment, _token = matched
    from bookings.services import identity_code_send
    from reminders.render import render

    identity_code_send(appointment=appointment, now=timezone.now())
    message = Message.objects.get(appointment=appointment, kind="identity-code")
    _subject, text, _html, _ = render(message, "email")
    assert SECRET_ANSWER not in text and "bleeding" not in text.lower()
    assert re.search(r"your code is \d{6}", text)


def test_an_unproven_link_does_not_learn_of_a_recent_treatment_here(client, clinic, ada):
    toxin = ServiceFactory(is_toxin_treatment=True)
    clinic.provider.services.add(toxin)
    start = at(next_weekday(0, at_least=2) - timedelta(days=28), 9)
    earlier = appointment_book(service=toxin, start=start, now=start - timedelta(days=1), source=Source.DESK,
                               patient=ada.patient)  # fmt: skip
    Appointment.objects.filter(pk=earlier.pk).update(status=AppointmentStatus.COMPLETED)
    token = token_of(api_book(client, "consult", at(next_weekday(1, at_least=2), 11), MALLORY))
    client.post(step_url(token, "contact"), {"email": "mallory@example.net", "phone": "305-555-0123"})
    client.post(step_url(token, "history"), all_no())
    client.post(step_url(token, "goals"), {"areas": []})
    signed = {"agree": "on", "typed_name": "Mallory Stone", "signature": png_data_url(), "strokes": "2"}
    done = client.post(step_url(token, "consent"), signed, follow=True).content.decode()
    assert "Your injector has everything they need" in done
    assert not MedicalHistory.objects.get(unverified=True).hits.exists()


def test_clearing_an_unverified_submission_leaves_the_patients_hold_and_history_alone(client, ada, injector_user):
    from intake.models import Decision
    from intake.services import screening_decide

    Patient.objects.filter(pk=ada.patient.pk).update(treatment_hold=True, treatment_hold_reason="Screening")
    token = token_of(api_book(client, "consult", at(next_weekday(1, at_least=2), 11), MALLORY))
    attack = Appointment.objects.get(patient=ada.patient, identity_verified=False)
    client.post(step_url(token, "contact"), {"email": "mallory@example.net", "phone": "305-555-0123"})
    client.post(step_url(token, "history"), all_no())
    client.post(step_url(token, "goals"), {"areas": []})
    client.post(step_url(token, "consent"), {"agree": "on", "typed_name": "Mallory Stone",
                                             "signature": png_data_url(), "strokes": "2"})  # fmt: skip
    made = screening_decide(appointment=attack, decision=Decision.CLEARED, note="", actor=injector_user,
                            now=timezone.now())  # fmt: skip
    assert made.history.unverified and made.history.appointment == attack
    ada.patient.refresh_from_db()
    assert ada.patient.treatment_hold
    assert SECRET_ANSWER in str(history_current(ada.patient).answers)


# What the reviewer found after the merge: the shared link, and verifying after submitting.


def mallorys_booking(client):
    response = api_book(client, "consult", at(next_weekday(0, at_least=2), 14), MALLORY)
    assert response.status_code == 201
    appointment = Appointment.objects.get(reference=response.json()["reference"])
    assert not appointment.identity_verified
    return appointment, token_of(response)


def test_the_email_on_file_gets_no_link_into_a_booking_it_did_not_prove(client, ada):
    """The link is the booker's: if the real patient got it too, each would see what the other types,
    and the patient entering a code would prove the stranger's browser too."""
    from reminders.render import render

    appointment, token = mallorys_booking(client)
    client.post(reverse("intake:verify", args=[token]), {"action": "send"})  # Mallory asks for a code
    messages = list(Message.objects.filter(appointment=appointment))
    assert {m.kind for m in messages} >= {"confirmation", "reminder", "identity-code"}
    for message in messages:
        for channel in ("email", "sms"):
            subject, text, html, attachments = render(message, channel)
            for part in (subject, text, html, *(str(a[1]) for a in attachments)):
                assert token not in part and "/my/" not in part and "/intake/" not in part, (message.kind, channel)
    confirmation = next(m for m in messages if m.kind == "confirmation")
    text = render(confirmation, "email")[1]
    assert "booked online with your email address and date of birth" in text and "call us" in text


def test_verifying_after_submitting_makes_the_answers_the_patients_own(client, ada):
    appointment, token = mallorys_booking(client)  # Ada herself, on a new phone: she has not proved it yet
    client.post(step_url(token, "contact"), {"email": ADA["email"], "phone": ADA["phone"]})
    client.post(step_url(token, "history"), {**all_no(), "pregnancy": "yes"})  # a defer hit
    client.post(step_url(token, "goals"), {"areas": [], "stronger_side": "left", "notes": ""})
    signed = {"agree": "on", "typed_name": "Mallory Stone", "signature": png_data_url(), "strokes": "3"}
    client.post(step_url(token, "consent"), signed)  # the name as booked (the MALLORY details)
    submitted = MedicalHistory.objects.get(appointment=appointment)
    assert submitted.unverified and not Patient.objects.get(pk=ada.patient_id).treatment_hold
    verify_by_code(client, appointment, token)
    submitted.refresh_from_db()
    assert not submitted.unverified and history_current(ada.patient) == submitted
    assert not Consent.objects.filter(appointment=appointment, unverified=True).exists()
    assert Patient.objects.get(pk=ada.patient_id).treatment_hold  # the defer hit now holds treatment
    done = client.get(reverse("intake:done", args=[token]))
    assert done.status_code == 200 and "Are you pregnant" in done.content.decode()
    assert client.get(reverse("intake:correct", args=[token])).status_code == 200


def test_the_open_bookings_cap_counts_the_patients_details_not_just_an_email(client, clinic, settings):
    settings.BOOKING_MAX_OPEN_ONLINE = 1
    day = next_weekday(0, at_least=2)
    assert api_book(client, "consult", at(day, 9), ADA).status_code == 201
    assert api_book(client, "consult", at(day, 10), ADA).status_code == 429  # the same details: capped
    someone = {**ADA, "date_of_birth": "1971-01-01"}  # only the email in common
    assert api_book(client, "consult", at(day, 11), someone).status_code == 201


def test_an_unproven_submission_does_not_keep_the_patient_from_being_erased(client, ada, manager_user):
    from audit.services import erasure_blockers, patient_erase

    patient = PatientFactory(first_name="Bo", last_name="Lind", email="bo@example.com", phone="+19415550111",
                             date_of_birth=date(1980, 1, 2))  # fmt: skip
    start = at(next_weekday(1, at_least=2), 10)
    appointment = appointment_book(service=ada.service, start=start, now=timezone.now(), source=Source.ONLINE,
                                   details=PatientDetails("X", "Y", "bo@example.com", "+13055550000",
                                                          date(1980, 1, 2)))  # fmt: skip
    assert appointment.patient_id == patient.pk and not appointment.identity_verified
    token = token_of_appointment(appointment)
    client.post(step_url(token, "contact"), {"email": "x@example.com", "phone": "305-555-0000"})
    client.post(step_url(token, "history"), {**all_no()})
    client.post(step_url(token, "goals"), {"areas": [], "stronger_side": "left", "notes": ""})
    client.post(step_url(token, "consent"), {"agree": "on", "typed_name": "X Y", "signature": png_data_url(),
                                             "strokes": "3"})  # fmt: skip
    assert MedicalHistory.objects.filter(patient=patient, unverified=True).exists()
    assert ContactProposal.objects.filter(patient=patient).exists()
    assert erasure_blockers(patient=patient) == []
    patient_erase(patient=patient, actor=manager_user, now=timezone.now())
    assert not ContactProposal.objects.filter(patient=patient).exists()


def token_of_appointment(appointment) -> str:
    from bookings.tokens import manage_token

    return manage_token(appointment)
