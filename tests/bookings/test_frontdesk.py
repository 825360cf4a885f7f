"""The front desk's screens and the services behind them."""

from datetime import date, time, timedelta
from unittest import mock

import pytest
import time_machine
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bookings import signals
from bookings.models import Appointment, AppointmentStatus, EventKind, Source, TimeOff, WorkingHours
from tests.bookings.conftest import at, booked_at, next_weekday, week_hours
from tests.factories import PatientFactory, ProviderFactory, UserFactory, WorkingHoursFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def day():
    return next_weekday(0)


def day_url(clinic, day, **extra) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"location": clinic.location.slug, "date": day, **extra}.items())
    return f"/staff/?{query}"


# The day


def test_day_shows_each_providers_column_with_blocks_and_badges(client, front_desk_user, clinic, day):
    other = ProviderFactory(services=[clinic.service], user__first_name="Noor")
    week_hours(other, clinic.location)
    appointment = booked_at(clinic, at(day, 10))
    appointment.intake_status = "flagged"
    appointment.save()
    client.force_login(front_desk_user)
    html = client.get(day_url(clinic, day)).content.decode()
    assert clinic.provider.name in html and other.name in html
    assert appointment.patient.full_name in html
    assert "Intake flagged for review" in html and "Booked" in html
    assert reverse("bookings:staff-appointment", args=[appointment.reference]) in html
    assert "Times are Sarasota time (America/New_York)" in html


def test_cancelled_appointments_are_hidden_unless_asked_for(client, front_desk_user, clinic, day):
    appointment = booked_at(clinic, at(day, 10))
    Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.CANCELLED)
    client.force_login(front_desk_user)
    assert appointment.patient.full_name not in client.get(day_url(clinic, day)).content.decode()
    assert appointment.patient.full_name in client.get(day_url(clinic, day, cancelled=1)).content.decode()


def test_day_view_costs_the_same_few_queries_for_10_providers_and_40_appointments(client, front_desk_user, clinic, day):
    client.force_login(front_desk_user)
    booked_at(clinic, at(day, 9))
    reset_queries()
    with CaptureQueriesContext(connection) as small:
        assert client.get(day_url(clinic, day)).status_code == 200
    providers = [clinic.provider]
    for _ in range(9):
        provider = ProviderFactory(services=[clinic.service])
        week_hours(provider, clinic.location)
        providers.append(provider)
    for provider in providers:
        for hour in (10, 11, 13, 14):
            booked_at(clinic, at(day, hour), provider=provider)
    assert Appointment.objects.count() == 41
    reset_queries()
    with CaptureQueriesContext(connection) as large:
        html = client.get(day_url(clinic, day)).content.decode()
    assert html.count('class="tg-appt') == 41
    assert len(large) == len(small) <= 10, [q["sql"] for q in large.captured_queries]


def test_injector_sees_only_their_own_schedule_and_cannot_act(client, clinic, day, injector_user):
    clinic.provider.user = injector_user
    clinic.provider.save()
    colleague = ProviderFactory(services=[clinic.service])
    week_hours(colleague, clinic.location)
    mine, theirs = booked_at(clinic, at(day, 10)), booked_at(clinic, at(day, 10), provider=colleague)
    client.force_login(injector_user)
    html = client.get(day_url(clinic, day)).content.decode()
    assert mine.patient.full_name in html and theirs.patient.full_name not in html
    assert "Book by phone" not in html
    assert client.get(reverse("bookings:staff-appointment", args=[theirs.reference])).status_code == 403
    assert (
        client.post(reverse("bookings:staff-appointment-action", args=[mine.reference, "check-in"])).status_code == 403
    )
    assert client.get(reverse("bookings:staff-book")).status_code == 403


