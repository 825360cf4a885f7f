"""The patient's intake: token scope, step-by-step saving, screening outcomes, versions, consent."""

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Appointment, AppointmentStatus, IntakeStatus, Source
from bookings.services import appointment_book
from intake.models import Consent, ImmutableError, IntakeDraft, MedicalHistory
from intake.selectors import history_diff
from tests.bookings.conftest import at, next_weekday
from tests.factories import ConsentTextFactory, ServiceFactory
from tests.intake.conftest import all_no, png_data_url, verify_by_code

pytestmark = pytest.mark.django_db


def step_url(token, step):
    return reverse("intake:step", args=[token, step])


def history_post(**answers) -> dict:
    return {**all_no(), **answers}


def complete(client, token, history=None, *, sign=True):
    client.post(step_url(token, "contact"), {"email": "ada@example.com", "phone": "941-555-0199"})
    client.post(step_url(token, "history"), history or history_post())
    client.post(step_url(token, "goals"), {"areas": [], "stronger_side": "left", "notes": "Left brow sits lower"})
    consent = {"agree": "on", "typed_name": "Ada Park", "signature": png_data_url(), "strokes": "3"} if sign else {}
    return client.post(step_url(token, "consent"), consent, follow=True, HTTP_USER_AGENT="Phone Safari")


def test_the_link_opens_the_first_unfinished_step(client, booked):
    _appointment, token = booked()
    assert client.get(reverse("intake:start", args=[token]))["Location"] == step_url(token, "contact")
    client.post(step_url(token, "contact"), {"email": "ada@example.com", "phone": "9415550199"})
    assert client.get(reverse("intake:start", args=[token]))["Location"] == step_url(token, "history")


def test_a_tampered_or_foreign_token_opens_nothing_and_an_expired_one_says_so(client, booked):
    appointment, token = booked()
    reference, signature = token.split(".")
    assert client.get(reverse("intake:start", args=[f"{reference}.x{signature[1:]}"])).status_code == 404
    other, _other_token = booked(hour=11)
    assert client.get(reverse("intake:start", args=[f"{other.reference}.{signature}"])).status_code == 404
    complete(client, token, history_post(bleeding="yes", **{"bleeding.medicines": "Warfarin"}))
    with mock.patch("django.utils.timezone.now", return_value=appointment.end + timedelta(minutes=1)):
        expired = client.get(reverse("intake:done", args=[token]))
    assert expired.status_code == 410
    assert "Warfarin" not in expired.content.decode() and "This link has expired" in expired.content.decode()


def test_answers_are_kept_step_by_step_and_after_errors(client, booked):
    appointment, token = booked()
    client.post(step_url(token, "contact"), {"email": "ada@example.com", "phone": "9415550199"})
    bad = client.post(step_url(token, "history"), {"pregnancy": "yes", "recent-toxin": "yes",
                                                   "recent-toxin.when": "2999-01-01", "bleeding": "yes"})  # fmt: skip
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Please answer yes or no." in html
    assert "That date is in the future." in html
    assert "Please tell us a little more." in html  # bleeding: which medicines
    assert 'value="2999-01-01"' in html and "Nothing you entered has been lost" in html
    good = history_post(pregnancy="yes", bleeding="yes", **{"bleeding.medicines": "Fish oil"})
    assert client.post(step_url(token, "history"), good).status_code == 302
    # The patient closes the tab and comes back.
    page = client.get(step_url(token, "history")).content.decode()
    assert 'value="Fish oil"' in page
    draft = IntakeDraft.objects.get(appointment=appointment)
    assert draft.answers["history"]["bleeding.medicines"] == "Fish oil"
    assert draft.steps_done == ["contact", "history"]


def test_the_consent_step_cannot_be_reached_before_the_others(client, booked):
    _, token = booked()
    assert client.get(step_url(token, "consent"))["Location"] == step_url(token, "contact")


def test_no_hits_completes_intake(client, booked):
    appointment, token = booked()
    done = complete(client, token)
    assert "You're all set, Ada" in done.content.decode()
    appointment.refresh_from_db()
    assert appointment.intake_status == IntakeStatus.COMPLETE
    assert not appointment.patient.treatment_hold
    history = MedicalHistory.objects.get()
    assert (history.version, history.goals["stronger_side"]) == (1, "left")


