"""The outbox: planned by bookings' signals, sent when due, once, on the channel the patient allows."""

import base64
import hashlib
import hmac
import http.server
import json
import threading
import urllib.parse
from datetime import date, datetime, timedelta
from unittest import mock

import factory
import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bookings.models import AppointmentStatus, IntakeStatus, Patient, Source
from bookings.services import (
    PatientDetails,
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_complete,
    appointment_reschedule,
)
from reminders.channels import ChannelError, Outgoing
from reminders.channels import sms as sms_channels
from reminders.channels.sms import TwilioSMS
from reminders.models import Message, MessageState
from reminders.services import message_resend, message_send_next, messages_send_due, timeline_on_booked
from reminders.tokens import opt_out_token
from tests.bookings.conftest import NEW_YORK, at, next_weekday
from tests.conftest import free_port
from tests.factories import AftercareStepFactory, MessageFactory, TreatmentAreaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings, smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return smtp_server


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "reminders.channels.sms.MemorySMS"
    sms_channels.outbox.clear()
    return sms_channels.outbox


def book(clinic, *, weeks=1, hour=10, now=None, **details):
    person = {"first_name": "Ada", "last_name": "Park", "email": "ada@example.com", "phone": "+19415550199",
              "date_of_birth": date(1990, 5, 6), **details}  # fmt: skip
    return appointment_book(
        service=clinic.service,
        start=at(next_weekday(0, at_least=2 + 7 * weeks), hour),
        now=now or timezone.now(),
        source=Source.ONLINE,
        details=PatientDetails(**person),
        areas=[TreatmentAreaFactory(name="Chin dimpling")],
    )


def states(appointment) -> dict:
    return {(m.kind, m.step): m.state for m in Message.objects.filter(appointment=appointment)}


def test_booking_plans_its_messages_once_however_often_the_timeline_runs(clinic):
    appointment = book(clinic)
    planned = set(states(appointment))
    assert planned == {("confirmation", "booked"), ("intake", "48h"), ("reminder", "24h")}
    timeline_on_booked(appointment=appointment, now=timezone.now())
    timeline_on_booked(appointment=appointment, now=timezone.now() + timedelta(minutes=5))
    assert Message.objects.count() == 3
    reminder = Message.objects.get(kind="reminder")
    assert reminder.due_at == appointment.start - timedelta(days=1)


def test_the_confirmation_goes_by_email_with_ics_links_and_no_health_details(clinic, smtp):
    appointment = book(clinic)
    assert messages_send_due() == 1  # only the confirmation is due yet
    message = smtp.messages[0]
    assert message["To"] == "ada@example.com"
    assert message["Message-ID"].startswith(f"<a{appointment.pk}.confirmation.booked@")
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert f"/my/{appointment.reference}." in text and f"/intake/{appointment.reference}." in text
    assert "/messages/stop/" in text and "Stop these emails" in html
    ics = next(message.iter_attachments()).get_content()
    assert "DTSTART;TZID=America/New_York:" in ics
    for body in (text, html, ics):
        assert "Chin dimpling" not in body
    sent = Message.objects.get(kind="confirmation")
    assert (sent.state, sent.sent_channel, sent.attempts) == (MessageState.SENT, "email", 1)
    assert sent.subject.startswith("Booked: Consultation,") and "Chin dimpling" not in sent.body
    assert messages_send_due() == 0  # nothing twice


def test_each_message_costs_the_same_few_queries_however_many_are_due(clinic, smtp):
    def queries_per_message(count):
        Message.objects.all().delete()
        appointment = book(clinic, hour=9)
        Message.objects.filter(appointment=appointment).delete()
        MessageFactory.create_batch(count, appointment=appointment, step=factory.Sequence(lambda i: f"s{i}"),
                                    due_at=timezone.now() - timedelta(minutes=1))  # fmt: skip
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            assert messages_send_due() == count
        appointment.delete()
        return len(queries) / count

    few, many = queries_per_message(3), queries_per_message(30)
    assert many <= few <= 8


def test_moving_re_times_pending_reminders_and_says_so(clinic, smtp):
    appointment = book(clinic)
    messages_send_due()
    appointment_reschedule(appointment=appointment, start=appointment.start + timedelta(days=1, hours=3),
                           now=timezone.now(), by_patient=True)  # fmt: skip
    appointment.refresh_from_db()
    reminder = Message.objects.get(kind="reminder")
    assert reminder.state == MessageState.PENDING and reminder.due_at == appointment.start - timedelta(days=1)
    assert Message.objects.get(kind="moved").due_at <= timezone.now()
    messages_send_due()
    assert smtp.messages[-1]["Subject"].startswith("Your appointment has moved to")


