"""Moves and cancellations keep the patient's calendar right, in the location's zone and on the
patient's channel: the .ics of each message opened with the icalendar package."""

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from bookings.models import Patient, Source
from bookings.services import PatientDetails, appointment_book, appointment_cancel, appointment_reschedule
from bookings.tokens import manage_path
from reminders.channels import sms as sms_channels
from reminders.models import Message, MessageState
from reminders.services import messages_send_due
from tests.bookings.conftest import NEW_YORK, PHOENIX, next_weekday, week_hours
from tests.factories import LocationFactory, ProviderFactory, ServiceFactory
from treatments.models import ServiceKind

pytestmark = pytest.mark.django_db

SCOTTSDALE_PHONE = "+1 480 555 0177"


@pytest.fixture
def scottsdale(db, settings):
    """A clinic group whose only bookable location here is Scottsdale, on Phoenix time, with its own number;
    the server's own zone is New York, two hours off in winter."""
    settings.CLINIC_PHONE = "+1 941 555 0142"
    settings.SMS_BACKEND = "reminders.channels.sms.MemorySMS"
    sms_channels.outbox.clear()
    service = ServiceFactory(slug="consult", name="Consultation", kind=ServiceKind.CONSULTATION, duration_minutes=45,
                             buffer_before_minutes=0, buffer_after_minutes=0, new_patients_online=True)  # fmt: skip
    location = LocationFactory(slug="scottsdale", name="Scottsdale", timezone="America/Phoenix",
                               address="7014 E Camelback Rd, Scottsdale, AZ", phone=SCOTTSDALE_PHONE)  # fmt: skip
    provider = ProviderFactory(services=[service])
    week_hours(provider, location)
    timezone.activate(NEW_YORK)
    yield SimpleNamespace(service=service, location=location, provider=provider)
    timezone.deactivate()


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=PHOENIX)


def _book(clinic, **patient):
    day = next_weekday(0, at_least=14)
    details = {"first_name": "Ada", "last_name": "Park", "email": "ada@example.com", "phone": "+14805550199",
               "date_of_birth": date(1990, 5, 6), **patient}  # fmt: skip
    return appointment_book(service=clinic.service, start=_at(day, 9), now=timezone.now(), source=Source.ONLINE,
                            details=PatientDetails(**details))  # fmt: skip


def _send(appointment):
    """Send what is due, at noon (Phoenix) tomorrow: out of SMS quiet hours whatever the hour now."""
    noon = datetime.combine(timezone.now().astimezone(PHOENIX).date() + timedelta(days=1), time(12), tzinfo=PHOENIX)
    assert noon < appointment.start - timedelta(days=3)
    return messages_send_due(now_fn=lambda: noon)


def _ics(email) -> tuple[Calendar, object, str]:
    [(name, content, mimetype)] = email.attachments
    assert name.endswith(".ics")
    calendar = Calendar.from_ical(content)
    [event] = calendar.walk("VEVENT")
    return calendar, event, mimetype


def _email(subject_start: str):
    return next(m for m in mail.outbox if m.subject.startswith(subject_start))


