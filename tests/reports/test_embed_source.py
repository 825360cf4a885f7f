"""A new patient who books through the booking embedded in the clinic's site is counted under
"Embedded", not "Online": the source travels from the embed's booking call to the report."""

import json
from datetime import UTC, date, datetime, time

import pytest
import time_machine

from reports.selectors import report_build
from tests.bookings.conftest import week_hours
from tests.factories import LocationFactory, ProviderFactory, ServiceFactory
from tests.reports.conftest import local
from treatments.models import ServiceKind

pytestmark = pytest.mark.django_db

BOOKED_AT = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # Monday, March 2 2026, 9:00 in New York
AFTER = datetime(2026, 4, 1, 16, 0, tzinfo=UTC)


def book(client, start: datetime, email: str, source: str | None):
    body = {
        "service": "consult",
        "start": start.isoformat(),
        "accept_policy": True,
        "patient": {"first_name": "Ada", "last_name": "Park", "email": email, "phone": "(941) 555-0199",
                    "date_of_birth": "1990-05-06"},
    }  # fmt: skip
    if source is not None:
        body["source"] = source
    response = client.post("/api/v1/bookings", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def test_new_patients_booked_through_the_embed_are_counted_as_embedded(client):
    """March 3: Ada through the embed at 10:00 and again at 14:00 (new once); Bea on our booking page
    at 11:00; Cleo through the embed at 15:00. New in March: 2 embedded, 1 online."""
    consult = ServiceFactory(slug="consult", kind=ServiceKind.CONSULTATION, duration_minutes=30,
                             buffer_before_minutes=0, buffer_after_minutes=0, new_patients_online=True)  # fmt: skip
    location = LocationFactory(slug="sarasota", name="Sarasota", timezone="America/New_York")
    provider = ProviderFactory(services=[consult])
    week_hours(provider, location, blocks=((time(9), time(17)),))
    day = date(2026, 3, 3)
    with time_machine.travel(BOOKED_AT, tick=False):
        book(client, local(day, 10), "ada@example.com", "embed")
        book(client, local(day, 14), "ada@example.com", "embed")
        book(client, local(day, 11), "bea@example.com", None)
        book(client, local(day, 15), "cleo@example.com", "embed")

    report = report_build(first=date(2026, 3, 1), last=date(2026, 3, 31), now=AFTER)

    (row,) = [row for row in report.new_patients if row.provider == provider]
    assert dict(row.figures.by_source) == {"embed": 2, "online": 1}
    assert row.figures.count("embed") == 2
    assert ("embed", "Embedded") in report.sources
