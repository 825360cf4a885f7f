"""Clinical screens: only clinical staff read answers, every read is logged, decisions lift or keep holds,
and an urgent follow-up reaches the clinic without a health detail leaving the site."""

import csv
import io
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import IntakeStatus
from intake.models import AccessLog, FollowUp
from intake.tokens import follow_up_token
from reminders.models import Message
from reminders.services import messages_send_due
from tests.intake.conftest import all_no
from tests.intake.test_intake_flow import complete

pytestmark = pytest.mark.django_db

REACTION = {**all_no(), "toxin-reaction": "yes", "toxin-reaction.reaction": "Hives after Dysport"}


@pytest.fixture
def flagged(client, booked):
    appointment, token = booked()
    complete(client, token, REACTION)
    client.logout()
    appointment.refresh_from_db()
    return appointment


def test_front_desk_gets_403_on_answers_and_sees_only_the_badge(client, front_desk_user, flagged):
    client.force_login(front_desk_user)
    for url in (reverse("intake:queue"), reverse("intake:review", args=[flagged.reference]),
                reverse("intake:access-log"), reverse("intake:access-log") + "?format=csv"):  # fmt: skip
        assert client.get(url).status_code == 403, url
    day = client.get(f"/staff/?location=sarasota&date={flagged.local_start.date()}").content.decode()
    assert "Intake flagged for review" in day and "Hives" not in day
    profile = client.get(reverse("bookings:staff-patient", args=[flagged.patient.pk])).content.decode()
    assert "Hives" not in profile and "toxin-reaction" not in profile
    assert not AccessLog.objects.exists()


def test_every_read_of_a_history_is_logged_with_who_when_and_where(client, injector_user, flagged, settings):
    client.force_login(injector_user)
    url = reverse("intake:review", args=[flagged.reference])
    page = client.get(url, REMOTE_ADDR="198.51.100.7").content.decode()
    assert "Hives after Dysport" in page and "Prior reaction to a botulinum toxin product" in page
    settings.TRUSTED_PROXY_COUNT = 1  # behind one proxy, which appended the address it saw
    client.get(url, HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5", REMOTE_ADDR="10.0.0.1")
    logs = list(AccessLog.objects.order_by("at"))
    assert [(log.actor, log.patient, log.what, log.ip_address, log.path) for log in logs] == [
        (injector_user, flagged.patient, "medical history", "198.51.100.7", url),
        (injector_user, flagged.patient, "medical history", "203.0.113.5", url),
    ]


def test_the_queue_lists_flagged_and_unfinished_soonest_first(client, injector_user, booked, flagged):
    later, _ = booked(hour=11, weeks=1)
    client.force_login(injector_user)
    html = client.get(reverse("intake:queue")).content.decode()
    assert html.index(reverse("intake:review", args=[flagged.reference])) < html.index(
        reverse("intake:review", args=[later.reference]))  # fmt: skip


def test_clearing_lifts_the_flag_and_the_hold_other_decisions_keep_them(client, injector_user, booked):
    # A defer hit (an infection at the site): an absolute one can't be cleared at all (test_decisions).
    flagged, token = booked()
    complete(client, token, {**all_no(), "skin-infection": "yes", "skin-infection.where": "Cold sore, upper lip"})
    client.force_login(injector_user)
    url = reverse("intake:review", args=[flagged.reference])
    assert client.post(url, {"decision": "", "note": ""}).status_code == 200  # a field error, nothing decided
    client.post(url, {"decision": "consultation", "note": "See it at the visit"})
    flagged.refresh_from_db()
    flagged.patient.refresh_from_db()
    assert flagged.intake_status == IntakeStatus.FLAGGED and flagged.patient.treatment_hold
    client.post(url, {"decision": "cleared", "note": "Cold sore healed: seen on a photo"})
    flagged.refresh_from_db()
    flagged.patient.refresh_from_db()
    assert flagged.intake_status == IntakeStatus.COMPLETE and not flagged.patient.treatment_hold
    assert list(flagged.screening_decisions.values_list("decision", "decided_by")) == [
        ("cleared", injector_user.pk), ("consultation", injector_user.pk)]  # fmt: skip


def test_a_manager_views_and_exports_the_access_log(client, injector_user, manager_user, flagged):
    client.force_login(injector_user)
    client.get(reverse("intake:review", args=[flagged.reference]))
    assert client.get(reverse("intake:access-log")).status_code == 403
    client.force_login(manager_user)
    assert flagged.patient.full_name in client.get(reverse("intake:access-log")).content.decode()
    export = client.get(reverse("intake:access-log") + "?format=csv")
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][:3] == ["at (UTC)", "staff", "patient id"] and rows[1][1] == "injector"
    assert "Hives" not in export.content.decode()


