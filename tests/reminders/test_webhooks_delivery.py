"""Webhook deliveries through the outbox's one sender, to a real HTTP receiver on this machine: each
event once per try with a valid signature (checked with the README's recipe), retries with backoff
to a receiver that is down, then failed; nothing a receiver gets says anything about health."""

import json
import re
import socket
import threading
import time
import uuid
from datetime import UTC, date, timedelta
from unittest import mock

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from bookings import signals as bookings_signals
from bookings.models import Appointment, Source
from bookings.services import (
    PatientDetails,
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_complete,
    appointment_no_show,
    appointment_reschedule,
)
from intake.services import intake_submit
from reminders.models import MessageState, WebhookDelivery, WebhookEvent
from reminders.services import messages_send_due
from reminders.webhooks.payloads import APPOINTMENT_KEYS, ENVELOPE_KEYS, MOVED_KEYS, TEST_KEYS
from reminders.webhooks.sending import webhook_send_next
from tests.bookings.conftest import at, next_weekday
from tests.factories import WebhookDeliveryFactory, WebhookEndpointFactory
from tests.intake.conftest import all_no
from tests.intake.test_submit import answered
from tests.reminders.webhook_receiver import readme_verify

pytestmark = pytest.mark.django_db

verify = readme_verify()
PREGNANT = {**all_no(), "pregnancy": "yes"}  # a screening hit: intake is flagged, and no webhook may say so
ADA = PatientDetails("Ada", "Quennell-Park", "ada.qp@example.com", "+19415550199", date(1990, 5, 6))
# What the patient is, in any spelling a payload could leak it.
NEVER_WORDS = ["Ada", "Quennell", "pregnan", "flag", "screen", "history", "hold"]
NEVER_STRINGS = ["ada.qp@example.com", "9415550199", "1990-05-06", "05/06/1990"]


def book(clinic, start):
    return appointment_book(service=clinic.service, start=start, now=timezone.now(), source=Source.ONLINE,
                            details=ADA)  # fmt: skip


def drain(now=None) -> None:
    messages_send_due(now_fn=(lambda: now) if now else timezone.now)


def events_of(receiver) -> list[str]:
    return [request.headers["x-medspa-event"] for request in receiver.requests]


def check_signed(request, secret, now=None) -> dict:
    """The README's recipe accepts it, and the event header and the body agree."""
    event = verify(secret, request.body, request.headers["x-medspa-signature"], now=now)
    assert request.headers["x-medspa-event"] == event["event"]
    assert request.headers["content-type"] == "application/json"
    uuid.UUID(request.headers["x-medspa-delivery"])
    return event


def check_no_health_data(body: bytes) -> None:
    event = json.loads(body)
    assert set(event) == ENVELOPE_KEYS
    allowed = TEST_KEYS if event["event"] == WebhookEvent.TEST else APPOINTMENT_KEYS | MOVED_KEYS
    assert set(event["data"]) <= allowed, set(event["data"]) - allowed
    text = body.decode()
    assert not [word for word in NEVER_WORDS if re.search(rf"\b{word}", text, re.IGNORECASE)], text
    assert not [found for found in NEVER_STRINGS if found in text], text


def test_every_event_reaches_the_receiver_once_signed_with_ids_and_times_only(clinic, receiver):
    hook = receiver()
    endpoint = WebhookEndpointFactory(url=hook.url)
    day = next_weekday(0, at_least=3)
    moved, cancelled, missed, intake = (book(clinic, at(day, hour)) for hour in (9, 13, 14, 15))
    appointment_reschedule(appointment=moved, start=at(day, 10), now=timezone.now(), by_patient=True)
    appointment_cancel(appointment=cancelled, now=timezone.now(), by_patient=True)
    answered(intake, PREGNANT, email="ada.qp@example.com", phone="+19415550199")
    intake_submit(appointment=intake, signature=None, now=timezone.now())
    with time_machine.travel(at(day, 10, 5), tick=True):
        appointment_check_in(appointment=moved, actor=None, now=timezone.now())
        appointment_complete(appointment=moved, actor=None, now=timezone.now())
    with time_machine.travel(at(day, 14, 20), tick=True):
        appointment_no_show(appointment=missed, actor=None, now=timezone.now())
        drain()
        drain()  # a second sweep sends nothing again
        bodies = [check_signed(request, endpoint.secret) for request in hook.requests]

    assert sorted(events_of(hook)) == sorted(
        ["appointment.booked"] * 4
        + ["appointment.moved", "appointment.cancelled", "intake.completed", "appointment.checked_in",
           "appointment.completed", "appointment.no_show"]
    )  # fmt: skip
    assert len({request.headers["x-medspa-delivery"] for request in hook.requests}) == 10
    assert {request.path for request in hook.requests} == {"/hooks/medspa?clinic=1"}
    for request in hook.requests:
        check_no_health_data(request.body)
    by_event = {body["event"]: body for body in bodies}
    move = by_event["appointment.moved"]["data"]
    assert move["appointment"] == moved.reference
    utc = "%Y-%m-%dT%H:%M:%SZ"
    assert move["start"] == at(day, 10).astimezone(UTC).strftime(utc)
    assert move["previous_start"] == at(day, 9).astimezone(UTC).strftime(utc)
    assert move["time_zone"] == "America/New_York" and move["previous_provider"] == clinic.provider.pk
    assert by_event["appointment.completed"]["data"]["status"] == "completed"
    assert by_event["intake.completed"]["data"]["appointment"] == intake.reference
    patients = {body["data"]["patient"] for body in bodies}
    assert len(patients) == 1 and patients.pop().startswith("pt_")  # one patient, never their record number
    assert WebhookDelivery.objects.filter(state=MessageState.SENT).count() == 10
    assert set(WebhookDelivery.objects.values_list("last_status", flat=True)) == {200}