def test_staff_pages_refuse_anonymous_and_non_staff(client, clinic):
    for name in ("staff-day", "staff-week", "staff-book", "staff-patients", "staff-waitlist", "staff-providers"):
        response = client.get(reverse(f"bookings:{name}"))
        assert response.status_code == 302 and response["Location"].startswith("/staff/login/"), name
    client.force_login(UserFactory(is_staff=False))
    for name in ("staff-day", "staff-book", "staff-patients", "staff-providers"):
        assert client.get(reverse(f"bookings:{name}")).status_code == 403, name


# The visit


def _act(client, appointment, action):
    return client.post(reverse("bookings:staff-appointment-action", args=[appointment.reference, action]), follow=True)


def test_check_in_then_complete_is_recorded_with_who_and_when(client, front_desk_user, clinic, day):
    appointment = booked_at(clinic, at(day, 10))
    completed = []
    signals.appointment_completed.connect(receiver := lambda sender, **kw: completed.append(kw), weak=False)
    try:
        with time_machine.travel(at(day, 9, 55), tick=False):
            client.force_login(front_desk_user)  # sessions end after 30 idle minutes: sign in on the day
            assert "Checked in." in _act(client, appointment, "check-in").content.decode()
        with time_machine.travel(at(day, 10, 20), tick=False):
            assert "Completed." in _act(client, appointment, "complete").content.decode()
    finally:
        signals.appointment_completed.disconnect(receiver)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.COMPLETED
    events = list(appointment.events.values_list("kind", "actor__username"))
    assert events == [(EventKind.BOOKED, None), (EventKind.CHECKED_IN, "frontdesk"), (EventKind.COMPLETED, "frontdesk")]
    assert completed and completed[0]["appointment"].pk == appointment.pk
    assert completed[0]["ended_at"] == at(day, 10, 20)  # it ended early: aftercare counts from then


def test_a_visit_cannot_skip_steps_or_be_a_no_show_before_it_starts(client, front_desk_user, clinic, day):
    appointment = booked_at(clinic, at(day, 10))
    client.force_login(front_desk_user)
    assert "can&#x27;t be completed" in _act(client, appointment, "complete").content.decode()
    assert "once its start time has passed" in _act(client, appointment, "no-show").content.decode()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    after = appointment.start + timedelta(minutes=20)
    with mock.patch("django.utils.timezone.now", return_value=after):
        client.force_login(front_desk_user)  # days later: the earlier session has long been idle
        assert "Marked as a no-show." in _act(client, appointment, "no-show").content.decode()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.NO_SHOW


def test_cancel_needs_a_reason_and_records_it(client, front_desk_user, clinic, day):
    appointment = booked_at(clinic, at(day, 10))
    client.force_login(front_desk_user)
    url = reverse("bookings:staff-appointment-cancel", args=[appointment.reference])
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 400 and "Say why, for the record." in empty.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    client.post(url, {"reason": "Called: unwell"})
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    event = appointment.events.get(kind=EventKind.CANCELLED)
    assert (event.actor, event.note) == (front_desk_user, "Called: unwell")


# Phone bookings and moves


def _book_page(clinic, day, **extra) -> str:
    query = {"service": clinic.service.pk, "location": clinic.location.pk, "date": day, **extra}
    return reverse("bookings:staff-book") + "?" + "&".join(f"{k}={v}" for k, v in query.items())


NEW = {
    "new-first_name": "Rosa",
    "new-last_name": "Diaz",
    "new-date_of_birth": "1984-03-09",
    "new-phone": "941 555 0177",
    "new-email": "rosa@example.com",
}


def _post_booking(client, clinic, day, start, **extra):
    data = {"service": clinic.service.pk, "location": clinic.location.pk, "provider": "", "date": day,
            "start": start.isoformat(), **extra}  # fmt: skip
    return client.post(reverse("bookings:staff-book"), data, follow=True)


