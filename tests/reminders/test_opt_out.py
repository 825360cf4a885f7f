"""The opt-out link: names no sequential id, expires, and old links keep working until they would have."""

from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from bookings.models import Patient
from reminders.models import Message, MessageState
from reminders.render import render
from reminders.tokens import opt_out_token
from tests.reminders.test_outbox import book

pytestmark = pytest.mark.django_db


def sent(message: Message, *, at) -> Message:
    Message.objects.filter(pk=message.pk).update(state=MessageState.SENT, sent_channel="email", sent_at=at)
    message.refresh_from_db()
    return message


def url(token: str) -> str:
    return reverse("reminders:opt-out", args=[token])


def test_the_link_names_a_random_key_not_the_patients_id(clinic):
    """Found: opt-out links carried the sequential patient id."""
    appointment = book(clinic)
    confirmation, reminder = (Message.objects.get(appointment=appointment, kind=kind)
                              for kind in ("confirmation", "reminder"))  # fmt: skip
    token = opt_out_token(confirmation, "email")
    value = token.rsplit(".", 1)[0]
    assert value == "e" + confirmation.link_key and len(confirmation.link_key) >= 20
    assert f"{appointment.patient_id}-email" not in token
    assert opt_out_token(reminder, "email") != token  # one patient, a different key per message


def test_the_link_works_for_ninety_days_after_the_message_was_sent(client, clinic):
    appointment = book(clinic)
    message = sent(Message.objects.get(appointment=appointment, kind="confirmation"), at=timezone.now())
    token = opt_out_token(message, "email")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: message.sent_at + timedelta(days=89))
        assert "Stop emails?" in client.get(url(token)).content.decode()
        patch.setattr(timezone, "now", lambda: message.sent_at + timedelta(days=91))
        expired = client.get(url(token))
        assert expired.status_code == 410
        page = expired.content.decode()
        assert "This link has expired" in page and "reply <strong>STOP</strong>" in page and "941 555 0142" in page
        assert client.post(url(token)).status_code == 410
    assert not Patient.objects.get().opted_out_email


def test_a_message_queued_before_keys_existed_gets_one_when_it_is_sent(clinic):
    appointment = book(clinic)
    message = Message.objects.get(appointment=appointment, kind="confirmation")
    Message.objects.filter(pk=message.pk).update(link_key=None)
    message.refresh_from_db()
    _subject, text, _html, _files = render(message, "email")
    message.refresh_from_db()
    assert message.link_key and message.link_key in text


def legacy_token(patient: Patient, channel: str) -> str:
    """The link as messages sent before this change carried it."""
    return signing.Signer(salt="reminders.opt-out", sep=".").sign(f"{patient.pk}-{channel}")


def test_old_links_in_emails_already_sent_work_until_they_would_have_expired(client, clinic):
    appointment = book(clinic)
    message = sent(Message.objects.get(appointment=appointment, kind="confirmation"), at=timezone.now())
    token = legacy_token(appointment.patient, "email")
    assert client.get(url(token)).status_code == 200
    assert client.get(url(legacy_token(appointment.patient, "sms"))).status_code == 410  # never texted
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: message.sent_at + timedelta(days=91))
        assert client.get(url(token)).status_code == 410
    assert "no more emails" in client.post(url(token)).content.decode()
    assert Patient.objects.get().opted_out_email


def test_a_tampered_link_is_404(client, clinic):
    appointment = book(clinic)
    token = opt_out_token(Message.objects.get(appointment=appointment, kind="confirmation"), "email")
    assert client.get(url(token[:-2] + "xx")).status_code == 404
    assert client.get(url("s" + token[1:])).status_code == 404  # the channel is signed too