def test_a_move_emails_a_calendar_update_with_the_same_uid_a_higher_sequence_in_the_locations_zone(scottsdale, client):
    appointment = _book(scottsdale)
    _send(appointment)
    booked_cal, booked, _ = _ics(_email("Booked:"))
    assert str(booked_cal["METHOD"]) == "REQUEST"
    assert int(booked["SEQUENCE"]) == 0

    new_start = _at(appointment.start.astimezone(PHOENIX).date() + timedelta(days=1), 14)
    appointment_reschedule(appointment=appointment, start=new_start, now=timezone.now(), by_patient=True)
    assert _send(appointment) == 1
    moved_email = _email("Your appointment has moved")
    calendar, event, mimetype = _ics(moved_email)
    assert str(calendar["METHOD"]) == "REQUEST" and mimetype == "text/calendar; method=REQUEST"
    assert str(event["UID"]) == str(booked["UID"])
    assert int(event["SEQUENCE"]) > int(booked["SEQUENCE"])
    assert event["DTSTART"].params["TZID"] == "America/Phoenix"
    assert event.decoded("DTSTART") == new_start and event.decoded("DTSTART").hour == 14
    assert str(event["STATUS"]) == "CONFIRMED"
    # The words say the Phoenix time with its label, never the server's New York time.
    assert "2:00 PM MST" in moved_email.subject
    assert "2:00 PM MST" in moved_email.body and "4:00 PM" not in moved_email.body
    html = moved_email.alternatives[0][0]
    assert "2:00 PM MST" in html
    # The real email says which method the calendar part is.
    [part] = [p for p in moved_email.message().walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"

    # The manage page's download is the same event at the same sequence.
    download = Calendar.from_ical(client.get(manage_path(appointment) + "calendar.ics").content)
    [latest] = download.walk("VEVENT")
    assert str(latest["UID"]) == str(event["UID"]) and int(latest["SEQUENCE"]) == int(event["SEQUENCE"])
    assert latest.decoded("DTSTART") == new_start


def test_a_cancel_emails_a_calendar_cancellation_of_the_same_event(scottsdale, client):
    appointment = _book(scottsdale)
    _send(appointment)
    _, booked, _ = _ics(_email("Booked:"))
    appointment_cancel(appointment=appointment, now=timezone.now(), by_patient=True)
    assert _send(appointment) == 1
    cancelled = _email("Your appointment is cancelled")
    calendar, event, mimetype = _ics(cancelled)
    assert str(calendar["METHOD"]) == "CANCEL" and mimetype == "text/calendar; method=CANCEL"
    assert str(event["UID"]) == str(booked["UID"])
    assert int(event["SEQUENCE"]) > int(booked["SEQUENCE"])
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["DTSTART"].params["TZID"] == "America/Phoenix"
    assert event.decoded("DTSTART") == appointment.start
    assert "9:00 AM MST" in cancelled.body and SCOTTSDALE_PHONE in cancelled.body
    download = Calendar.from_ical(client.get(manage_path(appointment) + "calendar.ics").content)
    [latest] = download.walk("VEVENT")
    assert int(latest["SEQUENCE"]) == int(event["SEQUENCE"]) and str(latest["STATUS"]) == "CANCELLED"


def test_each_move_raises_the_sequence_and_its_notice_replaces_one_still_waiting(scottsdale):
    appointment = _book(scottsdale)
    day = appointment.start.astimezone(PHOENIX).date()
    appointment_reschedule(appointment=appointment, start=_at(day, 10), now=timezone.now(), by_patient=True)
    appointment_reschedule(appointment=appointment, start=_at(day, 11), now=timezone.now(), by_patient=True)
    appointment.refresh_from_db()
    assert appointment.ics_sequence == 2
    moved = Message.objects.filter(appointment=appointment, kind="moved").order_by("pk")
    assert [m.state for m in moved] == [MessageState.SKIPPED, MessageState.PENDING]
    _send(appointment)
    [notice] = [m for m in mail.outbox if m.subject.startswith("Your appointment has moved")]
    _, event, _ = _ics(notice)
    assert int(event["SEQUENCE"]) == 2 and event.decoded("DTSTART").hour == 11


def test_a_cancellation_is_texted_to_patients_who_prefer_texts_and_replaces_the_move_notice(scottsdale):
    appointment = _book(scottsdale)
    Patient.objects.filter(pk=appointment.patient_id).update(preferred_channel="sms", consent_sms=True)
    _send(appointment)  # the confirmation, with its calendar file, still goes by email
    day = appointment.start.astimezone(PHOENIX).date()
    appointment_reschedule(appointment=appointment, start=_at(day, 15), now=timezone.now(), by_patient=True)
    appointment_cancel(appointment=appointment, now=timezone.now(), by_patient=True)
    mail.outbox.clear()
    _send(appointment)
    assert not mail.outbox
    # The move was cancelled before it went: only the cancellation is texted.
    sent = Message.objects.filter(appointment=appointment, state=MessageState.SENT).exclude(kind="confirmation")
    assert [(m.kind, m.sent_channel) for m in sent] == [("cancelled", "sms")]
    [text] = sms_channels.outbox
    assert text.to == "+14805550199"
    assert "cancelled" in text.text and "MST" in text.text and manage_path(appointment) in text.text
    assert len(text.text) <= 320 and "Reply STOP" in text.text


def test_a_move_is_texted_with_the_new_local_time_and_the_manage_link(scottsdale):
    appointment = _book(scottsdale)
    Patient.objects.filter(pk=appointment.patient_id).update(preferred_channel="sms", consent_sms=True)
    _send(appointment)
    day = appointment.start.astimezone(PHOENIX).date()
    appointment_reschedule(appointment=appointment, start=_at(day, 15), now=timezone.now(), by_patient=True)
    mail.outbox.clear()
    assert _send(appointment) == 1
    assert not mail.outbox
    [text] = sms_channels.outbox
    assert "has moved to" in text.text and "3:00 PM MST" in text.text
    assert manage_path(appointment) in text.text and len(text.text) <= 320


def test_a_patient_who_stopped_texts_gets_the_move_by_email_with_the_calendar_file(scottsdale):
    appointment = _book(scottsdale)
    Patient.objects.filter(pk=appointment.patient_id).update(
        preferred_channel="sms", consent_sms=True, opted_out_sms=True
    )
    _send(appointment)
    day = appointment.start.astimezone(PHOENIX).date()
    appointment_reschedule(appointment=appointment, start=_at(day, 15), now=timezone.now(), by_patient=True)
    assert _send(appointment) == 1
    assert not sms_channels.outbox
    calendar, _, _ = _ics(_email("Your appointment has moved"))
    assert str(calendar["METHOD"]) == "REQUEST"


def test_a_patient_without_sms_consent_gets_the_cancellation_by_email(scottsdale):
    appointment = _book(scottsdale)
    Patient.objects.filter(pk=appointment.patient_id).update(preferred_channel="sms", consent_sms=False)
    appointment_cancel(appointment=appointment, now=timezone.now(), by_patient=True)
    _send(appointment)
    assert not sms_channels.outbox
    calendar, _, _ = _ics(_email("Your appointment is cancelled"))
    assert str(calendar["METHOD"]) == "CANCEL"


def test_every_message_gives_the_locations_phone_and_address_not_the_groups(scottsdale):
    appointment = _book(scottsdale)
    _send(appointment)
    confirmation = _email("Booked:")
    html = confirmation.alternatives[0][0]
    for body in (confirmation.body, html):
        assert SCOTTSDALE_PHONE in body and "7014 E Camelback Rd" in body
        assert "+1 941 555 0142" not in body
    assert "9:00 AM MST" in confirmation.subject
    _, event, _ = _ics(confirmation)
    assert "7014 E Camelback Rd" in str(event["LOCATION"])
    description = str(event["DESCRIPTION"])
    assert SCOTTSDALE_PHONE in description and "+1 941 555 0142" not in description