def test_phone_booking_for_a_new_patient(client, front_desk_user, clinic, day):
    client.force_login(front_desk_user)
    page = client.get(_book_page(clinic, day)).content.decode()
    assert at(day, 9).isoformat() in page and at(day, 12).isoformat() not in page  # the lunch break
    response = _post_booking(client, clinic, day, at(day, 9), **NEW)
    assert "Booked Rosa Diaz" in response.content.decode()
    appointment = Appointment.objects.get()
    assert (appointment.source, appointment.booked_by) == (Source.DESK, front_desk_user)
    assert appointment.patient.phone == "+19415550177"
    assert appointment.events.get().actor == front_desk_user


def test_phone_booking_for_an_existing_patient_found_by_search(client, front_desk_user, clinic, day):
    patient = PatientFactory(first_name="Maya", last_name="Lopez", phone="+19415550101")
    client.force_login(front_desk_user)
    for query in ("maya lop", "0101", "Lopez", str(patient.date_of_birth)):
        page = client.get(_book_page(clinic, day, q=query)).content.decode()
        assert f"patient={patient.pk}" in page, query
    _post_booking(client, clinic, day, at(day, 9), patient=patient.pk)
    assert Appointment.objects.get().patient == patient


def test_phone_booking_may_be_short_notice_but_never_overlap(client, front_desk_user, clinic):
    now = timezone.now()
    soon = (now + timedelta(minutes=40)).astimezone(clinic.location.zone)
    today = soon.date()
    WorkingHoursFactory(provider=clinic.provider, location=clinic.location, weekday=today.weekday(), start=time(0),
                        end=time(23, 45))  # fmt: skip
    slot_start = soon.replace(minute=soon.minute - soon.minute % 15, second=0, microsecond=0) + timedelta(minutes=15)
    if slot_start.date() != today or slot_start.time() > time(23, 15):
        pytest.skip("too close to midnight for a same-day slot")
    WorkingHours.objects.filter(provider=clinic.provider, weekday=today.weekday()).exclude(start=time(0)).delete()
    client.force_login(front_desk_user)
    response = _post_booking(client, clinic, today, slot_start, **NEW)
    assert "Booked Rosa Diaz" in response.content.decode()
    again = _post_booking(client, clinic, today, slot_start, **{**NEW, "new-email": "other@example.com"})
    assert "just taken" in again.content.decode()
    assert Appointment.objects.count() == 1


def test_phone_booking_bad_input_is_shown_on_the_form_and_saves_nothing(client, front_desk_user, clinic, day):
    client.force_login(front_desk_user)
    response = _post_booking(client, clinic, day, at(day, 9), **{**NEW, "new-phone": "12", "new-date_of_birth": ""})
    html = response.content.decode()
    assert "Enter a valid phone number" in html and "This field is required." in html
    assert 'value="Rosa"' in html  # what was typed is kept
    off_grid = _post_booking(client, clinic, day, at(day, 9, 7), **NEW)
    assert "isn&#x27;t one of our appointment times" in off_grid.content.decode()
    no_time = client.post(reverse("bookings:staff-book"), {"service": clinic.service.pk, "location": clinic.location.pk,
                                                          "date": day, **NEW})  # fmt: skip
    assert "Pick a time from the list." in no_time.content.decode()
    past = _post_booking(client, clinic, "2020-01-06", at(date(2020, 1, 6), 9), **NEW)
    assert "That time has already passed" in past.content.decode()
    assert not Appointment.objects.exists()


def test_move_to_a_free_time_and_refuse_a_busy_one(client, front_desk_user, clinic, day):
    mine, theirs = booked_at(clinic, at(day, 10)), booked_at(clinic, at(day, 11))
    client.force_login(front_desk_user)
    url = reverse("bookings:staff-appointment-move", args=[mine.reference])
    page = client.get(url, {"date": day}).content.decode()
    assert at(day, 10, 15).isoformat() in page and at(day, 11).isoformat() not in page
    busy = client.post(url, {"date": day, "provider": "", "start": at(day, 11).isoformat()}, follow=True)
    assert "That time was just taken" in busy.content.decode()
    client.post(url, {"date": day, "provider": "", "start": at(day, 14).isoformat()}, follow=True)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.start == at(day, 14) and theirs.start == at(day, 11)
    assert mine.events.get(kind=EventKind.RESCHEDULED).actor == front_desk_user