def test_a_cancelled_appointment_sends_nothing_more_but_the_notice(clinic, smtp):
    appointment = book(clinic)
    appointment_cancel(appointment=appointment, now=timezone.now(), by_patient=True)
    assert messages_send_due() == 1
    assert [m["Subject"] for m in smtp.messages] == ["Your appointment is cancelled"]
    assert states(appointment) == {("confirmation", "booked"): MessageState.SKIPPED,
                                   ("intake", "48h"): MessageState.SKIPPED, ("reminder", "24h"): MessageState.SKIPPED,
                                   ("cancelled", "cancelled"): MessageState.SENT}  # fmt: skip
    later = appointment.start - timedelta(hours=20)
    assert messages_send_due(now_fn=lambda: later) == 0


def test_a_message_already_due_for_a_cancelled_appointment_is_skipped_at_send_time(clinic, smtp):
    appointment = book(clinic)
    type(appointment).objects.filter(pk=appointment.pk).update(status=AppointmentStatus.CANCELLED)
    assert messages_send_due() == 0
    assert Message.objects.get(kind="confirmation").last_error == "The appointment is cancelled"


def test_the_48_hour_message_goes_when_intake_is_done_asking_only_what_is_new(clinic, smtp):
    appointment = book(clinic)
    type(appointment).objects.filter(pk=appointment.pk).update(intake_status=IntakeStatus.COMPLETE)
    messages_send_due(now_fn=lambda: appointment.start - timedelta(hours=47))
    assert states(appointment)[("intake", "48h")] == MessageState.SENT
    text = smtp.messages[-1].get_body(preferencelist=("plain",)).get_content()
    assert "new medicine" in text and "/intake/" not in text


def test_completing_a_treatment_plans_the_aftercare_from_the_catalog(clinic, front_desk_user):
    for key, hours in (("sheet", 0), ("upright", 4), ("two-week", 24 * 14)):
        AftercareStepFactory(service=clinic.service, key=key, offset=timedelta(hours=hours), title=key.title(),
                             body=f"Advice for {key}.")  # fmt: skip
    appointment = book(clinic)
    appointment_check_in(appointment=appointment, actor=front_desk_user, now=appointment.start)
    appointment_complete(appointment=appointment, actor=front_desk_user, now=appointment.end)
    aftercare = {m.step: m.due_at for m in Message.objects.filter(kind="aftercare")}
    assert set(aftercare) == {"sheet", "upright", "two-week"}
    assert aftercare["upright"] == appointment.end + timedelta(hours=4)
    assert aftercare["two-week"].astimezone(NEW_YORK).date() == (appointment.end + timedelta(days=14)).date()


def test_opt_out_is_respected_at_send_time(client, clinic, smtp):
    appointment = book(clinic)
    token = opt_out_token(Message.objects.get(appointment=appointment, kind="confirmation"), "email")
    page = client.get(reverse("reminders:opt-out", args=[token]))
    assert "Stop emails?" in page.content.decode()
    assert not Patient.objects.get().opted_out_email  # a GET (a mail scanner's click) changes nothing
    assert "no more emails" in client.post(reverse("reminders:opt-out", args=[token])).content.decode()
    assert messages_send_due() == 0
    assert Message.objects.get(kind="confirmation").state == MessageState.SKIPPED
    assert client.get(reverse("reminders:opt-out", args=[token[:-2] + "xx"])).status_code == 404


def test_texts_go_by_sms_when_preferred_and_agreed_and_wait_out_quiet_hours(clinic, sms, settings):
    appointment = book(clinic)
    Patient.objects.filter(pk=appointment.patient_id).update(preferred_channel="sms", consent_sms=True)
    Message.objects.filter(kind="confirmation").update(state=MessageState.SENT)
    late_evening = datetime.combine(appointment.start.date() - timedelta(days=2), datetime.min.time().replace(hour=22),
                                    tzinfo=NEW_YORK)  # fmt: skip
    reminder = Message.objects.get(kind="intake")
    Message.objects.filter(pk=reminder.pk).update(due_at=late_evening - timedelta(minutes=5))
    message_send_next(now=late_evening)
    reminder.refresh_from_db()
    assert reminder.state == MessageState.PENDING and not sms
    assert reminder.due_at == (late_evening + timedelta(days=1)).replace(hour=8, minute=0)
    message_send_next(now=reminder.due_at)
    reminder.refresh_from_db()
    assert reminder.state == MessageState.SENT and reminder.sent_channel == "sms"
    assert sms[0].to == "+19415550199" and "Reply STOP" in sms[0].text and len(sms[0].text) <= 480


