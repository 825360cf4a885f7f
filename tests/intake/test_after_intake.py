"""After intake: the patient reads and corrects what they sent; the injector keeps the answers one click away."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from bookings.models import Appointment, AppointmentStatus, IntakeStatus
from intake.models import AccessLog, MedicalHistory
from intake.selectors import history_visible_to_link
from medspa.roles import INJECTOR
from tests.html_forms import form_data
from tests.intake.conftest import all_no, png_bytes, png_data_url, verify_by_code
from tests.intake.test_intake_flow import step_url

pytestmark = pytest.mark.django_db

REACTION = {**all_no(), "toxin-reaction": "yes", "toxin-reaction.reaction": "Hives after Dysport"}


def submit(client, token, history=None, *, areas=("dao", "masseter"), notes="Left brow sits lower", sign=True):
    client.post(step_url(token, "contact"), {"email": "ada@example.com", "phone": "941-555-0199"})
    client.post(step_url(token, "history"), history or all_no())
    client.post(step_url(token, "goals"), {"areas": list(areas), "stronger_side": "left", "notes": notes})
    consent = {"agree": "on", "typed_name": "Ada Park", "signature": png_data_url(), "strokes": "3"} if sign else {}
    return client.post(step_url(token, "consent"), consent, follow=True)


def correction_of(page: str, **changes) -> dict:
    """What the correction page renders, with the patient's changes."""
    data = form_data(page, having="bleeding")
    data.update(changes)
    return data


@pytest.fixture
def submitted(client, booked, consent_text):
    appointment, token = booked()
    submit(client, token, {**all_no(), "recent-toxin": "yes", "recent-toxin.when": "2026-01-05",
                           "recent-toxin.product": "dysport"})  # fmt: skip
    appointment.refresh_from_db()
    return appointment, token


# The patient's summary


def test_the_done_page_shows_what_the_patient_sent_in_plain_words(client, submitted, consent_text):
    appointment, token = submitted
    response = client.get(reverse("intake:done", args=[token]))
    assert "no-store" in response["Cache-Control"]  # a shared phone's browser keeps no copy
    page = response.content.decode()
    assert "Your answers" in page
    assert "Have you had any Botox-type injection, of any brand" in page
    assert "About when? January 5, 2026" in page and "Which product? Dysport" in page
    assert "Downturned mouth corners, Jawline and masseters" in page and "dao, masseter" not in page
    assert "Left brow sits lower" in page
    assert "“Consent to treatment” (version 1)" in page and "<strong>Ada Park</strong>" in page
    signed = appointment.patient.consents.get().signed_at.astimezone(appointment.location.zone)
    assert f"{signed:%B} {signed.day}, {signed.year}" in page and signed.strftime("%Z") in page
    assert reverse("intake:correct", args=[token]) in page


def test_the_done_page_gives_the_visits_real_length(client, clinic, booked):
    clinic.service.duration_minutes = 45
    clinic.service.save()
    _appointment, token = booked()
    submit(client, token)
    page = client.get(reverse("intake:done", args=[token])).content.decode()
    assert "takes about 45 minutes" in page and "10–30" not in page


