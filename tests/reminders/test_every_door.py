"""Every message leaves through the outbox: the waitlist offer and the clinic's urgent alert too.

Each is a row written in the transaction of the change that causes it (rolled back with it), goes
by the patient's consent and opt-outs (the offer) or to the clinic's address with no health details
(the alert), and shows in the staff message log.
"""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from bookings.models import Appointment, AppointmentStatus, WaitlistEntry, WaitlistStatus
from bookings.services import waitlist_offer_accept, waitlist_offer_freed_time
from intake.models import FollowUp
from intake.services import follow_up_submit
from reminders.models import Message, MessageKind, MessageState, Recipient
from reminders.services import messages_send_due
from tests.bookings.conftest import at, booked_at, next_weekday
from tests.bookings.test_waitlist import wait
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

URGENT = {"looks": "uneven", "urgent": ["swallowing"], "satisfaction": "2", "touch_up": "no"}


class Rollback(Exception):
    pass


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def day():
    return next_weekday(0)


def _offer(clinic, day):
    return waitlist_offer_freed_time(
        provider_id=clinic.provider.pk, location_id=clinic.location.pk, start=at(day, 10), now=timezone.now()
    )


def test_a_waitlist_offer_is_an_outbox_row_of_its_transaction(clinic, day):
    entry = wait(clinic, day)
    with pytest.raises(Rollback), transaction.atomic():
        assert _offer(clinic, day) == entry
        assert Message.objects.filter(kind=MessageKind.WAITLIST_OFFER, patient=entry.patient).count() == 1
        raise Rollback
    assert not Message.objects.exists()
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.WAITING

    _offer(clinic, day)
    _offer(clinic, day)  # the task again (a redelivery): still one message for this offered time
    message = Message.objects.get(kind=MessageKind.WAITLIST_OFFER)
    assert (message.recipient, message.state, message.appointment) == (Recipient.PATIENT, MessageState.PENDING, None)
    assert messages_send_due() == 1
    message.refresh_from_db()
    assert message.state == MessageState.SENT and message.provider_id.startswith(f"<w{entry.pk}.waitlist-offer.")
    (email,) = mail.outbox
    assert email.to == [entry.patient.email] and email.subject.startswith("A time just opened: Consultation,")
    assert "/waitlist/" in email.body and "/messages/stop/" in email.body  # the offer and the opt-out link
    assert email.extra_headers["Message-ID"] == message.provider_id


def test_a_waitlist_offer_obeys_opt_out_and_consent(clinic, day):
    entry = wait(clinic, day)
    entry.patient.opted_out_email = True
    entry.patient.save()
    _offer(clinic, day)
    assert messages_send_due() == 0 and not mail.outbox
    message = Message.objects.get(kind=MessageKind.WAITLIST_OFFER)
    assert message.state == MessageState.SKIPPED and "consent or opt-out" in message.last_error

    # A patient who agreed to texts and prefers them gets it by text.
    texted = wait(clinic, day, days=(0, 4))
    texted.patient.consent_sms, texted.patient.preferred_channel = True, "sms"
    texted.patient.save()
    WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistStatus.REMOVED)
    with time_machine.travel(at(day, 10) - timedelta(days=2, hours=-6), tick=False):  # 13:00 local: not quiet hours
        _offer(clinic, day)
        assert messages_send_due() == 1
    sent = Message.objects.get(kind=MessageKind.WAITLIST_OFFER, patient=texted.patient)
    assert (sent.state, sent.sent_channel) == (MessageState.SENT, "sms") and "/waitlist/" in sent.body


def test_an_offer_no_longer_open_is_not_sent(clinic, day):
    entry = wait(clinic, day)
    _offer(clinic, day)
    booked_at(clinic, at(day, 10))  # someone phoned in and the patient went back to waiting
    WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistStatus.WAITING, offered_start=None)
    assert messages_send_due() == 0 or not any("/waitlist/" in m.body for m in mail.outbox)
    assert Message.objects.get(kind=MessageKind.WAITLIST_OFFER).state == MessageState.SKIPPED