# Provider hours


def _hours_post(rows, **extra) -> dict:
    data = {"hours-TOTAL_FORMS": len(rows), "hours-INITIAL_FORMS": 0, "save-hours": "1", **extra}
    for i, (weekday, location, start, end) in enumerate(rows):
        data |= {f"hours-{i}-weekday": weekday, f"hours-{i}-location": location.pk,
                 f"hours-{i}-start": start, f"hours-{i}-end": end}  # fmt: skip
    return data


def test_only_a_manager_edits_hours(client, front_desk_user, clinic):
    client.force_login(front_desk_user)
    assert client.get(reverse("bookings:staff-provider-hours", args=[clinic.provider.pk])).status_code == 403


def test_manager_replaces_a_week_with_breaks(client, manager_user, clinic):
    client.force_login(manager_user)
    url = reverse("bookings:staff-provider-hours", args=[clinic.provider.pk])
    response = client.post(
        url, _hours_post([(1, clinic.location, "08:00", "12:00"), (1, clinic.location, "13:00", "16:00")])
    )
    assert response.status_code == 302
    assert list(WorkingHours.objects.filter(provider=clinic.provider).values_list("weekday", "start", "end")) == [
        (1, time(8), time(12)),
        (1, time(13), time(16)),
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([(1, "09:00", "12:00"), (1, "11:00", "15:00")], "Overlaps Tuesday 09:00–12:00."),
        ([(2, "12:00", "09:00")], "The end must be after the start."),
    ],
)
def test_bad_hours_are_refused_row_by_row_and_nothing_changes(client, manager_user, clinic, rows, message):
    before = WorkingHours.objects.count()
    client.force_login(manager_user)
    url = reverse("bookings:staff-provider-hours", args=[clinic.provider.pk])
    response = client.post(url, _hours_post([(w, clinic.location, s, e) for w, s, e in rows]))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert WorkingHours.objects.count() == before


def test_hours_that_would_orphan_an_appointment_list_it_and_ask(client, manager_user, clinic, day):
    appointment = booked_at(clinic, at(day, 16))  # Monday 16:00
    client.force_login(manager_user)
    url = reverse("bookings:staff-provider-hours", args=[clinic.provider.pk])
    rows = [(0, clinic.location, "09:00", "12:00")]  # Mondays end at noon now
    asked = client.post(url, _hours_post(rows))
    html = asked.content.decode()
    assert "would fall outside" in html and appointment.patient.full_name in html and "Save anyway" in html
    assert WorkingHours.objects.filter(provider=clinic.provider).count() == 10  # unchanged
    client.post(url, _hours_post(rows, **{"save-hours": "keep"}))
    assert WorkingHours.objects.filter(provider=clinic.provider).count() == 1
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED  # listed, never silently dropped


def test_time_off_over_an_appointment_asks_first(client, manager_user, clinic, day):
    appointment = booked_at(clinic, at(day, 10))
    client.force_login(manager_user)
    url = reverse("bookings:staff-provider-hours", args=[clinic.provider.pk])
    data = {"add-time-off": "1", "away-location": clinic.location.pk, "away-start": f"{day}T09:00",
            "away-end": f"{day}T13:00", "away-reason": "Training"}  # fmt: skip
    assert appointment.patient.full_name in client.post(url, data).content.decode()
    assert not TimeOff.objects.exists()
    client.post(url, {**data, "add-time-off": "keep"})
    away = TimeOff.objects.get()
    assert (away.start, away.end, away.reason) == (at(day, 9), at(day, 13), "Training")
    past = client.post(url, {**data, "away-start": "2020-01-01T09:00", "away-end": "2020-01-01T10:00"})
    assert "already passed" in past.content.decode()
    backwards = client.post(url, {**data, "away-end": f"{day}T08:00"})
    assert "The end must be after the start." in backwards.content.decode()