def test_an_absolute_hit_flags_holds_and_an_online_toxin_booking_becomes_a_request_to_call(client, booked, clinic):
    appointment, token = booked()
    done = complete(client, token, history_post(**{"toxin-reaction": "yes", "toxin-reaction.reaction": "Rash"}))
    assert "the clinic will call you" in done.content.decode()
    appointment.refresh_from_db()
    patient = appointment.patient
    assert appointment.intake_status == IntakeStatus.FLAGGED and patient.treatment_hold
    toxin = ServiceFactory(slug="toxin", is_toxin_treatment=True, new_patients_online=True)
    clinic.provider.services.add(toxin)
    body = {"start": at(next_weekday(2), 10).isoformat(), "accept_policy": True,
            "patient": {"first_name": "Ada", "last_name": "Park", "email": "ada@example.com",
                        "phone": "+19415550199", "date_of_birth": "1990-05-06"}}  # fmt: skip
    request = client.post("/api/v1/bookings", json.dumps({**body, "service": "toxin"}), content_type="application/json")
    assert request.status_code == 201  # the same answer anyone gets: the hold is not told to a stranger
    assert Appointment.objects.get(reference=request.json()["reference"]).needs_call == "hold"
    consult = client.post("/api/v1/bookings", json.dumps({**body, "service": "consult",
                                                          "start": at(next_weekday(3), 10).isoformat()}),
                          content_type="application/json")  # fmt: skip
    assert consult.status_code == 201
    assert Appointment.objects.get(reference=consult.json()["reference"]).needs_call == ""


def test_a_review_hit_flags_without_a_hold(client, booked):
    appointment, token = booked()
    done = complete(client, token, history_post(**{"face-history": "yes", "face-history.details": "Brow lift 2019"}))
    assert "Your injector will look at this" in done.content.decode()
    appointment.refresh_from_db()
    assert appointment.intake_status == IntakeStatus.FLAGGED and not appointment.patient.treatment_hold


def test_a_treatment_here_under_90_days_ago_is_flagged_from_our_own_records(client, booked, clinic):
    appointment, token = booked()
    toxin = ServiceFactory(is_toxin_treatment=True)
    clinic.provider.services.add(toxin)
    earlier = appointment_book(
        service=toxin,
        start=at(next_weekday(0, at_least=2) - timedelta(days=28), 9),
        now=appointment.start - timedelta(days=60),
        source=Source.DESK,
        patient=appointment.patient,
    )
    Appointment.objects.filter(pk=earlier.pk).update(status=AppointmentStatus.COMPLETED)
    complete(client, token)  # the patient answers "no" to a recent toxin treatment
    assert list(MedicalHistory.objects.get().hits.values_list("code", flat=True)) == ["recent-toxin-here"]


def test_a_returning_patient_confirms_nothing_changed_or_edits_and_each_version_is_kept(client, booked):
    _, first_token = booked()
    complete(client, first_token)
    second, second_token = booked(hour=11, weeks=1)
    assert "Nothing has changed" not in client.get(step_url(second_token, "history")).content.decode()
    verify_by_code(client, second, second_token)
    page = client.get(step_url(second_token, "history")).content.decode()
    assert "Nothing has changed" in page
    client.post(step_url(second_token, "contact"), {"email": "ada@example.com", "phone": "9415550199"})
    confirmed = client.post(step_url(second_token, "history"), {"unchanged": "1"})
    assert confirmed["Location"] == step_url(second_token, "goals")
    client.post(step_url(second_token, "goals"), {})
    client.post(step_url(second_token, "consent"), {})  # already signed this text: nothing to sign
    third, third_token = booked(hour=13, weeks=2)
    verify_by_code(client, third, third_token)
    complete(client, third_token, history_post(bleeding="yes", **{"bleeding.medicines": "Aspirin"}))
    versions = list(MedicalHistory.objects.order_by("version"))
    assert [(v.version, v.confirmed_unchanged) for v in versions] == [(1, False), (2, True), (3, False)]
    assert versions[1].answers == versions[0].answers
    diff = history_diff(versions[1], versions[2])
    assert [(row["code"], row["before"], row["answer"]) for row in diff] == [("bleeding", "No", "Yes")]