def test_a_correction_makes_the_next_version_and_the_injector_sees_it(client, injector_user, submitted):
    appointment, token = submitted
    assert appointment.intake_status == IntakeStatus.FLAGGED  # recent toxin elsewhere: a review hit
    url = reverse("intake:correct", args=[token])
    page = client.get(url).content.decode()
    assert 'value="Left brow sits lower"' not in page and "Left brow sits lower" in page  # a textarea, prefilled
    data = correction_of(page, bleeding="yes", **{"bleeding.medicines": "Warfarin"})
    assert data["recent-toxin.product"] == "dysport" and data["areas"] == ["dao", "masseter"]
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == reverse("intake:done", args=[token])
    versions = list(MedicalHistory.objects.filter(patient=appointment.patient).order_by("version"))
    assert [h.version for h in versions] == [1, 2]
    assert versions[1].answers["bleeding.medicines"] == "Warfarin"
    assert versions[1].goals["areas"] == ["dao", "masseter"] and versions[1].appointment == appointment
    assert {hit.code for hit in versions[1].hits.all()} == {"recent-toxin", "bleeding"}
    appointment.refresh_from_db()
    assert appointment.intake_status == IntakeStatus.FLAGGED
    done = client.get(reverse("intake:done", args=[token])).content.decode()
    assert "sent to your injector" in done and "Which? Warfarin" in done

    client.force_login(injector_user)
    queue = client.get(reverse("intake:queue")).content.decode()
    assert reverse("intake:review", args=[appointment.reference]) in queue
    review = client.get(reverse("intake:review", args=[appointment.reference])).content.decode()
    assert "What changed since version 1" in review and "Which? Warfarin" in review


def test_a_correction_that_changes_no_hit_keeps_the_decision_and_waits_in_the_queue(client, injector_user, booked):
    appointment, token = booked()
    submit(client, token, {**all_no(), "pregnancy": "yes"})  # a defer hit: cleared with a note, it lifts the hold
    client.force_login(injector_user)
    review_url = reverse("intake:review", args=[appointment.reference])
    client.post(review_url, {"decision": "cleared", "note": "Baby born in March; no longer breastfeeding"})
    appointment.refresh_from_db()
    appointment.patient.refresh_from_db()
    assert appointment.intake_status == IntakeStatus.COMPLETE and not appointment.patient.treatment_hold
    queue = client.get(reverse("intake:queue")).content.decode()
    assert "Nothing to review." in queue  # cleared: out of the queue…
    assert queue.index("Recently reviewed") < queue.index(review_url)  # …and in the recently reviewed list

    client.logout()
    url = reverse("intake:correct", args=[token])
    client.post(url, correction_of(client.get(url).content.decode(), notes="Also my chin dimples"))
    appointment.refresh_from_db()
    appointment.patient.refresh_from_db()
    assert appointment.intake_status == IntakeStatus.COMPLETE and not appointment.patient.treatment_hold
    client.force_login(injector_user)
    queue = client.get(reverse("intake:queue")).content.decode()
    assert "Corrected by the patient" in queue and queue.index(review_url) < queue.index("Recently reviewed")
    client.post(review_url, {"decision": "cleared", "note": "Seen the correction"})
    queue = client.get(reverse("intake:queue")).content.decode()
    assert "Corrected by the patient" not in queue and "Nothing to review." in queue


def test_a_correction_with_a_new_absolute_hit_holds_treatment(client, booked):
    appointment, token = booked()
    submit(client, token)
    url = reverse("intake:correct", args=[token])
    client.post(url, correction_of(client.get(url).content.decode(), pregnancy="yes"))
    appointment.refresh_from_db()
    appointment.patient.refresh_from_db()
    assert appointment.intake_status == IntakeStatus.FLAGGED and appointment.patient.treatment_hold
    done = client.get(reverse("intake:done", args=[token])).content.decode()
    assert "recommended for now; the clinic will call" in done


