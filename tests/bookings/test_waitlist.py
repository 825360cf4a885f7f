"""The waitlist: a freed time goes to the first patient it suits, by a link that books it if still free."""

from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Appointment, AppointmentStatus, Source, WaitlistEntry, WaitlistStatus
from bookings.services import (
    appointment_cancel,
    appointment_reschedule,
    waitlist_add,
    waitlist_offer_freed_time,
)
from bookings.tasks import waitlist_offer_freed_time as offer_task
from reminders.services import messages_send_due
from tests.bookings.conftest import at, booked_at, next_weekday, week_hours
from tests.factories import LocationFactory, PatientFactory, ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def day():
    return next_weekday(0)


@pytest.fixture
def smtp_settings(settings, smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    return smtp_server


def wait(clinic, day, *, days=(0, 3), **kwargs) -> WaitlistEntry:
    return waitlist_add(
        patient=kwargs.pop("patient", None) or PatientFactory(),
        service=clinic.service,
        earliest=day + timedelta(days=days[0]),
        latest=day + timedelta(days=days[1]),
        source=Source.DESK,
        today=timezone.localdate(),
        **kwargs,
    )


def test_cancelling_offers_the_freed_time_after_commit(clinic, day, django_capture_on_commit_callbacks):
    appointment = booked_at(clinic, at(day, 10))
    with mock.patch.object(offer_task, "delay") as delay, django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=appointment, now=timezone.now(), by_patient=False, reason="Unwell")
    (provider_id, location_id, start), _ = delay.call_args
    assert (provider_id, location_id, datetime.fromisoformat(start)) == (
        clinic.provider.pk,
        clinic.location.pk,
        at(day, 10),
    )


def test_moving_offers_the_time_it_left(clinic, day, django_capture_on_commit_callbacks):
    appointment = booked_at(clinic, at(day, 10))
    with mock.patch.object(offer_task, "delay") as delay, django_capture_on_commit_callbacks(execute=True):
        appointment_reschedule(appointment=appointment, start=at(day, 14), now=timezone.now(), by_patient=False)
    (provider_id, location_id, start), _ = delay.call_args
    assert (provider_id, location_id, datetime.fromisoformat(start)) == (
        clinic.provider.pk,
        clinic.location.pk,
        at(day, 10),
    )


def test_the_first_patient_it_suits_is_offered_it_and_books_it_by_the_link(
    client, clinic, day, smtp_settings, django_capture_on_commit_callbacks
):
    elsewhere = LocationFactory(slug="scottsdale", timezone="America/Phoenix")
    other_provider = ProviderFactory(services=[clinic.service])
    week_hours(other_provider, clinic.location)
    wrong_dates = wait(clinic, day, days=(1, 3))
    wrong_place = wait(clinic, day, location=elsewhere)
    wrong_person = wait(clinic, day, provider=other_provider)
    first, second = wait(clinic, day), wait(clinic, day)
    taken = booked_at(clinic, at(day, 10))
    appointment_cancel(appointment=taken, now=timezone.now(), by_patient=False, reason="Unwell")

    messages_send_due()  # the cancellation notice goes first
    smtp_settings.envelopes.clear()
    with django_capture_on_commit_callbacks(execute=True):
        offered = waitlist_offer_freed_time(
            provider_id=clinic.provider.pk, location_id=clinic.location.pk, start=at(day, 10), now=timezone.now()
        )
    messages_send_due()  # the sweep a worker runs: the offer is an outbox row
    assert offered == first
    statuses = dict(WaitlistEntry.objects.values_list("pk", "status"))
    assert statuses[first.pk] == WaitlistStatus.OFFERED
    assert {statuses[e.pk] for e in (second, wrong_dates, wrong_place, wrong_person)} == {WaitlistStatus.WAITING}

    assert len(smtp_settings.envelopes) == 1
    message = smtp_settings.messages[0]
    assert message["To"] == first.patient.email
    assert message["Subject"].startswith("A time just opened: Consultation,")
    text = message.get_body(preferencelist=("plain",)).get_content()
    link = next(line for line in text.splitlines() if "/waitlist/" in line).strip()
    path = link.removeprefix("http://127.0.0.1:8000")

    page = client.get(path)
    assert page.status_code == 200 and "A time opened up for you" in page.content.decode()
    booked = client.post(path, follow=True)
    assert "You're booked" in booked.content.decode()
    appointment = Appointment.objects.get(status=AppointmentStatus.BOOKED)
    assert (appointment.patient, appointment.start) == (first.patient, at(day, 10))
    first.refresh_from_db()
    assert (first.status, first.appointment) == (WaitlistStatus.BOOKED, appointment)
    assert client.get(path).status_code == 410  # the offer is used up


def test_a_time_taken_before_the_patient_clicks_sends_them_back_to_waiting(client, clinic, day):
    entry = wait(clinic, day)
    offered = waitlist_offer_freed_time(
        provider_id=clinic.provider.pk, location_id=clinic.location.pk, start=at(day, 10), now=timezone.now()
    )
    assert offered == entry
    booked_at(clinic, at(day, 10))  # someone phones in first
    from bookings.tokens import waitlist_offer_token

    entry.refresh_from_db()
    response = client.post(reverse("bookings:waitlist-offer", args=[waitlist_offer_token(entry)]))
    assert response.status_code == 409 and "someone else took that time first" in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.WAITING


def test_no_offer_inside_the_notice_or_when_the_service_no_longer_fits(clinic, day):
    wait(clinic, day)
    now = timezone.now()
    assert (
        waitlist_offer_freed_time(
            provider_id=clinic.provider.pk, location_id=clinic.location.pk, start=now + timedelta(minutes=30), now=now
        )
        is None
    )
    booked_at(clinic, at(day, 10))
    assert (
        waitlist_offer_freed_time(
            provider_id=clinic.provider.pk, location_id=clinic.location.pk, start=at(day, 10), now=now
        )
        is None
    )


def test_patients_join_online_when_nothing_suits(client, clinic, day):
    data = {
        "service": clinic.service.pk, "location": clinic.location.pk, "provider": "",
        "earliest": day, "latest": day + timedelta(days=7), "note": "Mornings",
        "patient-first_name": "Lena", "patient-last_name": "Ortiz", "patient-date_of_birth": "1991-02-02",
        "patient-phone": "480-555-0190", "patient-email": "lena@example.com",
    }  # fmt: skip
    bad = client.post(reverse("bookings:waitlist-join"), {**data, "latest": day - timedelta(days=1)})
    assert "The last date must be on or after the first." in bad.content.decode()
    assert not WaitlistEntry.objects.exists()
    response = client.post(reverse("bookings:waitlist-join"), data)
    assert "You're on the waitlist" in response.content.decode()
    entry = WaitlistEntry.objects.get()
    assert (entry.patient.email, entry.source, entry.note) == ("lena@example.com", Source.ONLINE, "Mornings")


def test_front_desk_adds_and_removes_waiting_patients(client, front_desk_user, clinic, day):
    patient = PatientFactory()
    client.force_login(front_desk_user)
    client.post(
        reverse("bookings:staff-waitlist-add", args=[patient.pk]),
        {"service": clinic.service.pk, "earliest": day, "latest": day + timedelta(days=3)},
    )
    entry = WaitlistEntry.objects.get()
    assert entry.created_by == front_desk_user
    listing = client.get(reverse("bookings:staff-waitlist")).content.decode()
    assert patient.full_name in listing
    client.post(reverse("bookings:staff-waitlist"), {"remove": entry.pk})
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.REMOVED
    assert "Nobody is waiting." in client.get(reverse("bookings:staff-waitlist")).content.decode()
