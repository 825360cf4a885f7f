"""The public pages: home, the treatments list and each area's page."""

import pytest
from django.urls import reverse

from treatments.models import TreatmentArea

pytestmark = pytest.mark.django_db


def test_home_explains_rebalancing_groups_areas_and_offers_a_consultation(client):
    response = client.get("/")
    assert response.status_code == 200
    html = " ".join(response.content.decode().split())
    assert "Facial balancing" in html
    assert "relaxes the stronger muscle" in html
    for region in ("Upper face", "Mid and lower face", "Jaw and neck"):
        assert region in html
    assert html.index("Upper face") < html.index("Mid and lower face") < html.index("Jaw and neck")
    assert "Book a consultation" in html
    for area in TreatmentArea.objects.all():
        assert reverse("treatments:area-detail", args=[area.slug]) in html


def test_pages_load_bootstrap_from_our_own_static_files(client):
    html = client.get("/").content.decode()
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html
    assert "cdn" not in html.lower()


def test_treatment_list_links_every_area(client):
    html = client.get("/treatments/").content.decode()
    assert html.count('class="stretched-link"') == 12


def test_area_page_shows_muscles_expectations_aftercare_and_cautions(client):
    response = client.get("/treatments/masseter/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="h2 mb-1">Jawline and masseters</h1>' in html
    assert "masseter" in html
    assert "20–45 units per side" in html
    assert "What to expect" in html and "complete at two weeks" in html
    assert "visible slimming takes about a month" in html
    assert "Aftercare in short" in html and "stay upright" in html
    assert "Chewing tough food" in html
    assert "off-label" in html
    assert "Book a consultation" in html


def test_every_area_page_renders(client):
    for area in TreatmentArea.objects.all():
        response = client.get(f"/treatments/{area.slug}/")
        assert response.status_code == 200, area.slug
        html = response.content.decode()
        assert area.name in html.replace("&#x27;", "'") and "Aftercare in short" in html


def test_lip_flip_page_says_it_wears_off_sooner_and_rebooks_at_eight_weeks(client):
    html = client.get("/treatments/lip-flip/").content.decode()
    assert "8–12 weeks" in html
    assert "8 weeks after" in html


def test_unknown_or_retired_area_is_404(client):
    assert client.get("/treatments/cheeks/").status_code == 404
    TreatmentArea.objects.filter(slug="forehead").update(is_active=False)
    assert client.get("/treatments/forehead/").status_code == 404
