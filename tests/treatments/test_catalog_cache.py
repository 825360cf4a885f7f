"""The catalog pages are cached under the catalog's version; every catalog write, the admin's
included, shows on the next request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import AftercareStepFactory, ProductFactory, TreatmentAreaFactory
from tests.html_forms import rendered_form
from treatments.catalog_cache import catalog_version
from treatments.models import TreatmentArea
from treatments.selectors import toxin_treatment_service

pytestmark = pytest.mark.django_db


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_a_cached_page_costs_one_small_query(client):
    area = TreatmentArea.objects.active().first()
    for path in ("/", "/treatments/", f"/treatments/{area.slug}/"):
        first = page(client, path)
        with CaptureQueriesContext(connection) as queries:
            again = page(client, path)
        assert again == first
        assert len(queries) == 1, [q["sql"] for q in queries]  # the catalog's version


def test_renaming_an_area_shows_on_every_catalog_page(client):
    area = TreatmentArea.objects.active().first()
    for path in ("/", "/treatments/", f"/treatments/{area.slug}/"):
        assert area.name in page(client, path)
    area.name = "Renamed Area Xyz"
    area.save()
    for path in ("/", "/treatments/", f"/treatments/{area.slug}/"):
        assert "Renamed Area Xyz" in page(client, path)


def test_new_and_removed_areas_show_at_once(client):
    page(client, "/")
    added = TreatmentAreaFactory(name="Brand New Area")
    assert "Brand New Area" in page(client, "/")
    assert "Brand New Area" in page(client, f"/treatments/{added.slug}/")
    added.delete()
    assert "Brand New Area" not in page(client, "/")
    assert client.get(f"/treatments/{added.slug}/").status_code == 404


def test_an_unknown_area_is_a_404_until_it_is_added(client):
    assert client.get("/treatments/not-yet/").status_code == 404
    TreatmentAreaFactory(slug="not-yet", name="Not Yet")
    assert "Not Yet" in page(client, "/treatments/not-yet/")


def test_aftercare_services_and_products_bump_the_version(client):
    area = TreatmentArea.objects.active().first()
    page(client, f"/treatments/{area.slug}/")
    service = toxin_treatment_service()
    before = catalog_version()
    AftercareStepFactory(service=service, area=area, title="Sleep on your back tonight xyz")
    assert "Sleep on your back tonight xyz" in page(client, f"/treatments/{area.slug}/")
    assert catalog_version() == before + 1
    ProductFactory()
    service.save()
    assert catalog_version() == before + 3


def test_an_edit_in_the_admin_shows_on_the_pages(client, manager_user):
    area = TreatmentArea.objects.active().first()
    assert "Edited in the admin xyz" not in page(client, f"/treatments/{area.slug}/")  # now cached
    assert "Edited in the admin xyz" not in page(client, "/")
    client.force_login(manager_user)
    url = reverse("admin:treatments_treatmentarea_change", args=[area.pk])
    data, _ = rendered_form(client.get(url).content.decode(), form_id="treatmentarea_form")
    data["concern"] = "Edited in the admin xyz"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    assert "Edited in the admin xyz" in page(client, f"/treatments/{area.slug}/")
    assert "Edited in the admin xyz" in page(client, "/")


def test_a_visitor_without_cookies_gets_the_page_kept_whole_the_same_as_rendered(client, settings):
    from django.test import Client

    area = TreatmentArea.objects.active().first()
    for path in ("/", "/treatments/", f"/treatments/{area.slug}/"):
        fresh = client.get(path)
        kept = Client().get(path)  # another visitor: the page as kept
        assert kept.status_code == 200
        assert kept.content == fresh.content
        assert kept["Vary"] == fresh["Vary"] and "Cookie" in kept["Vary"]
        assert kept["Content-Type"] == fresh["Content-Type"]
    settings.CLINIC_PHONE = "+1 941 555 0199"
    assert "+1 941 555 0199" in page(client, "/")


def test_signed_in_staff_get_their_own_page_not_the_kept_one(client, manager_user):
    assert "Staff sign-in" in page(client, "/")
    client.force_login(manager_user)
    html = page(client, "/")
    assert "Staff: today" in html and "Staff sign-in" not in html
