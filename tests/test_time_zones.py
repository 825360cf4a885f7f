"""Every page and email that shows a time shows it in the appointment's location zone, with its
label, whatever zone the server (or the request) is in.

Django's `date`/`time` filters convert an aware datetime to the *current* zone, which is how a
09:00 MST appointment once read "11:00–11:45 AM" on the Scottsdale day grid. Each case renders
with the server's zone set to the *other* location's zone and asserts the local time and label,
and that the time converted to the server's zone appears nowhere.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import dateformat, timezone

from bookings.models import Source, WaitlistStatus
from bookings.services import appointment_book
from reminders.models import Message
from reminders.render import render
from tests.bookings.conftest import next_weekday, week_hours
from tests.factories import (
    FollowUpFactory,
    LocationFactory,
    PatientFactory,
    ProviderFactory,
    ServiceFactory,
    TimeOffFactory,
    WaitlistEntryFactory,
)
from treatments.models import ServiceKind

pytestmark = pytest.mark.django_db

SARASOTA, SCOTTSDALE = "sarasota", "scottsdale"
ZONES = {SARASOTA: "America/New_York", SCOTTSDALE: "America/Phoenix"}
OTHER = {SARASOTA: SCOTTSDALE, SCOTTSDALE: SARASOTA}


@pytest.fixture(params=[SARASOTA, SCOTTSDALE])
def visit(request, db):
    """A 09:00–09:45 treatment at one location, booked by phone; the server runs in the other zone."""
    here = request.param
    service = ServiceFactory(
        slug="treatment", name="Masseter treatment", kind=ServiceKind.TREATMENT, duration_minutes=45,
        buffer_before_minutes=0, buffer_after_minutes=0,
    )  # fmt: skip
    locations = {
        slug: LocationFactory(slug=slug, name=slug.title(), timezone=zone, phone="+14805550199")
        for slug, zone in ZONES.items()
    }
    provider = ProviderFactory(services=[service], user__first_name="Noor")
    week_hours(provider, locations[here], weekdays=range(7))
    day = next_weekday(0, at_least=3)
    zone = ZoneInfo(ZONES[here])
    start = datetime.combine(day, time(9), tzinfo=zone)
    patient = PatientFactory(first_name="Maya", last_name="Lopez")
    appointment = appointment_book(
        service=service, start=start, now=timezone.now(), source=Source.DESK, patient=patient, provider=provider,
        min_notice=timedelta(0),
    )  # fmt: skip
    appointment.intake_status = "flagged"
    appointment.save()
    local = start.astimezone(zone)
    label = dateformat.format(local, "T")  # EST/EDT or MST
    wrong = start.astimezone(ZoneInfo(ZONES[OTHER[here]]))
    with override_settings(TIME_ZONE=ZONES[OTHER[here]]):
        assert timezone.get_current_timezone_name() == ZONES[OTHER[here]]
        yield type(
            "Visit",
            (),
            {
                "appointment": appointment,
                "provider": provider,
                "patient": patient,
                "location": locations[here],
                "day": day,
                "label": label,
                "local": local,
                # How the time reads if converted to the server's zone: must appear nowhere.
                "wrong": [f"{wrong:%-I:%M %p}", f"{wrong:%-I:%M}–", f'tg-time">{wrong:%-I:%M}<'],
            },
        )


def assert_local_time(html: str, visit, *expected: str) -> None:
    for text in expected:
        assert text in html, f"{text!r} missing"
    for text in visit.wrong:
        assert text not in html, f"{text!r} (the server's zone) shown"


def page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_day_grid(client, front_desk_user, visit):
    html = page(client, front_desk_user, f"/staff/?location={visit.location.slug}&date={visit.day}")
    assert_local_time(
        html, visit, 'class="tg-time">9:00<', f'title="9:00–9:45 AM {visit.label} Maya Lopez', "until 9:45 AM"
    )
    assert f"Times are {visit.location.name} time" in html


def test_week_grid(client, front_desk_user, visit):
    html = page(client, front_desk_user, f"/staff/week/?provider={visit.provider.pk}&date={visit.day}")
    assert_local_time(html, visit, 'class="tg-time">9:00<', f'title="9:00–9:45 AM {visit.label}')


def test_day_sheet(client, front_desk_user, visit):
    html = page(client, front_desk_user, f"/staff/sheet/?provider={visit.provider.pk}&date={visit.day}")
    assert_local_time(html, visit, f"9:00–9:45 AM {visit.label}")


def test_appointment_page_and_its_history(client, front_desk_user, visit):
    a = visit.appointment
    html = page(client, front_desk_user, reverse("bookings:staff-appointment", args=[a.reference]))
    assert_local_time(html, visit, f"9:00–9:45 AM {visit.label}")
    booked_at = a.events.get().at.astimezone(visit.location.zone)
    # When it was booked, in that instant's own abbreviation (a daylight-saving change may lie between).
    assert f"{booked_at:%-I:%M %p} {booked_at.tzname()}" in html


def test_move_page(client, front_desk_user, visit):
    html = page(client, front_desk_user, reverse("bookings:staff-appointment-move", args=[visit.appointment.reference]))
    assert_local_time(html, visit, f"at 9:00 AM {visit.label}")


def test_free_times_on_the_move_page_are_local(client, front_desk_user, visit):
    url = reverse("bookings:staff-appointment-move", args=[visit.appointment.reference])
    html = page(client, front_desk_user, f"{url}?date={visit.day + timedelta(days=1)}")
    assert f"({visit.location.name} time, {visit.label})" in html
    assert ">9:00 AM</label>" in html


def test_patient_profile(client, front_desk_user, visit):
    html = page(client, front_desk_user, reverse("bookings:staff-patient", args=[visit.patient.pk]))
    assert_local_time(html, visit, f"9:00 AM {visit.label}")


def test_waitlist_offer(client, front_desk_user, visit):
    WaitlistEntryFactory(
        service=visit.appointment.service, earliest=visit.day, latest=visit.day, status=WaitlistStatus.OFFERED,
        offered_start=visit.appointment.start, offered_provider=visit.provider, offered_location=visit.location,
        offered_at=timezone.now(),
    )  # fmt: skip
    html = page(client, front_desk_user, reverse("bookings:staff-waitlist"))
    assert_local_time(html, visit, f"9:00 AM {visit.label} at {visit.location.name}")


def test_outbox_and_message_log(client, front_desk_user, visit):
    reminder = Message.objects.get(appointment=visit.appointment, kind="reminder")
    day_before = reminder.due_at.astimezone(visit.location.zone)
    assert (day_before.hour, day_before.date()) == (9, visit.day - timedelta(days=1))
    expected = f"{day_before:%b} {day_before.day}, 9:00 AM {visit.label}"
    for url in (reverse("reminders:outbox"), reverse("reminders:patient-messages", args=[visit.patient.pk])):
        html = page(client, front_desk_user, url)
        assert_local_time(html, visit, expected, "Appointment reminder · the day before")
        assert "reminder · 24h" not in html


def test_review_queue_and_review_page(client, injector_user, visit):
    html = page(client, injector_user, reverse("intake:queue"))
    assert_local_time(html, visit, f"9:00 AM {visit.label}")
    html = page(client, injector_user, reverse("intake:review", args=[visit.appointment.reference]))
    assert_local_time(html, visit, f"at 9:00 AM {visit.label}")


def test_urgent_follow_ups(client, front_desk_user, visit):
    submitted = visit.appointment.start + timedelta(days=14)
    FollowUpFactory(appointment=visit.appointment, answers={}, urgent=True, submitted_at=submitted)
    html = page(client, front_desk_user, reverse("intake:follow-ups"))
    local = submitted.astimezone(visit.location.zone)
    assert f"sent {local:%b} {local.day}, 9:00 AM {visit.label}" in html


def test_admin_appointment_list(client, manager_user, visit):
    html = page(client, manager_user, reverse("admin:bookings_appointment_changelist"))
    assert_local_time(html, visit, f"9:00–9:45 AM {visit.label}")


@pytest.mark.parametrize("kind", ["confirmation", "reminder"])
def test_emails(visit, kind):
    message = Message.objects.get(appointment=visit.appointment, kind=kind)
    _subject, text, html, _attachments = render(message, "email")
    for body in (text, html):
        assert_local_time(body, visit, f"at 9:00 AM {visit.label}")


def test_time_off_on_the_provider_hours_page(client, manager_user, visit):
    start = visit.appointment.start + timedelta(days=1)
    # Ends at 11:30, which is no hour the visit's 9:00 becomes in the other zone, in summer or winter.
    end = start + timedelta(hours=2, minutes=30)
    TimeOffFactory(provider=visit.provider, start=start, end=end, reason="Training")
    html = page(client, manager_user, reverse("bookings:staff-provider-hours", args=[visit.provider.pk]))
    label = end.astimezone(visit.location.zone).tzname()
    assert_local_time(html, visit, "9:00 AM – ", f"11:30 AM {label} ({visit.location.name} time)")
