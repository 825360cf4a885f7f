"""The catalog endpoints against the contract in DESIGN.md."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import TreatmentAreaFactory
from treatments.models import TreatmentArea

pytestmark = pytest.mark.django_db

AREA_KEYS = {"slug", "name", "muscles", "concern", "per_side", "typical_units_min", "typical_units_max"}
SERVICE_KEYS = {"slug", "name", "kind", "duration_minutes", "price", "bookable_online", "new_patients_online"}


def test_areas_match_the_contract(client):
    response = client.get("/api/v1/areas")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    areas = response.json()
    assert len(areas) == 12
    assert all(set(area) == AREA_KEYS for area in areas)
    masseter = next(a for a in areas if a["slug"] == "masseter")
    assert masseter == {
        "slug": "masseter",
        "name": "Jawline and masseters",
        "muscles": ["masseter"],
        "concern": "Clenching or grinding, jaw tension, or a square jaw",
        "per_side": True,
        "typical_units_min": 20,
        "typical_units_max": 45,
    }
    glabella = next(a for a in areas if a["slug"] == "glabella")
    assert glabella["muscles"] == ["corrugator", "procerus"]


def test_inactive_areas_are_not_listed(client):
    TreatmentArea.objects.filter(slug="lip-flip").update(is_active=False)
    slugs = [area["slug"] for area in client.get("/api/v1/areas").json()]
    assert "lip-flip" not in slugs and len(slugs) == 11


def test_services_match_the_contract(client):
    services = client.get("/api/v1/services").json()
    assert all(set(service) == SERVICE_KEYS for service in services)
    consult = next(s for s in services if s["slug"] == "facial-balancing-consultation")
    assert consult == {
        "slug": "facial-balancing-consultation",
        "name": "Facial balancing consultation",
        "kind": "consultation",
        "duration_minutes": 45,
        "price": "0.00",
        "bookable_online": True,
        "new_patients_online": True,
    }
    assert any(s["kind"] == "treatment" and not s["new_patients_online"] for s in services)
    assert {s["kind"] for s in services} == {"consultation", "treatment", "review"}


def test_catalog_endpoints_cost_one_query_whatever_the_catalog_size(client):
    with CaptureQueriesContext(connection) as small:
        client.get("/api/v1/areas")
    TreatmentAreaFactory.create_batch(50)
    with CaptureQueriesContext(connection) as large:
        assert len(client.get("/api/v1/areas").json()) == 62
    assert len(small) == len(large) == 1


def test_openapi_schema_describes_the_catalog(client):
    response = client.get("/api/v1/schema")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/areas", "/api/v1/services"} <= set(schema["paths"])
    area_schema = schema["components"]["schemas"]["AreaOut"]
    assert set(area_schema["properties"]) == AREA_KEYS


def test_api_docs_load_their_assets_locally(client):
    html = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/bookings/a/b/c", "/api/v2/areas"])
def test_unknown_api_path_is_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
