"""The catalog that the data migration ships: complete, and consistent with the domain reference."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from tests.factories import AftercareStepFactory, ProductFactory, ServiceFactory, TreatmentAreaFactory
from treatments.models import AftercareStep, Product, Region, Service, ServiceKind, TreatmentArea

pytestmark = pytest.mark.django_db

AREA_SLUGS = {
    "glabella", "forehead", "crows-feet", "brow-lift", "bunny-lines", "gummy-smile",
    "lip-flip", "dao", "mentalis", "masseter", "platysma", "nasal-tip",
}  # fmt: skip
PER_SIDE = {"crows-feet", "brow-lift", "bunny-lines", "gummy-smile", "dao", "masseter", "platysma"}


def test_all_twelve_areas_ship_with_muscles_dose_points_and_copy():
    areas = {area.slug: area for area in TreatmentArea.objects.all()}
    assert set(areas) == AREA_SLUGS
    for area in areas.values():
        assert area.muscle_list, area.slug
        assert area.concern and area.summary and area.injection_points, area.slug
        assert 0 < area.typical_units_min <= area.typical_units_max, area.slug


def test_per_side_flag_matches_the_areas_dosed_left_and_right():
    assert set(TreatmentArea.objects.filter(per_side=True).values_list("slug", flat=True)) == PER_SIDE


@pytest.mark.parametrize(
    ("slug", "low", "high"),
    [("glabella", 20, 20), ("masseter", 20, 45), ("dao", 2, 6), ("lip-flip", 4, 6), ("crows-feet", 5, 12)],
)
def test_typical_dose_ranges_follow_the_reference(slug, low, high):
    area = TreatmentArea.objects.get(slug=slug)
    assert (area.typical_units_min, area.typical_units_max) == (low, high)


def test_areas_fall_in_the_three_regions_of_the_home_page():
    regions = dict(TreatmentArea.objects.values_list("slug", "region"))
    assert regions["glabella"] == Region.UPPER_FACE
    assert regions["dao"] == Region.MID_LOWER_FACE
    assert {regions["masseter"], regions["platysma"]} == {Region.JAW_NECK}


def test_six_products_none_retreated_before_90_days():
    products = {p.slug: p for p in Product.objects.all()}
    assert set(products) == {"botox-cosmetic", "dysport", "xeomin", "jeuveau", "daxxify", "letybo"}
    assert {p.min_retreatment_days for p in products.values()} == {90}
    assert products["botox-cosmetic"].max_units_per_period == 400
    assert products["dysport"].contains_milk_protein
    assert products["letybo"].contains_human_albumin
    assert not products["daxxify"].contains_human_albumin


def test_bookable_services_with_durations_and_buffers():
    services = {s.slug: s for s in Service.objects.all()}
    consult = services["facial-balancing-consultation"]
    treatment = services["neuromodulator-treatment"]
    review = services["two-week-review"]
    assert (consult.kind, consult.duration_minutes) == (ServiceKind.CONSULTATION, 45)
    assert (treatment.kind, treatment.duration_minutes) == (ServiceKind.TREATMENT, 30)
    assert (review.kind, review.duration_minutes) == (ServiceKind.REVIEW, 15)
    assert treatment.is_toxin_treatment and not consult.is_toxin_treatment
    assert treatment.buffer_after == timedelta(minutes=10)
    assert consult.new_patients_online and not treatment.new_patients_online


def test_treatment_aftercare_follows_the_timeline():
    steps = AftercareStep.objects.filter(
        service__slug="neuromodulator-treatment", product__isnull=True, area__isnull=True
    )
    offsets = {step.key: step.offset for step in steps}
    assert offsets == {
        "sheet": timedelta(0),
        "upright": timedelta(hours=4),
        "day-1": timedelta(hours=24),
        "day-2": timedelta(hours=48),
        "results": timedelta(days=3),
        "two-week": timedelta(days=14),
        "rebook": timedelta(days=98),
        "six-month": timedelta(days=182),
    }
    assert AftercareStep.objects.get(service__slug="facial-balancing-consultation", key="plan").offset == timedelta(
        days=1
    )


def test_area_dose_range_cannot_be_inverted():
    with pytest.raises(IntegrityError), transaction.atomic():
        TreatmentAreaFactory(typical_units_min=10, typical_units_max=4)


def test_an_override_is_for_a_product_or_an_area_not_both():
    service = ServiceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AftercareStepFactory(service=service, key="rebook", product=ProductFactory(), area=TreatmentAreaFactory())


def test_only_one_default_step_per_key():
    service = ServiceFactory()
    AftercareStepFactory(service=service, key="rebook")
    with pytest.raises(IntegrityError), transaction.atomic():
        AftercareStepFactory(service=service, key="rebook")


def test_one_override_per_product_and_key_but_products_may_each_have_one():
    service, product = ServiceFactory(), ProductFactory()
    AftercareStepFactory(service=service, key="rebook", product=product)
    AftercareStepFactory(service=service, key="rebook", product=ProductFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        AftercareStepFactory(service=service, key="rebook", product=product)


@pytest.mark.parametrize(
    ("offset", "label"),
    [
        (timedelta(0), "Right after your visit"),
        (timedelta(hours=4), "4 hours after"),
        (timedelta(hours=24), "24 hours after"),
        (timedelta(days=3), "3 days after"),
        (timedelta(days=14), "2 weeks after"),
        (timedelta(days=56), "8 weeks after"),
        (timedelta(days=98), "About 3 months after"),
        (timedelta(days=182), "About 6 months after"),
    ],
)
def test_aftercare_offsets_read_in_a_patients_words(offset, label):
    assert AftercareStep(offset=offset).when_label == label


@pytest.mark.parametrize(
    ("points", "label"),
    [
        ("1", "1 point"),
        ("5", "5 points"),
        ("4–6", "4–6 points"),
        ("1 per side", "1 point per side"),
        ("2–3 per side", "2–3 points per side"),
        ("1 per side, ≥1 cm lateral to the mouth corner", "1 point per side, ≥1 cm lateral to the mouth corner"),
        ("Along the bands and the jawline", "along the bands and the jawline"),
    ],
)
def test_injection_points_read_as_a_phrase_with_the_noun_after_the_count(points, label):
    assert TreatmentArea(injection_points=points).injection_points_label == label