# Patients


def test_patient_profile_shows_contact_attendance_and_no_health_details(client, front_desk_user, clinic, day):
    patient = PatientFactory(first_name="Grace", last_name="Chen")
    kept = booked_at(clinic, at(day, 9), patient=patient)
    missed = booked_at(clinic, at(day, 10), patient=patient)
    Appointment.objects.filter(pk=missed.pk).update(status=AppointmentStatus.NO_SHOW)
    late = booked_at(clinic, at(day, 11), patient=patient)
    Appointment.objects.filter(pk=late.pk).update(status=AppointmentStatus.CANCELLED,
                                                  cancelled_at=late.start - timedelta(hours=2))  # fmt: skip
    client.force_login(front_desk_user)
    html = client.get(reverse("bookings:staff-patient", args=[patient.pk])).content.decode()
    assert "No-shows: <strong>1</strong>" in html and "Late cancellations: <strong>1</strong>" in html
    assert kept.reference in html
    main = html[html.index("<main") : html.index("</main>")].lower()
    for clinical in ("medical history", "chart", "screening", "consent form", "allerg"):
        assert clinical not in main


def test_front_desk_edits_contact_details_with_field_errors(client, front_desk_user):
    patient = PatientFactory()
    client.force_login(front_desk_user)
    url = reverse("bookings:staff-patient", args=[patient.pk])
    base = {"first_name": patient.first_name, "last_name": patient.last_name,
            "date_of_birth": patient.date_of_birth, "email": patient.email, "preferred_channel": "email"}  # fmt: skip
    bad = client.post(url, {**base, "phone": "nope", "preferred_channel": "sms"})
    html = bad.content.decode()
    assert "Enter a valid phone number" in html and "need the patient&#x27;s consent" in html
    client.post(url, {**base, "phone": "(480) 555-0102", "consent_sms": "on", "preferred_channel": "sms"})
    patient.refresh_from_db()
    assert (patient.phone, patient.consent_sms, patient.preferred_channel) == ("+14805550102", True, "sms")


def test_week_and_day_sheet(client, front_desk_user, clinic, day):
    appointment = booked_at(clinic, at(day, 10))
    client.force_login(front_desk_user)
    week = client.get(reverse("bookings:staff-week"), {"provider": clinic.provider.pk, "date": day}).content.decode()
    assert appointment.patient.full_name in week and "Mon" in week
    sheet = client.get(reverse("bookings:staff-sheet"), {"provider": clinic.provider.pk, "date": day}).content.decode()
    assert appointment.patient.full_name in sheet and appointment.patient.phone in sheet
    assert ("10:00–10:30 AM EST" in sheet or "10:00–10:30 AM EDT" in sheet) and "data-print" in sheet


def test_the_staff_day_has_no_page_errors_with_no_locations(client, front_desk_user):
    client.force_login(front_desk_user)
    assert "Nothing to show yet" in client.get("/staff/").content.decode()


def test_the_current_time_line_is_on_todays_column_only(clinic, day):
    from bookings.schedules import day_grid, week_grid

    now = at(day, 10, 30).astimezone(timezone.get_current_timezone())
    week = week_grid(provider=clinic.provider, monday=day, now=now)
    assert [column.day for column in week.columns if column.now_row] == [day]
    assert [column.subtitle for column in week.columns][:2] == ["Sarasota", "Sarasota"]
    assert week.columns[6].subtitle == "Not working"
    grid = day_grid(location=clinic.location, day=day, now=now)
    assert grid.now_row == grid.columns[0].now_row == (10 * 60 + 30 - 8 * 60) // 5 + 1
    assert day_grid(location=clinic.location, day=day + timedelta(days=1), now=now).now_row is None
