"""No health data leaves through the side doors: logs, Celery task arguments, message bodies.

One whole journey through the HTTP views: a patient books online, fills the medical history with
distinctive answers, an injector reviews it with a note, front desk checks the patient in on the
day, the visit is completed, every message falls due and is sent, and the patient reports an
urgent symptom at the two-week follow-up (which alerts the clinic). Every log record, every task
sent to the broker, every outbox row and every email is then searched for the answers.
"""

import json
import logging
from datetime import timedelta

import pytest
import time_machine
from celery.app.task import Task
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from bookings.models import Appointment
from intake.models import FollowUp
from intake.tokens import follow_up_token
from reminders.models import Message
from reminders.services import messages_send_due
from tests.charting.helpers import chart_and_sign
from tests.intake.conftest import all_no, png_data_url
from treatments.models import Service

pytestmark = pytest.mark.django_db

# Answers no message, log line or task argument should ever contain.
MEDICINE = "Xarelto-QX71"
GOALS_NOTE = "Asymmetric-smile-ZK42"
DECISION_NOTE = "Cleared-after-call-VB88"
FOLLOW_UP_COMMENT = "Drooping-lid-MM19"
SECRETS = (MEDICINE, GOALS_NOTE, DECISION_NOTE, FOLLOW_UP_COMMENT)


@pytest.fixture
def sent_tasks(monkeypatch):
    """Every Celery task sent to the broker, as (name, args, kwargs), instead of sending it."""
    sent: list[tuple[str, tuple, dict]] = []

    def record(self, args=None, kwargs=None, **options):
        sent.append((self.name, tuple(args or ()), dict(kwargs or {})))

    monkeypatch.setattr(Task, "apply_async", record)
    return sent


def test_a_whole_journey_leaves_no_health_data_in_logs_tasks_or_messages(
    client, clinic, injector_user, front_desk_user, sent_tasks, caplog, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    caplog.set_level(logging.DEBUG)
    treatment = Service.objects.get(slug="neuromodulator-treatment")  # the catalog's, with its aftercare
    clinic.provider.services.add(treatment)
    with django_capture_on_commit_callbacks(execute=True):
        # The patient books online and fills in the forms.
        slots = client.get(
            "/api/v1/availability", {"service": treatment.slug, "date": str(clinic_day(clinic)), "days": 7}
        ).json()["slots"]
        body = {
            "service": treatment.slug, "start": slots[0]["start"], "accept_policy": True,
            "patient": {"first_name": "Ada", "last_name": "Park", "email": "ada@example.com",
                        "phone": "(941) 555-0199", "date_of_birth": "1990-05-06"},
        }  # fmt: skip
        booked = client.post("/api/v1/bookings", json.dumps(body), content_type="application/json")
        assert booked.status_code == 201, booked.content
        appointment = Appointment.objects.get(reference=booked.json()["reference"])
        token = booked.json()["manage_url"].rstrip("/").rsplit("/", 1)[-1]
        step = lambda name: reverse("intake:step", args=[token, name])  # noqa: E731
        client.post(step("contact"), {"email": "ada@example.com", "phone": "941-555-0199"})
        client.post(step("history"), {**all_no(), "bleeding": "yes", "bleeding.medicines": MEDICINE})
        client.post(step("goals"), {"areas": ["masseter"], "stronger_side": "left", "notes": GOALS_NOTE})
        done = client.post(step("consent"), {"agree": "on", "typed_name": "Ada Park", "signature": png_data_url(),
                                             "strokes": "3"}, follow=True)  # fmt: skip
        assert done.status_code == 200
        appointment.refresh_from_db()
        assert appointment.intake_status == "flagged"  # the bleeding answer is for the injector

        send_due_messages_until(appointment.start - timedelta(minutes=1))  # confirmation, reminders

        # The injector reviews it with a note.
        client.force_login(injector_user)
        review = reverse("intake:review", args=[appointment.reference])
        assert MEDICINE in client.get(review).content.decode()  # the injector does see it
        client.post(review, {"decision": "cleared", "note": DECISION_NOTE})

        # On the day: front desk checks the patient in, the injector charts and signs, front desk completes.
        with time_machine.travel(appointment.start + timedelta(minutes=5), tick=False):
            client.force_login(front_desk_user)
            action = lambda name: reverse("bookings:staff-appointment-action", args=[appointment.reference, name])  # noqa: E731
            assert client.post(action("check-in")).status_code == 302
            chart_and_sign(appointment, injector_user, now=timezone.now())
            assert client.post(action("complete")).status_code == 302
        appointment.refresh_from_db()
        assert appointment.status == "completed"

        send_due_messages_until(appointment.end + timedelta(days=13))  # the aftercare steps

        # Two weeks on, the patient reports an urgent symptom; the clinic is alerted.
        with time_machine.travel(appointment.end + timedelta(days=14), tick=False):
            client.logout()
            answers = {"looks": "uneven", "urgent": ["swallowing"], "satisfaction": "2", "touch_up": "yes",
                       "comments": FOLLOW_UP_COMMENT}  # fmt: skip
            response = client.post(reverse("intake:follow-up", args=[follow_up_token(appointment)]), answers)
            assert response.status_code == 200, response.content

        later = appointment.end + timedelta(days=200)
        send_due_messages_until(later)  # the review, rebooking and six-month messages
    assert FollowUp.objects.get().urgent

    # Run what was sent to the broker, as a worker would: the alert and the sweeps.
    from medspa.celery import app

    for name, args, kwargs in list(sent_tasks):
        with time_machine.travel(later, tick=False):
            app.tasks[name].run(*args, **kwargs)

    sent_emails = [*mail.outbox]
    assert len(sent_emails) >= 8  # confirmation, reminders, aftercare, the urgent alert
    assert any("urgent" in m.subject.lower() for m in sent_emails)
    assert sent_tasks, "the journey enqueues tasks"

    leaks = []
    for record in caplog.records:
        if record.name.startswith("django.db.backends"):
            continue  # SQL statements are logged only at DEBUG with DEBUG on, never in production
        leaks += [f"log {record.name}: {secret}" for secret in SECRETS if secret in record.getMessage()]
    for name, args, kwargs in sent_tasks:
        flat = json.dumps([args, kwargs], default=str)
        leaks += [f"task {name}: {secret}" for secret in SECRETS if secret in flat]
        assert all(isinstance(a, int | str) for a in args), (name, args)  # ids, never objects
    for message in Message.objects.all():
        leaks += [f"outbox {message.kind}: {s}" for s in SECRETS if s in message.subject + message.body]
    for email in sent_emails:
        parts = [email.subject, email.body, *(alt[0] for alt in getattr(email, "alternatives", []))]
        parts += [str(attachment[1]) for attachment in email.attachments]
        leaks += [f"email {email.subject!r}: {s}" for s in SECRETS if any(s in part for part in parts)]
    assert not leaks, leaks


def send_due_messages_until(moment) -> None:
    """Run the sender at each message's due time, in order, as the beat task would, up to `moment`."""
    for _ in range(50):
        due = Message.objects.filter(state="pending", due_at__lte=moment).order_by("due_at").first()
        if due is None:
            return
        at = due.due_at
        with time_machine.travel(at, tick=False):
            messages_send_due(now_fn=lambda at=at: at, seconds=600)


def clinic_day(clinic):
    from tests.bookings.conftest import next_weekday

    return next_weekday(0, at_least=3)
