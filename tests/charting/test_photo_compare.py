"""The comparison: one expression at two chosen visits side by side (earlier on the left) and one
over the other, each visit's units per area and side, the assessment's left and right for that
expression and whether they converge; the same number of queries whatever the number of visits."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.charting.chart_world import MONTH, charted_visit
from tests.factories import LocationFactory, PatientFactory, PhotoFactory, ProviderFactory

pytestmark = pytest.mark.django_db

FIRST_DAY = datetime(2025, 1, 6, 15, 0, tzinfo=UTC)
DAO = "depressor anguli oris"
LOPSIDED = {("masseter", "left"): {"rest": 1, "clench": 3}, ("masseter", "right"): {"rest": 0, "clench": 1},
            (DAO, "left"): {"smile": 3}, (DAO, "right"): {"smile": 1}}  # fmt: skip
EVEN = {("masseter", "left"): {"rest": 0, "clench": 2}, ("masseter", "right"): {"rest": 0, "clench": 2},
        (DAO, "left"): {"smile": 2}, (DAO, "right"): {"smile": 1}}  # fmt: skip


@pytest.fixture
def world(injector_user, photo_store):
    location = LocationFactory(slug="sarasota", name="Sarasota", timezone="America/New_York")
    return PatientFactory(first_name="Elena", last_name="Marsh"), ProviderFactory(user=injector_user), location


def visits_with_photos(world, count: int, *, patient=None, hours: int = 0) -> list:
    owner, provider, location = world
    made = []
    for i in range(count):
        scores = LOPSIDED if i == 0 else EVEN
        units = {("masseter", "left"): 30 - i, ("masseter", "right"): 22, ("dao", "left"): 4, ("dao", "right"): 2}
        start = FIRST_DAY + i * 4 * MONTH + timedelta(hours=hours)
        visit = charted_visit(patient=patient or owner, provider=provider, location=location, start=start,
                              units=units, scores=scores, lot_number=f"C{i}")  # fmt: skip
        for expression in ("rest", "clench"):
            PhotoFactory(appointment=visit, expression=expression)
        made.append(visit)
    return made


def compare_url(patient, **query) -> str:
    url = reverse("charting:photo-compare", args=[patient.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_last_two_visits_side_by_side_with_units_scores_and_the_trend(client, injector_user, world):
    patient = world[0]
    first, second = visits_with_photos(world, 2)
    client.force_login(injector_user)
    response = client.get(compare_url(patient, expression="clench"))
    assert response.status_code == 200
    cmp = response.context["cmp"]
    assert (cmp.earlier.appointment, cmp.later.appointment) == (first, second)
    assert cmp.earlier.photo.appointment == first and cmp.later.photo.expression == "clench"
    text = response.content.decode()
    left, right = (reverse("charting:photo-file", args=[p.pk, "screen"]) for p in (cmp.earlier.photo, cmp.later.photo))
    assert text.index(left) < text.index(right)  # earlier on the left
    assert "data-overlay" in text and 'type="range"' in text
    # Units per area and side, for each visit.
    assert [(r.area.slug, r.left, r.right) for r in cmp.earlier.areas] == [("dao", 4, 2), ("masseter", 30, 22)]
    assert [(r.area.slug, r.left, r.right) for r in cmp.later.areas] == [("dao", 4, 2), ("masseter", 29, 22)]
    # Clenching: masseter 3/1 → 2/2; the DAO was not scored clenching.
    assert [(m, d.before, d.after, d.trend) for m, d in cmp.scores] == [("masseter", (3, 1), (2, 2), "shrank")]
    assert cmp.trend == "converging" and "converging" in text


def test_any_two_visits_and_phases_can_be_chosen_in_either_order(client, injector_user, world):
    patient = world[0]
    first, _second, third = visits_with_photos(world, 3)
    after = PhotoFactory(appointment=first, expression="smile", phase="after")
    client.force_login(injector_user)
    response = client.get(compare_url(patient, a=third.reference, b=first.reference, b_phase="after",
                                      expression="smile"))  # fmt: skip
    cmp = response.context["cmp"]
    assert (cmp.earlier.appointment, cmp.earlier.phase, cmp.earlier.photo) == (first, "after", after)
    assert (cmp.later.appointment, cmp.later.phase, cmp.later.photo) == (third, "before", None)
    assert "No photo of this expression" in response.content.decode()
    assert [(m, d.before, d.after) for m, d in cmp.scores] == [(DAO, (3, 1), (2, 1))]
    assert cmp.trend == "converging"


def test_another_patients_visit_or_nonsense_falls_back_to_the_last_two(client, injector_user, world):
    patient = world[0]
    other = PatientFactory(first_name="Other")
    (stranger,) = visits_with_photos(world, 1, patient=other, hours=2)
    first, second = visits_with_photos(world, 2)
    client.force_login(injector_user)
    for query in ({"a": stranger.reference}, {"a": "x" * 5000, "expression": "<script>", "a_phase": "during"}):
        cmp = client.get(compare_url(patient, **query)).context["cmp"]
        assert (cmp.earlier.appointment, cmp.later.appointment) == (first, second)
        assert cmp.expression == "rest" and cmp.earlier.phase == "before"


def test_a_patient_without_photos_gets_a_plain_page(client, injector_user, world):
    client.force_login(injector_user)
    response = client.get(compare_url(world[0]))
    assert response.status_code == 200 and "No photos have been taken" in response.content.decode()


def _queries(client, patient) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(compare_url(patient, expression="clench")).status_code == 200
    return len(captured)


def test_the_comparison_costs_the_same_queries_with_2_and_with_12_visits(client, injector_user, world):
    patient = world[0]
    other = PatientFactory(first_name="Other", last_name="Many")
    visits_with_photos(world, 2)
    visits_with_photos(world, 12, patient=other, hours=2)
    client.force_login(injector_user)
    _queries(client, patient)  # warm the session and the content types
    few, many = _queries(client, patient), _queries(client, other)
    print(f"comparison: {few} queries for 2 visits, {many} for 12")
    assert few == many, f"{few} queries for 2 visits, {many} for 12"
    assert many <= 14
