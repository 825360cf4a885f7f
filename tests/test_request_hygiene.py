"""What is refused before a view runs: non-JSON API writes, oversized bodies, control characters."""

import json

import pytest
from django.urls import reverse

from bookings.models import Appointment, Patient
from tests.bookings.conftest import at, next_weekday
from tests.bookings.test_api import PATIENT

pytestmark = pytest.mark.django_db

TWENTY_MB = 20 * 1024 * 1024


def body(day, **patient) -> dict:
    return {"service": "consult", "start": at(day, 10).isoformat(), "accept_policy": True,
            "patient": {**PATIENT, **patient}}  # fmt: skip


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""],
)
def test_a_booking_that_is_not_json_is_415_so_a_cross_site_form_cannot_book(client, clinic, content_type):
    """Found: the API accepted a text/plain body, so any website could make its visitors' browsers book."""
    response = client.generic("POST", "/api/v1/bookings", json.dumps(body(next_weekday(0))), content_type=content_type)
    assert response.status_code == 415
    assert response.json() == {
        "error": "unsupported_media_type",
        "detail": "Send the request body as JSON with Content-Type: application/json.",
    }
    assert not Appointment.objects.exists() and not Patient.objects.exists()


def test_a_cancel_posted_by_a_form_is_415_and_cancels_nothing(client, clinic):
    created = client.post("/api/v1/bookings", json.dumps(body(next_weekday(0))), content_type="application/json")
    token = created.json()["manage_url"].rstrip("/").rsplit("/", 1)[1]
    refused = client.post(f"/api/v1/bookings/{token}/cancel", {"x": "1"})
    assert refused.status_code == 415
    assert Appointment.objects.get().status == "booked"
    assert client.post(f"/api/v1/bookings/{token}/cancel", content_type="application/json").status_code == 200


def test_json_with_a_charset_is_still_json(client, clinic):
    response = client.post(
        "/api/v1/bookings", json.dumps(body(next_weekday(0))), content_type="application/json; charset=utf-8"
    )
    assert response.status_code == 201


def test_a_20_mb_api_body_is_a_413_not_a_500(client, clinic):
    """Found: a 20 MB body gave a 500."""
    response = client.post("/api/v1/bookings", "x" * TWENTY_MB, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"] == "request_too_large"
    assert not Appointment.objects.exists()


def test_a_20_mb_form_is_a_413_page(client, clinic):
    response = client.post(
        "/book/waitlist/", "note=" + "x" * TWENTY_MB, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "That was too much to send" in response.content.decode()


def test_an_oversized_multipart_form_is_a_413_too(client, clinic, settings):
    """Multipart is measured while Django parses it; handler400 turns that refusal into a 413."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = client.post("/book/waitlist/", {"note": "x" * 20_000})
    assert response.status_code == 413
    assert "That was too much to send" in response.content.decode()


def test_a_staff_form_over_the_limit_is_a_413(client, front_desk_user):
    client.force_login(front_desk_user)
    response = client.post(
        reverse("bookings:staff-book"), "x=" + "y" * TWENTY_MB, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("patient", "field"),
    [
        ({"first_name": "Ada\x00"}, "patient.first_name"),
        ({"last_name": "Pa\x1brk"}, "patient.last_name"),
        ({"email": "ada\x00@example.com"}, "patient.email"),
    ],
)
def test_nul_and_control_characters_in_api_text_are_a_field_level_400(client, clinic, patient, field):
    """Found: NUL bytes were stored from the API."""
    response = client.post("/api/v1/bookings", json.dumps(body(next_weekday(0), **patient)),
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 400
    assert response.json()["errors"][field] == ["Remove the control characters (such as NUL) from this value."]
    assert not Patient.objects.exists()


def test_a_control_character_in_a_list_of_areas_is_refused_too(client, clinic):
    response = client.post("/api/v1/bookings", json.dumps({**body(next_weekday(0)), "areas": ["chin\x00"]}),
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 400 and "areas" in response.json()["errors"]


def test_ordinary_accents_tabs_and_newlines_are_not_control_characters(client, clinic):
    response = client.post("/api/v1/bookings", json.dumps(body(next_weekday(0), first_name="Zoë", last_name="Núñez")),
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 201


def test_nul_in_a_query_parameter_is_a_400_naming_it(client, clinic):
    response = client.get(f"/api/v1/availability?service=consult%00&date={next_weekday(0)}")
    assert response.status_code == 400
    assert response.json() == {"errors": {"service": ["Remove the control characters (such as NUL) from this value."]}}
    assert client.get("/book/?service=%00").status_code == 400


def test_forms_refuse_nul_in_text_fields(client, clinic):
    day = next_weekday(0)
    response = client.post("/book/waitlist/", {
        "service": clinic.service.pk, "earliest": day, "latest": day, "note": "mornings\x00",
        "patient-first_name": "Ada\x00", "patient-last_name": "Park", "patient-email": "ada@example.com",
        "patient-phone": "9415550199", "patient-date_of_birth": "1990-05-06",
    })  # fmt: skip
    page = response.content.decode()
    assert page.count("Null characters are not allowed.") == 2
    assert not Patient.objects.exists()
