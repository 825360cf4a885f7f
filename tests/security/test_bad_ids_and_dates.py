"""The bad ids and dates found from outside, each with the answer it now gets: a 404 for an id that
names nothing, a form's own error for a date at the edge of the calendar (the rest of what was
typed kept), a 400 from the API. test_url_walk.py tries every URL; these say what the answer is."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import Source, TimeOff, WaitlistEntry
from intake.models import FollowUp
from tests.bookings.conftest import at, next_weekday
from tests.factories import AppointmentFactory, PatientFactory, ProviderFactory

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = "Enter a date between 1900 and 2999."


@pytest.fixture
def desk(client, front_desk_user):
    client.force_login(front_desk_user)
    return client


@pytest.fixture
def manager(client, manager_user):
    client.force_login(manager_user)
    return client


@pytest.fixture
def visit(clinic):
    return AppointmentFactory(provider=clinic.provider, location=clinic.location, service=clinic.service,
                              start=at(next_weekday(1), 10))  # fmt: skip


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "99999999999999999999"])
def test_an_id_that_is_no_id_is_a_404(desk, clinic, value):
    assert desk.get(f"/staff/sheet/?provider={value}").status_code == 404
    assert desk.post("/staff/waitlist/", {"remove": value}).status_code == 404
    assert desk.post("/staff/follow-ups/", {"acknowledge": value}).status_code == 404


def test_an_id_beyond_a_bigint_is_a_404_not_a_server_error(desk):
    assert desk.post("/staff/patients/99999999999999999999/proposals/1/").status_code == 404
    assert desk.get(f"/staff/patients/{2**63}/").status_code == 404


def test_a_patient_id_that_is_no_id_chooses_no_patient(desk, clinic):
    response = desk.get("/staff/book/?patient=abc")
    assert response.status_code == 200 and response.context["chosen_patient"] is None


def test_removing_time_off_by_a_bad_or_anothers_id_is_a_404(manager, clinic):
    start = timezone.now() + timedelta(days=3)
    theirs = TimeOff.objects.create(provider=ProviderFactory(), start=start, end=start + timedelta(hours=1))
    url = f"/staff/providers/{clinic.provider.pk}/hours/"
    for value in ("abc", "", str(theirs.pk), "99999999999999999999"):
        assert manager.post(url, {"remove-time-off": value}).status_code == 404, value
    assert TimeOff.objects.filter(pk=theirs.pk).exists()


def test_the_waitlist_and_follow_ups_still_take_a_real_id(desk, clinic, visit):
    entry = WaitlistEntry.objects.create(patient=PatientFactory(), service=clinic.service, earliest=visit.start.date(),
                                         latest=visit.start.date(), source=Source.DESK)  # fmt: skip
    follow_up = FollowUp.objects.create(appointment=visit, answers={}, urgent=True, submitted_at=timezone.now())
    assert desk.post("/staff/waitlist/", {"remove": str(entry.pk)}).status_code == 302
    assert desk.post("/staff/follow-ups/", {"acknowledge": str(follow_up.pk)}).status_code == 302
    entry.refresh_from_db(), follow_up.refresh_from_db()
    assert entry.status == "removed" and follow_up.acknowledged_at is not None


def test_time_off_ending_at_the_end_of_the_calendar_is_the_forms_error(manager, clinic):
    day = next_weekday(2)
    response = manager.post(f"/staff/providers/{clinic.provider.pk}/hours/", {
        "add-time-off": "1", "away-location": clinic.location.pk, "away-start": f"{day}T09:00",
        "away-end": "9999-12-31T23:00", "away-reason": "Sabbatical",
    })  # fmt: skip
    assert response.status_code == 200
    form = response.context["time_off_form"]
    assert form.errors == {"end": [OUT_OF_RANGE]}
    assert form["start"].value() == f"{day}T09:00" and form["reason"].value() == "Sabbatical"
    assert not TimeOff.objects.exists()


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_moving_to_a_day_at_the_edge_of_the_calendar_is_the_forms_error(desk, visit, value):
    url = f"/staff/appointments/{visit.reference}/move/"
    for response in (desk.get(url, {"date": value}), desk.post(url, {"date": value, "provider": "anyone"})):
        assert response.status_code == 200
        assert response.context["form"].errors == {"date": [OUT_OF_RANGE]}
        assert response.context["slots"] == []


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_a_phone_booking_on_a_day_at_the_edge_of_the_calendar_is_the_forms_error(desk, clinic, value):
    response = desk.get("/staff/book/", {"service": clinic.service.pk, "location": clinic.location.pk, "date": value})
    assert response.status_code == 200
    assert response.context["form"].errors == {"date": [OUT_OF_RANGE]}
    assert response.context["form"]["service"].value() == str(clinic.service.pk)


def test_the_audit_trail_to_the_end_of_the_calendar_is_a_400(manager):
    assert manager.get("/staff/audit/?until=9999-12-31").status_code == 400
    assert manager.get("/staff/audit/changes.csv?since=0001-01-01").status_code == 400


@pytest.mark.parametrize("value", ["99999999999999999999", "0", "-1"])
def test_the_availability_api_refuses_a_provider_no_id_can_be(client, clinic, value):
    day = next_weekday(1)
    response = client.get(f"/api/v1/availability?service=consult&date={day}&provider={value}")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["provider"]


@pytest.mark.parametrize("value", ["abc", "0", "bookings:staff-week", "https://evil.example/"])
def test_next_that_is_not_a_path_here_is_ignored(desk, visit, value):
    """redirect() took "abc" for a view's name and failed; now only a path on this site is followed."""
    response = desk.post(f"/staff/appointments/{visit.reference}/confirm/", {"next": value})
    assert response.status_code == 302 and response["Location"].startswith("/staff/?location=")
    assert desk.get("/staff/login/code/", {"next": value})["Location"] == "/staff/"
    assert desk.get("/staff/login/code/", {"next": "/staff/week/"})["Location"] == "/staff/week/"