def test_without_sms_consent_the_preferred_text_falls_back_to_email(clinic, smtp, sms):
    appointment = book(clinic)
    Patient.objects.filter(pk=appointment.patient_id).update(preferred_channel="sms", consent_sms=False)
    messages_send_due()
    assert not sms and len(smtp.envelopes) == 1


def test_failures_back_off_then_fail_and_staff_can_resend(clinic, settings, client, front_desk_user):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.MESSAGE_MAX_ATTEMPTS = 3
    book(clinic)
    now = timezone.now()
    for attempt, wait in ((1, 2), (2, 4)):
        message = message_send_next(now=now)
        assert (message.state, message.attempts) == (MessageState.PENDING, attempt)
        assert message.due_at == now + timedelta(minutes=wait) and "Connection refused" in message.last_error
        now = message.due_at
    message = message_send_next(now=now)
    assert (message.state, message.attempts) == (MessageState.FAILED, 3)
    client.force_login(front_desk_user)
    outbox = client.get(reverse("reminders:outbox"), {"state": "failed"}).content.decode()
    assert "Resend" in outbox and "Ada Park" in outbox
    client.post(reverse("reminders:resend", args=[message.pk]))
    message.refresh_from_db()
    assert (message.state, message.attempts) == (MessageState.PENDING, 0)
    assert message_resend(message=message, now=now).state == MessageState.PENDING


def test_the_patient_message_log_is_linked_from_the_profile(client, clinic, smtp, front_desk_user):
    appointment = book(clinic)
    messages_send_due()
    client.force_login(front_desk_user)
    profile = client.get(reverse("bookings:staff-patient", args=[appointment.patient_id])).content.decode()
    log_url = reverse("reminders:patient-messages", args=[appointment.patient_id])
    assert log_url in profile
    log = client.get(log_url).content.decode()
    assert "confirmation" in log and "Sent" in log and "reminder" in log and "Pending" in log


class _Twilio(http.server.BaseHTTPRequestHandler):
    requests: list = []
    status = 201

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).requests.append((self.path, self.headers["Authorization"], urllib.parse.parse_qs(body.decode())))
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        payload = {"sid": "SM123"} if self.status < 300 else {"message": "Invalid 'To' Phone Number"}
        self.wfile.write(json.dumps(payload).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def twilio(settings):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Twilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.TWILIO_API_BASE = f"http://127.0.0.1:{server.server_port}"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.TWILIO_FROM = "AC1", "secret", "+19415550000"
    _Twilio.requests, _Twilio.status = [], 201
    yield _Twilio
    server.shutdown()


def test_twilio_channel_posts_to_the_rest_api(twilio):
    sid = TwilioSMS().send(Outgoing(to="+19415550199", subject="", text="See you tomorrow"))
    path, auth, form = twilio.requests[0]
    assert sid == "SM123" and path == "/2010-04-01/Accounts/AC1/Messages.json"
    assert auth == "Basic " + base64.b64encode(b"AC1:secret").decode()
    assert form == {"To": ["+19415550199"], "From": ["+19415550000"], "Body": ["See you tomorrow"]}
    twilio.status = 400
    with pytest.raises(ChannelError, match="twilio 400"):
        TwilioSMS().send(Outgoing(to="+1", subject="", text="x"))


def _signed(url: str, params: dict, token: str) -> str:
    payload = url + "".join(f"{k}{params[k]}" for k in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()).decode()


def test_stop_by_text_opts_the_sender_out_of_texts(client, clinic, settings):
    settings.TWILIO_AUTH_TOKEN = "secret"
    appointment = book(clinic)
    url = "http://testserver" + reverse("reminders:sms-inbound")
    params = {"From": "+19415550199", "Body": " Stop "}
    forged = client.post(reverse("reminders:sms-inbound"), params, HTTP_X_TWILIO_SIGNATURE="nope")
    assert forged.status_code == 403 and not Patient.objects.get().opted_out_sms
    client.post(reverse("reminders:sms-inbound"), params, HTTP_X_TWILIO_SIGNATURE=_signed(url, params, "secret"))
    patient = Patient.objects.get(pk=appointment.patient_id)
    assert patient.opted_out_sms and not patient.opted_out_email


def test_a_broken_message_fails_without_stopping_the_others(clinic, smtp):
    appointment = book(clinic)
    MessageFactory(appointment=appointment, kind="aftercare", step="gone", due_at=timezone.now() - timedelta(minutes=2),
                   dedupe_key="broken")  # fmt: skip
    with mock.patch("reminders.services.settings.MESSAGE_MAX_ATTEMPTS", 5):
        assert messages_send_due() == 1
    broken = Message.objects.get(dedupe_key="broken")
    assert broken.state == MessageState.FAILED and "no longer in the catalog" in broken.last_error
