"""The public pages: home, the treatments list and each area's page."""

import re
from itertools import pairwise

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


def _heading_levels(html: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]


@pytest.mark.parametrize("path", ["/", "/treatments/", "/treatments/masseter/"])
def test_public_pages_never_skip_a_heading_level(client, path):
    levels = _heading_levels(client.get(path).content.decode())
    assert levels[0] == 1
    skips = [(a, b) for a, b in pairwise(levels) if b > a + 1]
    assert not skips, f"{path}: heading levels {levels}"


@pytest.mark.parametrize(
    ("slug", "phrase"),
    [
        ("glabella", "(5 points)"),
        ("masseter", "(2–3 points per side)"),
        ("dao", "(1 point per side, ≥1 cm lateral to the mouth corner)"),
        ("platysma", "(along the bands and the jawline)"),
        ("nasal-tip", "(1 point)"),
    ],
)
def test_area_page_says_how_many_injection_points_in_plain_words(client, slug, phrase):
    html = " ".join(client.get(f"/treatments/{slug}/").content.decode().split())
    assert f"a few tiny injections {phrase}, 10–30 minutes" in html
    assert "side points" not in html and "corner points" not in html
