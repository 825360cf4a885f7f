"""The front desk's forms, posted the way a browser posts what the page rendered."""

from datetime import date, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bookings.models import Appointment, EventKind, Source, TimeOff, WorkingHours
from bookings.schedules import patients_search
from bookings.services import appointment_book
from tests.bookings.conftest import PHOENIX, at, next_weekday, week_hours
from tests.factories import LocationFactory, PatientFactory, ProviderFactory
from tests.html_forms import browser_post_data, selected_option

pytestmark = pytest.mark.django_db


@pytest.fixture
def monday():
    return next_weekday(0)


def hours_url(provider) -> str:
    return reverse("bookings:staff-provider-hours", args=[provider.pk])


def week(provider) -> list[tuple]:
    return list(WorkingHours.objects.filter(provider=provider).values_list("weekday", "location", "start", "end"))


# Provider hours


def test_saving_hours_unchanged_as_the_page_renders_them_succeeds(client, manager_user, clinic):
    before = week(clinic.provider)
    client.force_login(manager_user)
    html = client.get(hours_url(clinic.provider)).content.decode()
    data = browser_post_data(html, button="Save hours")
    assert data["hours-10-weekday"] == [""] and data["hours-10-location"] == [""]  # the blank extra row
    response = client.post(hours_url(clinic.provider), data, follow=True)
    page = response.content.decode()
    assert "Hours saved for" in page and "This field is required" not in page
    assert week(clinic.provider) == before
    # The page after the save saves unchanged again.
    again = client.post(hours_url(clinic.provider), browser_post_data(page, button="Save hours"))
    assert again.status_code == 302


def test_the_blank_row_adds_a_block_when_filled_and_a_half_filled_row_says_what_is_missing(
    client, manager_user, clinic
):
    client.force_login(manager_user)
    data = browser_post_data(client.get(hours_url(clinic.provider)).content.decode(), button="Save hours")
    half = {**data, "hours-10-weekday": ["5"]}
    refused = client.post(hours_url(clinic.provider), half)
    assert refused.status_code == 200 and refused.content.decode().count("This field is required.") == 3
    data |= {"hours-10-weekday": ["5"], "hours-10-location": [str(clinic.location.pk)], "hours-10-start": ["10:00"],
             "hours-10-end": ["14:00"]}  # fmt: skip
    assert client.post(hours_url(clinic.provider), data).status_code == 302
    assert (5, clinic.location.pk, time(10), time(14)) in week(clinic.provider)


def test_save_anyway_is_a_plain_second_submit_button(client, manager_user, clinic, monday):
    appointment = appointment_book(service=clinic.service, start=at(monday, 16), now=timezone.now(),
                                   source=Source.DESK, patient=PatientFactory())  # fmt: skip
    client.force_login(manager_user)
    data = browser_post_data(client.get(hours_url(clinic.provider)).content.decode(), button="Save hours")
    rows = {key.removesuffix("-weekday") for key in data if key.endswith("-weekday")}
    monday_afternoon = next(
        row for row in rows if data[f"{row}-weekday"] == ["0"] and data[f"{row}-start"] == ["13:00"]
    )
    data[f"{monday_afternoon}-DELETE"] = ["on"]
    asked = client.post(hours_url(clinic.provider), data).content.decode()
    assert "would fall outside" in asked and appointment.patient.full_name in asked
    assert "onclick" not in asked and "<script" not in asked.split("</footer>")[0].split("<main")[-1]
    assert len(week(clinic.provider)) == 10
    anyway = browser_post_data(asked, button="Save anyway")
    assert anyway["save-hours"] == ["keep"]
    assert client.post(hours_url(clinic.provider), anyway).status_code == 302
    assert len(week(clinic.provider)) == 9


def test_time_off_is_entered_in_the_zone_where_the_provider_works(client, manager_user, clinic, monday):
    scottsdale = LocationFactory(slug="scottsdale", name="Scottsdale", timezone="America/Phoenix", sort_order=5)
    provider = ProviderFactory(services=[clinic.service])
    week_hours(provider, scottsdale)
    client.force_login(manager_user)
    html = client.get(hours_url(provider)).content.decode()
    assert selected_option(html, name="away-location") == str(scottsdale.pk)
    assert selected_option(client.get(hours_url(clinic.provider)).content.decode(), name="away-location") == str(
        clinic.location.pk
    )
    data = browser_post_data(html, button="Add time off")
    data |= {"away-start": [f"{monday}T09:00"], "away-end": [f"{monday}T12:00"], "away-reason": ["Training"]}
    assert client.post(hours_url(provider), data).status_code == 302
    away = TimeOff.objects.get(provider=provider)
    assert (away.start, away.end) == (at(monday, 9, zone=PHOENIX), at(monday, 12, zone=PHOENIX))


def test_add_time_off_anyway_is_a_plain_second_submit_button(client, manager_user, clinic, monday):
    appointment_book(service=clinic.service, start=at(monday, 10), now=timezone.now(), source=Source.DESK,
                     patient=PatientFactory())  # fmt: skip
    client.force_login(manager_user)
    data = browser_post_data(client.get(hours_url(clinic.provider)).content.decode(), button="Add time off")
    data |= {"away-start": [f"{monday}T09:00"], "away-end": [f"{monday}T13:00"]}
    asked = client.post(hours_url(clinic.provider), data).content.decode()
    assert "would fall outside" in asked and not TimeOff.objects.exists()
    assert client.post(hours_url(clinic.provider), browser_post_data(asked, button="Add anyway")).status_code == 302
    assert TimeOff.objects.filter(provider=clinic.provider).count() == 1