def test_a_signal_sent_again_writes_no_second_delivery(clinic, receiver):
    WebhookEndpointFactory(url=receiver().url)
    appointment = book(clinic, at(next_weekday(0, at_least=3), 9))
    bookings_signals.appointment_booked.send(sender=Appointment, appointment=appointment)
    assert WebhookDelivery.objects.filter(event="appointment.booked").count() == 1


def test_only_active_endpoints_that_asked_for_the_event_get_it(clinic, receiver):
    hook = receiver()
    asked = WebhookEndpointFactory(url=hook.url, events=["appointment.cancelled"])
    WebhookEndpointFactory(url=hook.url, is_active=False)
    appointment = book(clinic, at(next_weekday(0, at_least=3), 9))
    appointment_cancel(appointment=appointment, now=timezone.now(), by_patient=True)
    assert list(WebhookDelivery.objects.values_list("endpoint", "event")) == [(asked.pk, "appointment.cancelled")]


def test_a_receiver_that_answers_500_gets_every_try_with_backoff_then_the_delivery_fails(receiver, settings):
    hook = receiver([500] * 10, answer=b"boom " * 400)
    delivery = WebhookDeliveryFactory(endpoint=WebhookEndpointFactory(url=hook.url))
    start = timezone.now()
    now, waits = start, []
    for attempt in range(1, settings.MESSAGE_MAX_ATTEMPTS + 1):
        assert webhook_send_next(now=now - timedelta(seconds=1)) is None or attempt == 1  # not due before its time
        webhook_send_next(now=now)
        delivery.refresh_from_db()
        assert len(hook.requests) == attempt and delivery.attempts == attempt
        assert delivery.last_status == 500 and delivery.last_response == ("boom " * 100)[:500]
        if attempt < settings.MESSAGE_MAX_ATTEMPTS:
            assert delivery.state == MessageState.PENDING
            waits.append(delivery.due_at - now)
            now = delivery.due_at
    assert delivery.state == MessageState.FAILED and "500" in delivery.last_error
    assert waits == [timedelta(minutes=m) for m in (2, 4, 8, 16)]
    assert webhook_send_next(now=now + timedelta(days=1)) is None  # failed for good
    # Every try was the same delivery, signed afresh at its own time.
    assert len({r.headers["x-medspa-delivery"] for r in hook.requests}) == 1
    stamps = [int(r.headers["x-medspa-signature"].split(",")[0][2:]) for r in hook.requests]
    for request, stamp in zip(hook.requests, stamps, strict=True):
        check_signed(request, delivery.endpoint.secret, now=stamp)
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)


def test_a_receiver_that_is_down_gets_retried_and_then_gets_it(receiver):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    endpoint = WebhookEndpointFactory(url=f"http://127.0.0.1:{port}/hook")
    delivery = WebhookDeliveryFactory(endpoint=endpoint)
    now = timezone.now()
    webhook_send_next(now=now)
    delivery.refresh_from_db()
    assert delivery.state == MessageState.PENDING and delivery.attempts == 1 and delivery.last_status is None
    assert "No answer" in delivery.last_error and delivery.due_at == now + timedelta(minutes=2)
    hook = receiver()  # the receiver is back (at another address: the manager fixed the URL)
    endpoint.url = hook.url
    endpoint.save()
    drain(now=delivery.due_at)
    delivery.refresh_from_db()
    assert delivery.state == MessageState.SENT and delivery.attempts == 2 and len(hook.requests) == 1
    assert hook.requests[0].headers["x-medspa-delivery"] == str(delivery.delivery_id)


