"""The chart history: visits newest first with units per area and side (each product in its own
units), lots, signatures, "not treated" with the reason, overrides and addenda; the last two
assessments side by side; times in each visit's location zone; a constant number of queries."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.models import AccessLog
from tests.charting.chart_world import MONTH, area, charted_visit
from tests.factories import (
    AddendumFactory,
    AppointmentFactory,
    InjectionSiteFactory,
    LocationFactory,
    LotUseFactory,
    OverrideFactory,
    PatientFactory,
    ProviderFactory,
    TreatmentRecordFactory,
)
from treatments.models import Product

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
DAO = "depressor anguli oris"
FIRST = {("masseter", "left"): {"rest": 1, "clench": 3}, ("masseter", "right"): {"rest": 0, "clench": 2},
         (DAO, "left"): {"smile": 3}, (DAO, "right"): {"smile": 1}}  # fmt: skip
SECOND = {("masseter", "left"): {"rest": 0, "clench": 2}, ("masseter", "right"): {"rest": 0, "clench": 2},
          (DAO, "left"): {"smile": 2}, (DAO, "right"): {"smile": 0}}  # fmt: skip


@pytest.fixture
def world(injector_user):
    location = LocationFactory(slug="sarasota", name="Sarasota", timezone="America/New_York")
    injector_user.first_name, injector_user.last_name = "Imani", "Osei"
    injector_user.save()
    provider = ProviderFactory(user=injector_user)
    patient = PatientFactory(first_name="Elena", last_name="Marsh")
    return patient, provider, location


def history_url(patient) -> str:
    return reverse("charting:history", args=[patient.pk])


def page(client, user, patient, name="charting:history") -> str:
    client.force_login(user)
    response = client.get(reverse(name, args=[patient.pk]))
    assert response.status_code == 200
    return response.content.decode()


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@time_machine.travel(NOW, tick=False)
def test_the_timeline_shows_each_visit_with_units_lots_signature_and_what_was_not_done(client, injector_user, world):
    patient, provider, location = world
    first = charted_visit(patient=patient, provider=provider, location=location, start=NOW - 8 * MONTH,
                          units={("masseter", "left"): 30, ("masseter", "right"): 22, ("dao", "left"): 4,
                                 ("dao", "right"): 2}, lot_number="C8123C3", scores=FIRST)  # fmt: skip
    second = charted_visit(patient=patient, provider=provider, location=location, start=NOW - 4 * MONTH,
                           units={("masseter", "left"): 26, ("masseter", "right"): 22.5}, lot_number="C9051C3",
                           scores=SECOND)  # fmt: skip
    record = second.treatment_record
    OverrideFactory(record=record, code="interval", message="Under 90 days since the last treatment.",
                            reason="Touch-up agreed at review.", by=injector_user, at=NOW - 4 * MONTH)  # fmt: skip
    AddendumFactory(record=record, text="Patient called: jaw feels even.", author=injector_user, at=NOW - 3 * MONTH)
    # A Dysport visit beside a Botox one: their units are never added together.
    dysport = Product.objects.get(slug="dysport")
    mixed = charted_visit(patient=patient, provider=provider, location=location, start=NOW - 2 * MONTH,
                          units={("masseter", "left"): 50}, product=dysport, lot_number="DY777")  # fmt: skip
    botox_lot = LotUseFactory(record=mixed.treatment_record, lot_number="C1111C3")
    InjectionSiteFactory(lot=botox_lot, area=area("dao"), side="right", units=3)
    skipped = AppointmentFactory(patient=patient, provider=provider, location=location, start=NOW - MONTH)
    TreatmentRecordFactory(appointment=skipped, status="not_treated", not_treated_reason="Cold sore at the site.",
                           signed_by=injector_user, signed_at=NOW - MONTH)  # fmt: skip
    AppointmentFactory(patient=patient, provider=provider, location=location, start=NOW + MONTH)  # nothing charted
    AppointmentFactory(provider=provider, location=location, start=NOW - MONTH - timedelta(days=1))  # someone else

    html = page(client, injector_user, patient)
    visits = html[html.index('id="visits-heading"') :]
    words = text(visits)
    # Newest first, and only this patient's charted visits.
    headings = re.findall(r'<h3 class="h6 mb-1" id="visit-(\d+)"', visits)
    assert headings == [str(a.pk) for a in (skipped, mixed, second, first)]
    assert "Not treated: Cold sore at the site." in words
    assert "Jawline and masseters Botox Cosmetic 30 22 – 4" in words  # area, product, left, right, centre, points
    assert "Downturned mouth corners Botox Cosmetic 4 2 – 4" in words and "Total: 58 Botox Cosmetic units" in words
    assert "Jawline and masseters Botox Cosmetic 26 22.5 – 4" in words
    assert "Total: 48.5 Botox Cosmetic units" in words
    assert "Botox Cosmetic lot C8123C3" in words and "Botox Cosmetic lot C9051C3" in words
    assert "Signed by Imani Osei, Aug 3, 2026 4:30 PM EDT" in words
    assert "Recorded by Imani Osei, Nov 1, 2026 3:00 PM EST" in words
    assert "Warning gone past: Under 90 days since the last treatment. Reason: Touch-up agreed at review." in words
    assert "Addendum by Imani Osei, Sep 2, 2026 4:00 PM EDT: Patient called: jaw feels even." in words
    # Two products in one visit: each total in its own units, nothing adds them.
    assert (
        "Total: 3 Botox Cosmetic units · 50 Dysport units (different products' units are not added together)" in words
    )
    # 50 + 3 nowhere (the factories' service names carry a sequence number: leave those out).
    assert not re.search(r"\b53\b", re.sub(r"Service \d+", "", words))


@time_machine.travel(NOW, tick=False)
def test_the_last_two_assessments_side_by_side_with_the_left_right_differences(client, injector_user, world):
    patient, provider, location = world
    oldest = {("masseter", "left"): {"clench": 0}, ("masseter", "right"): {"clench": 3}}
    charted_visit(patient=patient, provider=provider, location=location, start=NOW - 12 * MONTH,
                  units={("masseter", "left"): 20}, scores=oldest)  # fmt: skip
    charted_visit(patient=patient, provider=provider, location=location, start=NOW - 8 * MONTH,
                  units={("masseter", "left"): 30, ("masseter", "right"): 22}, scores=FIRST)  # fmt: skip
    charted_visit(patient=patient, provider=provider, location=location, start=NOW - 4 * MONTH,
                  units={("masseter", "left"): 26, ("masseter", "right"): 22}, scores=SECOND)  # fmt: skip
    html = page(client, injector_user, patient)
    compare = html[html.index('id="compare-heading"') : html.index('id="visits-heading"')]
    words = text(compare)
    # Earlier (8 months ago) against the latest; the oldest visit is not compared.
    assert "Earlier: Apr 5, 2026 Jawline and masseters: 30 L / 22 R Botox Cosmetic units" in words
    assert "Latest: Aug 3, 2026 Jawline and masseters: 26 L / 22 R Botox Cosmetic units" in words
    # Masseter: rest 1–0 → 0–0 (1 → 0, shrank); clench 3–2 → 2–2 (1 → 0, shrank).
    assert "At rest 1 0 1 0 0 0 shrank" in words
    assert "Clenching 3 2 1 2 2 0 shrank" in words
    # DAO: smiling 3–1 → 2–0: the gap stays 2.
    assert "Smiling 3 1 2 2 0 2 same" in words
    # Summed over everything scored on both sides both times: 4 → 2.
    assert "converging : the left–right differences add up to 2, down from 4." in words


@time_machine.travel(NOW, tick=False)
def test_a_growing_difference_is_called_diverging(client, injector_user, world):
    patient, provider, location = world
    charted_visit(patient=patient, provider=provider, location=location, start=NOW - 8 * MONTH,
                  units={("masseter", "left"): 20}, scores=SECOND)  # fmt: skip
    charted_visit(patient=patient, provider=provider, location=location, start=NOW - 4 * MONTH,
                  units={("masseter", "left"): 20}, scores=FIRST)  # fmt: skip
    words = text(page(client, injector_user, patient))
    assert "Clenching 2 2 0 3 2 1 grew" in words and "diverging" in words


@time_machine.travel(NOW, tick=False)
def test_one_assessed_visit_has_no_comparison(client, injector_user, world):
    patient, provider, location = world
    charted_visit(patient=patient, provider=provider, location=location, start=NOW - 4 * MONTH,
                  units={("masseter", "left"): 20}, scores=FIRST)  # fmt: skip
    html = page(client, injector_user, patient)
    assert "compare-heading" not in html and "Visits, newest first" in html


@pytest.mark.parametrize(("zone", "server", "local", "wrong"), [
    ("America/Phoenix", "America/New_York", "Aug 3, 2026 1:00 PM MST", "4:00 PM"),
    ("America/New_York", "America/Phoenix", "Aug 3, 2026 4:00 PM EDT", "1:00 PM"),
])  # fmt: skip
@time_machine.travel(NOW, tick=False)
def test_times_are_in_the_visits_location_zone_whatever_the_servers(client, injector_user, world, zone, server,
                                                                      local, wrong):  # fmt: skip
    patient, provider, _ = world
    location = LocationFactory(slug="elsewhere", name="Elsewhere", timezone=zone)
    start = datetime(2026, 8, 3, 20, 0, tzinfo=UTC)
    appointment = charted_visit(patient=patient, provider=provider, location=location, start=start,
                                units={("masseter", "left"): 20}, scores=FIRST)  # fmt: skip
    AddendumFactory(record=appointment.treatment_record, text="Later note.", author=injector_user,
                    at=start + timedelta(days=1))  # fmt: skip
    with override_settings(TIME_ZONE=server):
        for name in ("charting:history", "charting:print"):
            words = text(page(client, injector_user, patient, name))
            assert local in words
            signed_local = (start + timedelta(minutes=30)).astimezone(ZoneInfo(zone))
            assert f"Signed by Imani Osei, {signed_local:%b} {signed_local.day}, 2026 {signed_local:%-I:%M %p}" in words
            assert wrong not in words


def _earlier_visits(patient, provider, location, count: int, *, hour: int = 0) -> None:
    """`count` monthly visits; `hour` keeps two patients of one provider from overlapping (PostgreSQL refuses it)."""
    for i in range(count):
        start = NOW - (i + 1) * MONTH + timedelta(hours=hour)
        charted_visit(patient=patient, provider=provider, location=location, start=start,
                      units={("masseter", "left"): 20 + i, ("masseter", "right"): 18, ("dao", "left"): 2},
                      lot_number=f"L{i}", scores=FIRST if i % 2 else SECOND)  # fmt: skip
        record = patient.appointments.order_by("-pk").first().treatment_record
        OverrideFactory(record=record, code="dose", message="High dose.", reason="Strong masseter.",
                        by=provider.user, at=NOW)  # fmt: skip
        AddendumFactory(record=record, text="Note.", author=provider.user, at=NOW)


def _queries(client, patient) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(history_url(patient)).status_code == 200
    return len(captured)


@time_machine.travel(NOW, tick=False)
def test_the_history_costs_the_same_queries_with_1_and_with_20_earlier_visits(client, injector_user, world):
    patient, provider, location = world
    other = PatientFactory(first_name="Other")
    _earlier_visits(patient, provider, location, 1 + 1)  # the latest visit and 1 earlier one
    _earlier_visits(other, provider, location, 1 + 20, hour=1)
    client.force_login(injector_user)
    client.get(history_url(patient))  # warm the session and the content types
    one = _queries(client, patient)
    twenty = _queries(client, other)
    print(f"\nhistory page queries: 1 earlier visit {one}, 20 earlier visits {twenty}")
    assert one == twenty
    assert text(client.get(history_url(other)).content.decode()).count("Signed by") == 21


@time_machine.travel(NOW, tick=False)
def test_every_read_is_logged_and_the_print_copy_has_no_navigation(client, injector_user, world):
    patient, provider, location = world
    charted_visit(patient=patient, provider=provider, location=location, start=NOW - MONTH,
                  units={("masseter", "left"): 20})  # fmt: skip
    page(client, injector_user, patient)
    html = page(client, injector_user, patient, "charting:print")
    assert list(AccessLog.objects.order_by("pk").values_list("what", "patient_id", "actor_id")) == [
        ("chart history", patient.pk, injector_user.pk),
        ("chart history (print)", patient.pk, injector_user.pk),
    ]
    assert "data-print" in html and "site-nav" not in html and "navbar" not in html and "Sign out" not in html
    assert "<script>" not in html and "js/page.js" in html


def test_front_desk_gets_403_and_no_link_on_the_profile(client, front_desk_user, injector_user, world):
    patient, provider, location = world
    charted_visit(patient=patient, provider=provider, location=location, start=NOW - MONTH,
                  units={("masseter", "left"): 20})  # fmt: skip
    client.force_login(front_desk_user)
    for name in ("charting:history", "charting:print"):
        assert client.get(reverse(name, args=[patient.pk])).status_code == 403
    profile = client.get(reverse("bookings:staff-patient", args=[patient.pk])).content.decode()
    assert history_url(patient) not in profile
    assert not AccessLog.objects.exists()
    client.force_login(injector_user)
    profile = client.get(reverse("bookings:staff-patient", args=[patient.pk])).content.decode()
    assert f'<a href="{history_url(patient)}">Chart history</a>' in profile