# Phone booking


def _book_page(clinic, day, **extra) -> str:
    query = {"service": clinic.service.pk, "location": clinic.location.pk, "date": day, **extra}
    return reverse("bookings:staff-book") + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def test_phone_booking_keeps_the_chosen_time_after_a_validation_error(client, front_desk_user, clinic, monday):
    client.force_login(front_desk_user)
    data = browser_post_data(client.get(_book_page(clinic, monday)).content.decode(), button="Book")
    assert "start" not in data  # nothing chosen yet
    data |= {"start": [at(monday, 10, 30).isoformat()], "new-first_name": ["Rosa"], "new-last_name": ["Diaz"],
             "new-date_of_birth": ["1984-03-09"], "new-phone": ["12"], "new-email": ["rosa@example.com"]}  # fmt: skip
    again = client.post(reverse("bookings:staff-book"), data).content.decode()
    assert "Enter a valid phone number" in again
    resent = browser_post_data(again, button="Book")
    assert resent["start"] == [at(monday, 10, 30).isoformat()]  # still checked
    resent["new-phone"] = ["(941) 555-0177"]
    assert client.post(reverse("bookings:staff-book"), resent).status_code == 302
    assert Appointment.objects.get().start == at(monday, 10, 30)


def test_staff_phone_fields_give_one_hint(client, front_desk_user, clinic, monday):
    patient = PatientFactory()
    client.force_login(front_desk_user)
    for url in (_book_page(clinic, monday), reverse("bookings:staff-patient", args=[patient.pk])):
        html = client.get(url).content.decode()
        assert "e.g. (941) 555-0142" in html and "E.164" not in html, url


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("Brien", ["O'Brien"]),
        ("o'brien", ["O'Brien"]),
        ("ann", ["Joanne", "Ann"]),
        ("maya lop", ["Maya"]),
        ("lopez maya", ["Maya"]),
        ("mar bri", ["Mary"]),
        ("ann pri", ["Ann"]),
        ("0101", ["Maya"]),
        ("(941) 555-0101", ["Maya"]),
        ("joanne@", ["Joanne"]),
        ("1990-02-03", ["Joanne"]),
        ("02/03/1990", ["Joanne"]),
        ("zed", []),
    ],
)
def test_patient_search_finds_any_part_of_a_name_in_one_query(query, found):
    PatientFactory(first_name="Maya", last_name="Lopez", phone="+19415550101")
    PatientFactory(first_name="Joanne", last_name="Reyes", email="joanne@example.com", date_of_birth=date(1990, 2, 3))
    PatientFactory(first_name="Mary", last_name="O'Brien", email="mob@example.com")
    PatientFactory(first_name="Ann", last_name="Price", email="price@example.com")
    with CaptureQueriesContext(connection) as queries:
        result = patients_search(query)
    assert len(queries) == 1
    names = {p.first_name for p in result} | {p.last_name for p in result}
    assert all(name in names for name in found) and len(result) == len(found), [p.full_name for p in result]


# Moving to anyone free


def test_move_to_anyone_free_goes_to_a_colleague_when_the_provider_is_busy(client, front_desk_user, clinic, monday):
    colleague = ProviderFactory(services=[clinic.service], user__first_name="Noor")
    week_hours(colleague, clinic.location)
    mine = appointment_book(service=clinic.service, start=at(monday, 10), now=timezone.now(), source=Source.DESK,
                            patient=PatientFactory(), provider=clinic.provider)  # fmt: skip
    appointment_book(service=clinic.service, start=at(monday, 14), now=timezone.now(), source=Source.DESK,
                     patient=PatientFactory(), provider=clinic.provider)  # fmt: skip
    client.force_login(front_desk_user)
    url = reverse("bookings:staff-appointment-move", args=[mine.reference])
    form = client.get(url).content.decode()
    assert "Anyone free at Sarasota" in form and "Same (" in form
    same = client.get(url, {"provider": "", "date": monday}).content.decode()
    assert at(monday, 14).isoformat() not in same
    anyone = client.get(url, {"provider": "anyone", "date": monday}).content.decode()
    assert at(monday, 14).isoformat() in anyone
    data = browser_post_data(anyone, button="Move here") | {"start": [at(monday, 14).isoformat()]}
    assert data["provider"] == ["anyone"]
    moved = client.post(url, data, follow=True).content.decode()
    assert "with Noor" in moved
    mine.refresh_from_db()
    assert (mine.provider, mine.start) == (colleague, at(monday, 14))
    assert mine.events.get(kind=EventKind.RESCHEDULED).actor == front_desk_user


def test_move_to_anyone_free_keeps_the_provider_when_they_are_free(client, front_desk_user, clinic, monday):
    colleague = ProviderFactory(services=[clinic.service])
    week_hours(colleague, clinic.location)
    mine = appointment_book(service=clinic.service, start=at(monday, 10), now=timezone.now(), source=Source.DESK,
                            patient=PatientFactory(), provider=clinic.provider)  # fmt: skip
    client.force_login(front_desk_user)
    url = reverse("bookings:staff-appointment-move", args=[mine.reference])
    client.post(
        url,
        {
            "provider": "anyone",
            "date": monday + timedelta(days=1),
            "start": at(monday + timedelta(days=1), 15).isoformat(),
        },
    )
    mine.refresh_from_db()
    assert (mine.provider, mine.start) == (clinic.provider, at(monday + timedelta(days=1), 15))