def test_the_offer_shows_in_the_patients_message_log(client, front_desk_user, clinic, day):
    entry = wait(clinic, day)
    _offer(clinic, day)
    messages_send_due()
    client.force_login(front_desk_user)
    log = client.get(reverse("reminders:patient-messages", args=[entry.patient.pk])).content.decode()
    assert "Waitlist offer" in log and "A time just opened" in log
    outbox = client.get(reverse("reminders:outbox"), {"kind": "waitlist-offer"}).content.decode()
    assert entry.patient.full_name in outbox


def test_accepting_an_offer_twice_books_once_and_keeps_the_entry_booked(clinic, day):
    entry = wait(clinic, day)
    _offer(clinic, day)
    first_tab, second_tab = WaitlistEntry.objects.get(pk=entry.pk), WaitlistEntry.objects.get(pk=entry.pk)
    appointment = waitlist_offer_accept(entry=first_tab, now=timezone.now())
    again = waitlist_offer_accept(entry=second_tab, now=timezone.now())  # loaded before the first committed
    assert again == appointment
    entry.refresh_from_db()
    assert (entry.status, entry.appointment) == (WaitlistStatus.BOOKED, appointment)
    assert Appointment.objects.filter(patient=entry.patient, status=AppointmentStatus.BOOKED).count() == 1


@pytest.fixture
def visit():
    appointment = AppointmentFactory(status=AppointmentStatus.COMPLETED, patient__first_name="Ottilie")
    appointment.patient.opted_out_email = True  # the clinic's alert does not depend on the patient's choices
    appointment.patient.save()
    return appointment


def test_the_urgent_alert_is_an_outbox_row_of_the_follow_ups_transaction(visit):
    with pytest.raises(Rollback), transaction.atomic():
        follow_up_submit(appointment=visit, answers=URGENT, now=timezone.now())
        assert Message.objects.filter(kind=MessageKind.URGENT_FOLLOW_UP).count() == 1
        raise Rollback
    assert not Message.objects.exists() and not FollowUp.objects.exists()

    follow_up_submit(appointment=visit, answers={**URGENT, "urgent": []}, now=timezone.now())
    assert not Message.objects.filter(kind=MessageKind.URGENT_FOLLOW_UP).exists()  # calm: no alert


def test_the_urgent_alert_goes_to_the_clinic_without_health_details(settings, visit, client, front_desk_user):
    settings.CLINIC_EMAIL = "desk@clinic.example"
    follow_up, _ = follow_up_submit(appointment=visit, answers=URGENT, now=timezone.now())
    follow_up_submit(appointment=visit, answers=URGENT, now=timezone.now())  # a second submission: no second alert
    message = Message.objects.get(kind=MessageKind.URGENT_FOLLOW_UP)
    assert message.recipient == Recipient.CLINIC and follow_up.alert_sent_at is not None
    assert messages_send_due() == 1
    (email,) = mail.outbox
    assert email.to == ["desk@clinic.example"] and email.subject == "Urgent: a follow-up needs attention"
    assert "An urgent follow-up needs attention" in email.body and reverse("intake:follow-ups") in email.body
    patient = visit.patient
    for detail in ("swallowing", "uneven", patient.first_name, patient.last_name, patient.email, visit.reference):
        assert detail.lower() not in (email.subject + email.body).lower()
    assert "/messages/stop/" not in email.body and not email.alternatives  # no patient opt-out link
    message.refresh_from_db()
    assert message.state == MessageState.SENT and message.sent_channel == "email"

    client.force_login(front_desk_user)
    outbox = client.get(reverse("reminders:outbox"), {"kind": "urgent-follow-up"}).content.decode()
    assert "Urgent follow-up alert (to the clinic)" in outbox and "swallowing" not in outbox