def test_consent_needs_the_typed_name_and_a_drawn_signature(client, booked, consent_text):
    _appointment, token = booked()
    complete(client, token, sign=False)
    url = step_url(token, "consent")
    empty = client.post(url, {"agree": "on", "typed_name": "Ada Park", "signature": png_data_url(), "strokes": "0"})
    assert "The signature box is empty" in empty.content.decode()
    no_image = client.post(url, {"agree": "on", "typed_name": "Ada Park", "signature": "", "strokes": "2"})
    assert "Please sign in the box" in no_image.content.decode()
    garbage = client.post(url, {"agree": "on", "typed_name": "Ada Park", "signature": "data:image/png;base64,AAAA",
                                "strokes": "2"})  # fmt: skip
    assert "didn&#x27;t come through" in garbage.content.decode()
    wrong_name = client.post(url, {"agree": "on", "typed_name": "A P", "signature": png_data_url(), "strokes": "2"})
    assert "Type your full name as on your booking: Ada Park." in wrong_name.content.decode()
    assert 'value="A P"' in wrong_name.content.decode()
    assert not Consent.objects.exists() and not MedicalHistory.objects.exists()
    client.post(url, {"agree": "on", "typed_name": "ada  park", "signature": png_data_url(), "strokes": "2"},
                HTTP_USER_AGENT="Phone Safari", REMOTE_ADDR="203.0.113.9")  # fmt: skip
    consent = Consent.objects.get()
    assert (consent.text, consent.typed_name, consent.user_agent, consent.ip_address) == (
        consent_text, "ada park", "Phone Safari", "203.0.113.9")  # fmt: skip
    assert bytes(consent.signature_png).startswith(b"\x89PNG")


def test_a_signed_consent_is_immutable_and_a_new_text_needs_a_new_signature(client, booked, consent_text):
    _, token = booked()
    complete(client, token)
    consent = Consent.objects.get()
    consent.typed_name = "Someone Else"
    with pytest.raises(ImmutableError):
        consent.save()
    with pytest.raises(ImmutableError):
        consent.delete()
    ConsentTextFactory(service=consent_text.service, version=2, title="Consent v2", body="New wording.")
    second, second_token = booked(hour=11, weeks=1)
    verify_by_code(client, second, second_token)
    client.post(step_url(second_token, "contact"), {"email": "ada@example.com", "phone": "9415550199"})
    client.post(step_url(second_token, "history"), {"unchanged": "1"})
    client.post(step_url(second_token, "goals"), {})
    page = client.get(step_url(second_token, "consent")).content.decode()
    assert "Consent v2" in page and "Sign and finish" in page
    client.post(step_url(second_token, "consent"), {"agree": "on", "typed_name": "Ada Park",
                                                    "signature": png_data_url(), "strokes": "1"})  # fmt: skip
    assert list(Consent.objects.order_by("signed_at").values_list("text__version", flat=True)) == [1, 2]


def test_contact_corrections_reach_the_patient_record(client, booked):
    appointment, token = booked()
    bad = client.post(step_url(token, "contact"), {"email": "nope", "phone": "1"})
    assert bad.status_code == 400 and "Enter a valid phone number" in bad.content.decode()
    complete(client, token)
    client.post(step_url(token, "contact"), {"email": "ada.new@example.com", "phone": "(941) 555-0123"})
    appointment.patient.refresh_from_db()
    assert appointment.patient.phone == "+19415550199"  # submitted already: the form is closed
    second, token2 = booked(hour=11, weeks=1)
    verify_by_code(client, second, token2)
    client.post(step_url(token2, "contact"), {"email": "ada.new@example.com", "phone": "(941) 555-0123"})
    client.post(step_url(token2, "history"), {"unchanged": "1"})
    client.post(step_url(token2, "goals"), {})
    client.post(step_url(token2, "consent"), {})
    appointment.patient.refresh_from_db()
    assert (appointment.patient.email, appointment.patient.phone) == ("ada.new@example.com", "+19415550123")
    assert timezone.now()
