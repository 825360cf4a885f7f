"""The booking confirmation: through Celery after commit, over real SMTP, once, with no health details."""

import json
import time
from datetime import date, timedelta

import pytest
from django.utils import timezone

from bookings import emails
from bookings.models import Appointment, Source
from bookings.services import PatientDetails, appointment_book
from medspa.celery import app
from tests.bookings.conftest import at, next_weekday
from tests.conftest import celery_worker, database_url
from tests.factories import TreatmentAreaFactory


@pytest.fixture
def smtp_settings(settings, smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return smtp_server


def _book(clinic, **kwargs) -> Appointment:
    day = next_weekday(2)
    return appointment_book(
        service=clinic.service,
        start=at(day, 10),
        now=timezone.now(),
        source=Source.ONLINE,
        details=PatientDetails("Ada", "Park", "ada@example.com", "+19415550199", date(1990, 5, 6)),
        **kwargs,
    )


@pytest.mark.django_db
def test_confirmation_arrives_over_smtp_with_text_html_ics_and_the_manage_link(clinic, smtp_settings):
    appointment = _book(clinic, areas=[TreatmentAreaFactory(name="Chin dimpling")])
    assert emails.confirmation_send(appointment_id=appointment.pk) is True
    assert len(smtp_settings.envelopes) == 1
    envelope, message = smtp_settings.envelopes[0], smtp_settings.messages[0]
    assert envelope.rcpt_tos == ["ada@example.com"]
    assert message["Subject"].startswith("Booked: Consultation, ")
    assert message["Subject"].endswith(("at 10:00 AM EST", "at 10:00 AM EDT"))
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    attachments = list(message.iter_attachments())
    assert [a.get_content_type() for a in attachments] == ["text/calendar"]
    ics = attachments[0].get_content()
    assert "DTSTART;TZID=America/New_York:" in ics and "T100000" in ics
    token_path = f"/my/{appointment.reference}."
    assert token_path in text and token_path in html
    assert "10:00 AM" in text and "(Sarasota time)" in text
    assert f"http://127.0.0.1:8000/intake/{appointment.reference}." in text  # the medical history link
    for body in (text, html, ics):
        assert "Chin dimpling" not in body  # no health details in email
    appointment.refresh_from_db()
    assert appointment.confirmation_sent_at is not None


@pytest.mark.django_db
def test_a_second_delivery_of_the_task_sends_nothing(clinic, smtp_settings):
    appointment = _book(clinic)
    assert emails.confirmation_send(appointment_id=appointment.pk) is True
    assert emails.confirmation_send(appointment_id=appointment.pk) is False
    assert emails.confirmation_send(appointment_id=0) is False
    assert len(smtp_settings.envelopes) == 1


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_booking_through_the_api_emails_via_a_real_worker(client, clinic, smtp_server):
    """POST a booking → commit → Celery broker → a worker process → SMTP."""
    day = next_weekday(2)
    with celery_worker(DATABASE_URL=database_url(), EMAIL_URL=f"smtp://127.0.0.1:{smtp_server.port}") as queue:
        previous, app.conf.task_default_queue = app.conf.task_default_queue, queue
        try:
            response = client.post(
                "/api/v1/bookings",
                json.dumps({
                    "service": "consult", "start": at(day, 11).isoformat(), "accept_policy": True,
                    "patient": {"first_name": "Ada", "last_name": "Park", "email": "ada@example.com",
                                "phone": "+19415550199", "date_of_birth": "1990-05-06"},
                }),
                content_type="application/json",
            )  # fmt: skip
        finally:
            app.conf.task_default_queue = previous
        assert response.status_code == 201, response.content
        deadline = time.monotonic() + 90
        while not smtp_server.envelopes and time.monotonic() < deadline:
            time.sleep(0.2)
    assert len(smtp_server.envelopes) == 1
    assert smtp_server.messages[0]["To"] == "ada@example.com"
    assert Appointment.objects.get().confirmation_sent_at is not None


@pytest.mark.django_db
def test_a_broker_outage_still_books_and_the_sweep_sends_the_confirmation(
    client, clinic, smtp_settings, django_capture_on_commit_callbacks
):
    from unittest import mock

    from kombu.exceptions import OperationalError

    from bookings.tasks import appointment_confirmation_send, confirmations_sweep

    body = {
        "service": "consult", "start": at(next_weekday(2), 11).isoformat(), "accept_policy": True,
        "patient": {"first_name": "Ada", "last_name": "Park", "email": "ada@example.com",
                    "phone": "+19415550199", "date_of_birth": "1990-05-06"},
    }  # fmt: skip
    down = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with (
        mock.patch.object(appointment_confirmation_send, "delay", side_effect=down) as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post("/api/v1/bookings", json.dumps(body), content_type="application/json")
    assert response.status_code == 201
    assert delay.called
    appointment = Appointment.objects.get()
    assert confirmations_sweep() == 0  # too fresh: the task enqueued at commit may still be running
    Appointment.objects.filter(pk=appointment.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert confirmations_sweep() == 1
    assert confirmations_sweep() == 0
    assert len(smtp_settings.envelopes) == 1
