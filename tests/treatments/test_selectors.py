from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AftercareStepFactory, ServiceFactory, TreatmentAreaFactory
from treatments.models import Product, Service, TreatmentArea
from treatments.selectors import aftercare_plan, areas_by_region, toxin_treatment_service

pytestmark = pytest.mark.django_db


def _treatment() -> Service:
    return Service.objects.get(slug="neuromodulator-treatment")


def _rebook(steps) -> timedelta:
    return next(step.offset for step in steps if step.key == "rebook")


def test_default_treatment_plan_is_every_step_in_time_order():
    steps = aftercare_plan(service=_treatment())
    assert [s.key for s in steps] == [
        "sheet",
        "upright",
        "day-1",
        "day-2",
        "results",
        "two-week",
        "rebook",
        "six-month",
    ]


@pytest.mark.parametrize(
    ("product", "areas", "days"),
    [
        ("botox-cosmetic", [], 98),
        ("dysport", [], 120),
        ("daxxify", [], 182),
        ("botox-cosmetic", ["lip-flip"], 56),
        # An area's override beats the product's, and the earliest area wins among several.
        ("daxxify", ["glabella", "lip-flip"], 56),
        ("xeomin", ["glabella", "masseter"], 98),
    ],
)
def test_rebook_follows_the_product_and_the_areas(product, areas, days):
    steps = aftercare_plan(
        service=_treatment(),
        product=Product.objects.get(slug=product),
        areas=TreatmentArea.objects.filter(slug__in=areas),
    )
    assert _rebook(steps) == timedelta(days=days)
    assert [s.offset for s in steps] == sorted(s.offset for s in steps)


def test_an_inactive_override_removes_the_step_for_that_area():
    service = _treatment()
    area = TreatmentAreaFactory()
    AftercareStepFactory(service=service, key="six-month", area=area, offset=timedelta(days=182), is_active=False)
    assert "six-month" not in {s.key for s in aftercare_plan(service=service, areas=[area])}
    assert "six-month" in {s.key for s in aftercare_plan(service=service)}


def test_aftercare_plan_is_one_query_whatever_the_number_of_areas():
    service = _treatment()
    one_area = list(TreatmentArea.objects.filter(slug="glabella"))
    areas = list(TreatmentArea.objects.all())
    product = Product.objects.first()
    with CaptureQueriesContext(connection) as few:
        aftercare_plan(service=service, areas=one_area)
    with CaptureQueriesContext(connection) as many:
        aftercare_plan(service=service, product=product, areas=areas)
    assert len(few) == len(many) == 1


def test_areas_by_region_groups_in_page_order_and_hides_inactive_areas():
    TreatmentArea.objects.filter(slug="nasal-tip").update(is_active=False)
    with CaptureQueriesContext(connection) as queries:
        groups = areas_by_region()
    assert len(queries) == 1
    assert [label for label, _ in groups] == ["Upper face", "Mid and lower face", "Jaw and neck"]
    slugs = [area.slug for _, areas in groups for area in areas]
    assert "nasal-tip" not in slugs
    assert slugs[:2] == ["glabella", "forehead"]


def test_toxin_treatment_service_prefers_the_one_bookable_online():
    ServiceFactory(slug="desk-only-toxin", is_toxin_treatment=True, bookable_online=False, sort_order=0)
    assert toxin_treatment_service().slug == "neuromodulator-treatment"
