"""No browser or proxy cache keeps a page or export that holds personal or health data."""

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from intake.tokens import follow_up_token
from reminders.models import Message
from reminders.tokens import opt_out_token
from tests.bookings.conftest import at, next_weekday
from tests.bookings.test_api import PATIENT
from tests.test_logs import booked_with_token

pytestmark = pytest.mark.django_db

# Routes that hold nothing about a person: the catalog, the booking page (also embedded) and its public API,
# the SMS provider's webhook. Any other route must be no-store; a new route fails this test
# until it is one or the other.
PUBLIC = {
    "", "treatments/", "treatments/<slug:slug>/", "book/", "sms/inbound/", "embed/book/", "embed/demo/",
    "api/v1/schema", "api/v1/docs", "api/v1/areas", "api/v1/services", "api/v1/locations",
    "api/v1/providers", "api/v1/availability", "api/v1/", "^api/",
}  # fmt: skip


def routes() -> list[str]:
    found = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    found.append(route)
                else:
                    walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                found.append(route)

    walk(get_resolver().url_patterns)
    return found


def test_every_private_page_and_export_is_no_store(client, manager_user, clinic):
    appointment, token = booked_with_token(clinic)
    message = Message.objects.filter(appointment=appointment).first()
    values = {
        "<str:token>": token,
        "<token>": token,
        "<str:reference>": appointment.reference,
        "<slug:action>": "check-in",
        "<slug:step>": "history",
        "<id:pk>": str(appointment.patient_id),
        "<id:patient_pk>": str(appointment.patient_id),
    }
    special = {
        "follow-up/<str:token>/": f"/follow-up/{follow_up_token(appointment)}/",
        "messages/stop/<str:token>/": f"/messages/stop/{opt_out_token(message, 'email')}/",
        "staff/outbox/<id:pk>/resend/": f"/staff/outbox/{message.pk}/resend/",
        "staff/access-log/": "/staff/access-log/?format=csv",
    }
    client.force_login(manager_user)
    private = [route for route in routes() if route not in PUBLIC]
    assert len(private) > 35
    answered = {}
    for route in private:
        path = special.get(route)
        if path is None:
            path = "/" + route
            for placeholder, value in values.items():
                path = path.replace(placeholder, value)
        response = client.get(path, follow=False)
        answered[route] = response.status_code
        assert response.status_code < 500, path
        assert "no-store" in response.get("Cache-Control", ""), path
    # The walk reached real pages, not only refusals.
    for route in ("my/<str:token>/", "intake/<str:token>/<slug:step>/", "staff/", "staff/access-log/",
                  "staff/review/<str:reference>/", "api/v1/bookings/<token>", "messages/stop/<str:token>/",
                  "follow-up/<str:token>/", "admin/"):  # fmt: skip
        assert answered[route] == 200, route


def test_public_catalog_pages_may_be_cached(client, clinic):
    assert "no-store" not in client.get("/").get("Cache-Control", "")
    assert "no-store" not in client.get("/api/v1/services").get("Cache-Control", "")


def test_the_answer_to_a_new_booking_is_no_store(client, clinic):
    response = client.post("/api/v1/bookings", json.dumps({
        "service": "consult", "start": at(next_weekday(0), 10).isoformat(), "accept_policy": True, "patient": PATIENT,
    }), content_type="application/json")  # fmt: skip
    assert response.status_code == 201 and "no-store" in response["Cache-Control"]
    assert "no-store" in client.get(response.json()["manage_url"]).get("Cache-Control", "")
