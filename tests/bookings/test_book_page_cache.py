"""The booking page's locations, services and areas are cached under the catalog's version: one
small query a page, and every write to a location or to the catalog shows on the next request."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import Location
from tests.factories import LocationFactory, ServiceFactory, TreatmentAreaFactory

pytestmark = pytest.mark.django_db

MARK = '<script id="booking-config" type="application/json">'


def config(client, path: str = "/book/") -> dict:
    html = client.get(path).content.decode()
    start = html.index(MARK) + len(MARK)
    return json.loads(html[start : html.index("</script>", start)])


def test_the_booking_page_costs_one_small_query_once_cached(client, clinic):
    first = client.get("/book/").content
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/book/").content
    assert again == first
    assert len(queries) == 1, [q["sql"] for q in queries]  # the catalog's version


def test_the_preselection_is_the_request_s_own(client, clinic):
    none = {"service": "", "area": "", "date": "", "location": "", "provider": ""}
    assert config(client, "/book/?service=consult&date=2027-01-04")["preselect"] == {
        **none,
        "service": "consult",
        "date": "2027-01-04",
    }
    assert config(client, "/book/?area=masseter")["preselect"] == {**none, "area": "masseter"}
    assert config(client, "/book/?location=sarasota&provider=3")["preselect"] == {
        **none,
        "location": "sarasota",
        "provider": "3",
    }


def test_locations_added_renamed_closed_and_removed_show_at_once(client, clinic):
    assert [loc["name"] for loc in config(client)["locations"]] == ["Sarasota"]
    added = LocationFactory(slug="tampa", name="Tampa", sort_order=5)
    assert [loc["name"] for loc in config(client)["locations"]] == ["Sarasota", "Tampa"]
    added.name, added.phone = "Tampa Bay", "+1 813 555 0100"
    added.save()
    tampa = config(client)["locations"][1]
    assert (tampa["name"], tampa["phone"]) == ("Tampa Bay", "+1 813 555 0100")
    Location.objects.filter(pk=added.pk).get().delete()
    assert [loc["name"] for loc in config(client)["locations"]] == ["Sarasota"]
    clinic.location.is_active = False
    clinic.location.save()
    assert config(client)["locations"] == []


def test_services_and_areas_show_at_once(client, clinic):
    before = config(client)
    ServiceFactory(slug="brand-new", name="Brand new service", bookable_online=True)
    TreatmentAreaFactory(slug="brand-new-area", name="Brand New Area")
    after = config(client)
    assert "brand-new" in {s["slug"] for s in after["services"]} - {s["slug"] for s in before["services"]}
    assert "Brand New Area" in {a["name"] for region in after["regions"] for a in region["areas"]}
    clinic.service.bookable_online = False
    clinic.service.save()
    assert "consult" not in {s["slug"] for s in config(client)["services"]}


def test_a_visitor_without_cookies_gets_the_page_kept_whole_the_same_as_rendered(client, clinic, settings):
    from django.test import Client

    fresh = client.get("/book/")
    kept = Client().get("/book/")
    assert kept.content == fresh.content
    assert kept["Vary"] == fresh["Vary"] and "Cookie" in kept["Vary"]
    settings.BOOKING_CANCEL_WINDOW_HOURS = 48
    settings.CLINIC_PHONE = "+1 941 555 0177"
    html = client.get("/book/").content.decode()
    assert "up to 48 hours before" in html and "+1 941 555 0177" in html
    assert config(client)["clinicPhone"] == "+1 941 555 0177"