@pytest.fixture
def smtp_settings(settings, smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    return smtp_server


def test_an_urgent_symptom_tells_the_patient_to_seek_care_and_alerts_the_clinic(
    client, booked, front_desk_user, injector_user, smtp_settings, django_capture_on_commit_callbacks
):
    appointment, _ = booked()
    url = reverse("intake:follow-up", args=[follow_up_token(appointment)])
    assert client.post(url, {"looks": "great"}).status_code == 400  # missing answers: on the form
    messages_send_due()  # what the booking queued goes first: only the alert is left to arrive below
    smtp_settings.envelopes.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, {"looks": "uneven", "urgent": ["swallowing"], "satisfaction": "2", "touch_up": "no"})
    messages_send_due()  # the sweep a worker runs: the alert is an outbox row
    assert "Please seek medical care now" in page.content.decode()
    follow_up = FollowUp.objects.get()
    assert follow_up.urgent and follow_up.alert_sent_at
    assert len(smtp_settings.envelopes) == 1
    alert = smtp_settings.messages[0]
    assert alert["To"] == "hello@stillwater.example"
    body = alert.get_body(preferencelist=("plain",)).get_content()
    assert "swallowing" not in body.lower() and appointment.patient.last_name not in body
    assert messages_send_due() == 0 and Message.objects.filter(kind="urgent-follow-up").count() == 1  # once

    client.force_login(front_desk_user)
    day = client.get("/staff/").content.decode()
    assert "Urgent:</strong> 1 patient reported an urgent symptom" in day
    listing = client.get(reverse("intake:follow-ups")).content.decode()
    assert appointment.patient.full_name in listing and "swallowing" not in listing
    client.force_login(injector_user)
    assert "swallowing" in client.get(reverse("intake:follow-ups")).content.decode()
    assert AccessLog.objects.filter(what="follow-up", actor=injector_user).count() == 1
    client.post(reverse("intake:follow-ups"), {"acknowledge": follow_up.pk})
    assert "Urgent:" not in client.get("/staff/").content.decode()


def test_a_calm_follow_up_thanks_and_offers_the_review(client, booked):
    appointment, _ = booked()
    url = reverse("intake:follow-up", args=[follow_up_token(appointment)])
    page = client.post(url, {"looks": "great", "side_effects": ["bruising"], "satisfaction": "5", "touch_up": "no"})
    assert "book your two-week review" in page.content.decode()
    assert not FollowUp.objects.get().urgent


def test_follow_up_links_expire_60_days_after_the_visit(client, booked):
    appointment, _ = booked()
    url = reverse("intake:follow-up", args=[follow_up_token(appointment)])
    with mock.patch("django.utils.timezone.now", return_value=appointment.end + timezone.timedelta(days=61)):
        assert client.get(url).status_code == 410
    assert client.get(url.replace(appointment.reference, "AAAAAAAA")).status_code == 404


def test_a_manager_publishes_a_new_consent_version_and_the_old_one_is_kept(client, manager_user, consent_text):
    from intake.models import ConsentText

    client.force_login(manager_user)
    new_version = {"service": consent_text.service.pk, "title": "Consent to treatment", "body": "Clearer words."}
    response = client.post(reverse("admin:intake_consenttext_add"), new_version)
    assert response.status_code == 302
    assert list(ConsentText.objects.filter(service=consent_text.service).values_list("version", "body")) == [
        (2, "Clearer words."), (1, "I agree to be treated.")]  # fmt: skip
    change = client.post(reverse("admin:intake_consenttext_change", args=[consent_text.pk]), {"body": "Edited"})
    assert change.status_code == 403
    consent_text.refresh_from_db()
    assert consent_text.body == "I agree to be treated."