def test_a_redirect_is_not_followed_and_counts_as_a_failure(receiver):
    hook = receiver([302])
    delivery = WebhookDeliveryFactory(endpoint=WebhookEndpointFactory(url=hook.url))
    webhook_send_next(now=timezone.now())
    delivery.refresh_from_db()
    assert len(hook.requests) == 1 and delivery.state == MessageState.PENDING and delivery.last_status == 302
    assert "not followed" in delivery.last_error


def test_a_delivery_left_sending_by_a_dead_sender_goes_again_with_the_same_delivery_id(receiver, settings):
    hook = receiver()
    taken = timezone.now() - settings.MESSAGE_IN_DOUBT_AFTER - timedelta(seconds=1)
    delivery = WebhookDeliveryFactory(endpoint=WebhookEndpointFactory(url=hook.url), state=MessageState.SENDING,
                                      attempts=1, sending_started_at=taken)  # fmt: skip
    webhook_send_next(now=timezone.now())
    delivery.refresh_from_db()
    assert delivery.state == MessageState.SENT and delivery.attempts == 2
    assert hook.requests[0].headers["x-medspa-delivery"] == str(delivery.delivery_id)


def test_a_delivery_to_an_endpoint_switched_off_since_is_skipped(receiver):
    hook = receiver()
    delivery = WebhookDeliveryFactory(endpoint=WebhookEndpointFactory(url=hook.url, is_active=False),
                                      event="appointment.booked")  # fmt: skip
    webhook_send_next(now=timezone.now())
    delivery.refresh_from_db()
    assert delivery.state == MessageState.SKIPPED and hook.requests == []


@override_settings(WEBHOOK_ALLOW_LOCAL=False)
def test_a_name_that_resolves_to_a_private_address_at_send_time_is_never_contacted(monkeypatch, receiver):
    """The URL was fine when entered (a public name); now the name points inside: refused, not retried."""
    hook = receiver()
    port = int(hook.url.split(":")[2].split("/")[0])
    delivery = WebhookDeliveryFactory(endpoint=WebhookEndpointFactory(url=f"https://hooks.example.com:{port}/x"))
    for inside in ("10.0.0.7", "127.0.0.1", "169.254.169.254", "::ffff:127.0.0.1"):
        family = socket.AF_INET6 if ":" in inside else socket.AF_INET
        answer = [(family, socket.SOCK_STREAM, 6, "", (inside, port))]
        monkeypatch.setattr(socket, "getaddrinfo", lambda *args, answer=answer, **kwargs: answer)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(state=MessageState.PENDING, attempts=0)
        webhook_send_next(now=timezone.now())
        delivery.refresh_from_db()
        assert delivery.state == MessageState.FAILED and delivery.attempts == 1, inside
        assert "resolves to an address webhooks are not sent to" in delivery.last_error
    assert hook.requests == []


def test_the_one_sender_sends_messages_and_webhooks_in_one_sweep(clinic, receiver, mailoutbox):
    hook = receiver()
    WebhookEndpointFactory(url=hook.url, events=["appointment.booked"])
    book(clinic, at(next_weekday(0, at_least=3), 9))
    drain()
    assert events_of(hook) == ["appointment.booked"]
    assert len(mailoutbox) >= 1  # the patient's confirmation, by the same sweep


def test_the_delivery_is_written_with_the_change_or_not_at_all(clinic, receiver, django_capture_on_commit_callbacks):
    from reminders.tasks import messages_send

    WebhookEndpointFactory(url=receiver().url)
    with pytest.raises(RuntimeError), transaction.atomic():
        book(clinic, at(next_weekday(0, at_least=3), 9))
        assert WebhookDelivery.objects.count() == 1
        raise RuntimeError("the booking's transaction rolls back")
    assert not WebhookDelivery.objects.exists()
    with mock.patch.object(messages_send, "delay") as delay, django_capture_on_commit_callbacks(execute=True):
        book(clinic, at(next_weekday(0, at_least=3), 10))
        assert not delay.called  # not before the commit
    assert delay.called and WebhookDelivery.objects.count() == 1


class Dribbler:
    """A receiver that answers a byte every 0.2 s and never finishes its headers."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.stop = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        conn, _ = self.server.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            while not self.stop.wait(0.2):
                try:
                    conn.sendall(b"a")
                except OSError:
                    return


@override_settings(WEBHOOK_TIMEOUT_SECONDS=0.5)
def test_a_receiver_that_answers_a_byte_at_a_time_cannot_hold_the_sender():
    dribbler = Dribbler()
    delivery = WebhookDeliveryFactory(endpoint=WebhookEndpointFactory(url=f"http://127.0.0.1:{dribbler.port}/"))
    started = time.monotonic()
    try:
        webhook_send_next(now=timezone.now())
    finally:
        dribbler.stop.set()
    assert time.monotonic() - started < 3  # three times the timeout, and a little
    delivery.refresh_from_db()
    assert delivery.state == MessageState.PENDING and "No answer" in delivery.last_error
