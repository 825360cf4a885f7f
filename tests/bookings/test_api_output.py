"""The availability answer is built as plain data and encoded once; it must stay exactly what
encoding it through its schema (AvailabilityOut) gave, and the schema must still describe it."""

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from ninja.responses import NinjaJSONEncoder

from bookings.api import AvailabilityOut, _json_time
from bookings.selectors import availability_find
from tests.bookings.conftest import next_weekday, week_hours
from tests.factories import LocationFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def through_the_schema(body: dict) -> dict:
    """What the API sent before: validated by the schema, dumped, encoded by ninja's encoder."""
    return json.loads(json.dumps(AvailabilityOut.model_validate(body).model_dump(), cls=NinjaJSONEncoder))


@pytest.mark.parametrize("zone", ["America/New_York", "America/Phoenix", "UTC"])
def test_availability_is_what_the_schema_would_have_sent(client, clinic, zone):
    # A second location in another zone (UTC writes "Z"), a provider there on Saturdays.
    elsewhere = LocationFactory(slug="elsewhere", timezone=zone, sort_order=1)
    other = ProviderFactory(services=[clinic.service])
    week_hours(other, elsewhere, weekdays=[0, 5])
    saturday = next_weekday(5)
    response = client.get(f"/api/v1/availability?service=consult&date={saturday}&days=3")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert {slot["location"] for slot in body["slots"]} == {"sarasota", "elsewhere"}
    assert body["closed"] == [str(saturday + timedelta(days=1))]
    found = availability_find(service=clinic.service, start_date=saturday, days=3, now=timezone.now())
    expected = {
        "slots": [
            {"start": s.start, "end": s.end, "provider": s.provider_id, "location": s.location.slug}
            for s in found.slots
        ],
        "closed": found.closed,
    }
    assert body == through_the_schema(expected)
    if zone == "UTC":
        assert any(slot["start"].endswith("Z") for slot in body["slots"])


def test_the_schema_still_describes_the_availability_answer(client):
    schema = client.get("/api/v1/schema").json()
    ok = schema["paths"]["/api/v1/availability"]["get"]["responses"]["200"]
    ref = ok["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    components = schema["components"]["schemas"]
    assert set(components[ref]["properties"]) == {"slots", "closed"}
    slot = components["SlotOut"]["properties"]
    assert set(slot) == {"start", "end", "provider", "location"}
    assert slot["start"]["format"] == "date-time"


def test_odd_instants_are_written_as_the_schema_wrote_them():
    for moment in [
        datetime(2026, 11, 1, 1, 30, tzinfo=ZoneInfo("America/New_York")),
        datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=ZoneInfo("America/New_York")),
        datetime(2026, 6, 1, 9, 0, 0, 123456, tzinfo=ZoneInfo("America/Phoenix")),
        datetime(2026, 6, 1, 9, 0, 5, tzinfo=UTC),
        datetime(2026, 1, 1, 9, 0, tzinfo=ZoneInfo("Europe/London")),
    ]:
        assert json.dumps(_json_time(moment)) == json.dumps(moment, cls=NinjaJSONEncoder)