def test_a_correction_with_missing_details_is_refused_field_by_field_and_stores_nothing(client, submitted):
    _appointment, token = submitted
    url = reverse("intake:correct", args=[token])
    response = client.post(url, correction_of(client.get(url).content.decode(), bleeding="yes"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Please tell us a little more." in page and "Nothing you entered has been lost" in page
    assert MedicalHistory.objects.count() == 1


def test_after_check_in_the_answers_are_read_only_for_the_patient(client, submitted):
    appointment, token = submitted
    Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.CHECKED_IN)
    url = reverse("intake:correct", args=[token])
    assert client.get(url)["Location"] == reverse("intake:done", args=[token])
    assert client.post(url, {**all_no()})["Location"] == reverse("intake:done", args=[token])
    assert MedicalHistory.objects.count() == 1
    page = client.get(reverse("intake:done", args=[token])).content.decode()
    assert url not in page and "Tell your injector at your visit" in page


def test_an_unverified_link_shows_only_what_was_sent_through_it(client, booked, consent_text):
    first, first_token = booked()
    second, second_token = booked(hour=11)
    assert first.patient_id == second.patient_id  # the same email and date of birth
    assert first.identity_verified and not second.identity_verified  # the second matched a record online
    submit(client, second_token, {**all_no(), "bleeding": "yes", "bleeding.medicines": "Fish oil"})
    submit(client, first_token, {**all_no(), "bleeding": "yes", "bleeding.medicines": "Warfarin"})
    assert history_visible_to_link(second).answers["bleeding.medicines"] == "Fish oil"
    page = client.get(reverse("intake:done", args=[second_token])).content.decode()
    assert "Fish oil" in page and "Warfarin" not in page
    correct = client.get(reverse("intake:correct", args=[second_token])).content.decode()
    assert 'value="Fish oil"' in correct and "Warfarin" not in correct
    # Once the code sent to the email on file is entered, the link shows the patient's own answers.
    verify_by_code(client, second, second_token)
    assert "Warfarin" in client.get(reverse("intake:done", args=[second_token])).content.decode()


# The injector's side


def test_the_queue_puts_flagged_first_then_soonest(client, injector_user, booked):
    soon, _ = booked(hour=9)  # not started, this week
    flagged, flagged_token = booked(hour=10, weeks=1)
    submit(client, flagged_token, REACTION)
    also_flagged, also_token = booked(hour=9, weeks=2)
    submit(client, also_token, REACTION)
    client.force_login(injector_user)
    html = client.get(reverse("intake:queue")).content.decode()
    positions = [html.index(reverse("intake:review", args=[a.reference])) for a in (flagged, also_flagged, soon)]
    assert positions == sorted(positions)


def test_front_desk_gets_no_answers_no_signature_and_no_links(client, front_desk_user, submitted):
    appointment, _token = submitted
    consent = appointment.patient.consents.get()
    client.force_login(front_desk_user)
    for url in (reverse("intake:patient-answers", args=[appointment.patient.pk]),
                reverse("intake:consent-signature", args=[consent.pk])):  # fmt: skip
        assert client.get(url).status_code == 403, url
    detail = client.get(reverse("bookings:staff-appointment", args=[appointment.reference])).content.decode()
    profile = client.get(reverse("bookings:staff-patient", args=[appointment.patient.pk])).content.decode()
    for page in (detail, profile):
        assert "/staff/review/" not in page and "/answers/" not in page and "Dysport" not in page
    assert "Intake: flagged for review" in detail
    assert not AccessLog.objects.exists()


def test_the_injector_reaches_the_answers_from_the_appointment_and_the_profile(client, clinic, submitted):
    appointment, _token = submitted
    injector = clinic.provider.user  # an injector opens their own appointments
    injector.groups.add(Group.objects.get(name=INJECTOR))
    TOTPDevice.objects.create(user=injector, name="Authenticator app", confirmed=True)  # the role requires it
    client.force_login(injector)
    detail = client.get(reverse("bookings:staff-appointment", args=[appointment.reference])).content.decode()
    review_url = reverse("intake:review", args=[appointment.reference])
    assert f'href="{review_url}"' in detail
    profile = client.get(reverse("bookings:staff-patient", args=[appointment.patient.pk])).content.decode()
    answers_url = reverse("intake:patient-answers", args=[appointment.patient.pk])
    assert f'href="{answers_url}"' in profile
    answers = client.get(answers_url)
    assert answers.status_code == 200
    page = answers.content.decode()
    assert "Which product? Dysport" in page and "Version 1" in page and f'href="{review_url}"' in page
    assert AccessLog.objects.filter(actor=injector, what="medical history", path=answers_url).exists()


def test_the_signature_is_shown_from_a_logged_uncached_view(client, injector_user, submitted):
    appointment, _token = submitted
    consent = appointment.patient.consents.get()
    url = reverse("intake:consent-signature", args=[consent.pk])
    client.force_login(injector_user)
    review = client.get(reverse("intake:review", args=[appointment.reference])).content.decode()
    assert f'src="{url}"' in review and 'alt="Signature drawn by Ada Park"' in review
    response = client.get(url, REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response.content == png_bytes()
    log = AccessLog.objects.get(what="consent signature")
    assert (log.actor, log.patient, log.object_id, log.ip_address, log.path) == (
        injector_user, appointment.patient, str(consent.pk), "198.51.100.9", url)  # fmt: skip


def test_a_long_note_wraps_instead_of_widening_the_review_page(client, injector_user, booked, settings):
    appointment, token = booked()
    note = "x" * 2000  # the longest note the form takes: 20,000 px wide in one line
    submit(client, token, {**all_no(), "bleeding": "yes", "bleeding.medicines": "y" * 300}, notes=note)
    client.force_login(injector_user)
    page = client.get(reverse("intake:review", args=[appointment.reference])).content.decode()
    assert f'<dd class="col-sm-8 wrap-anywhere patient-notes">{note}</dd>' in page
    assert 'class="table table-sm answers-table wrap-anywhere"' in page and "text-nowrap" not in page
    assert 'style="max-width' not in page
    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    assert ".wrap-anywhere { overflow-wrap: anywhere;" in css


def test_goals_read_as_area_names(client, injector_user, submitted):
    appointment, _token = submitted
    client.force_login(injector_user)
    page = client.get(reverse("intake:review", args=[appointment.reference])).content.decode()
    assert "Downturned mouth corners, Jawline and masseters" in page and "dao, masseter" not in page


def test_recently_reviewed_lists_decisions_of_the_last_two_weeks_only(client, injector_user, submitted):
    appointment, _token = submitted
    client.force_login(injector_user)
    review_url = reverse("intake:review", args=[appointment.reference])
    client.post(review_url, {"decision": "cleared", "note": "Dysport in January: over 90 days ago"})
    assert review_url in client.get(reverse("intake:queue")).content.decode()
    appointment.screening_decisions.update(decided_at=timezone.now() - timedelta(days=15))
    assert review_url not in client.get(reverse("intake:queue")).content.decode()


# The patient profile


def test_an_injector_reads_contact_details_as_text_with_nothing_that_looks_editable(client, injector_user, submitted):
    appointment, _token = submitted
    client.force_login(injector_user)
    page = client.get(reverse("bookings:staff-patient", args=[appointment.patient.pk])).content.decode()
    assert "ada@example.com" in page and "Agrees to text messages" in page
    assert 'name="email"' not in page and 'name="phone"' not in page and ">Save<" not in page
    assert client.post(reverse("bookings:staff-patient", args=[appointment.patient.pk]),
                       {"email": "x@example.com"}).status_code == 403  # fmt: skip


def test_front_desk_saves_the_profile_by_posting_what_it_renders(client, front_desk_user, submitted):
    appointment, _token = submitted
    url = reverse("bookings:staff-patient", args=[appointment.patient.pk])
    client.force_login(front_desk_user)
    page = client.get(url).content.decode()
    assert ">Save</button>" in page
    unchanged = form_data(page, having="email")
    assert client.post(url, unchanged)["Location"] == url  # unchanged saves
    changed = {**unchanged, "phone": "(941) 555-0177", "email": "ada.park@example.com"}
    assert client.post(url, changed)["Location"] == url
    appointment.patient.refresh_from_db()
    assert (appointment.patient.phone, appointment.patient.email) == ("+19415550177", "ada.park@example.com")
