"""The checks at their boundaries: pure functions, no database."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from charting.checks import AreaFacts, EarlierTreatment, LotEntry, ProductFacts, SiteEntry, record_check

BOTOX = ProductFacts(id=1, brand="Botox", max_units_per_period=400, max_units_period_days=90,
                     contains_human_albumin=True)  # fmt: skip
DYSPORT = ProductFacts(id=2, brand="Dysport", units_per_botox_unit=Decimal("2.5"), contains_human_albumin=True,
                       contains_milk_protein=True)  # fmt: skip
DAXXIFY = ProductFacts(id=3, brand="Daxxify")
PRODUCTS = {p.id: p for p in (BOTOX, DYSPORT, DAXXIFY)}
MASSETER = AreaFacts(id=10, name="Masseter", per_side=True, typical_units_min=20, typical_units_max=45)
GLABELLA = AreaFacts(id=11, name="Frown lines", per_side=False, typical_units_min=20, typical_units_max=20)
DAO = AreaFacts(id=12, name="DAO", per_side=True, typical_units_min=2, typical_units_max=6)
AREAS = {a.id: a for a in (MASSETER, GLABELLA, DAO)}
DAY = date(2026, 12, 1)


def lot(index=0, product=BOTOX, number="C1234C3", expiry=date(2027, 6, 30)):
    return LotEntry(index=index, product_id=product.id if product else None, lot_number=number, expiry=expiry,
                    dilution_ml=Decimal("2.5"))  # fmt: skip


def site(index, area, side, units, lot_index=0):
    return SiteEntry(index=index, lot_index=lot_index, area_id=area.id if area else 999, side=side,
                     units=Decimal(str(units)), points=2)  # fmt: skip


def check(sites, lots=None, earlier=(), allergies=frozenset(), touch_up_of=None, day=DAY):
    return record_check(lots=lots or [lot()], sites=sites, visit_day=day, earlier=list(earlier), products=PRODUCTS,
                        areas=AREAS, allergies=allergies, touch_up_of=touch_up_of)  # fmt: skip


def codes(result):
    return [w.code for w in result.warnings]


def earlier(days_ago, units=50, product=BOTOX, record_id=7):
    return EarlierTreatment(record_id=record_id, day=DAY - timedelta(days=days_ago),
                            units_by_product={product.id: Decimal(units)})  # fmt: skip


# Refusals: field-level, named by the form's input


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        (site(0, MASSETER, "left", -5), "sites-0-units", "more than 0"),
        (site(0, MASSETER, "left", 0), "sites-0-units", "more than 0"),
        (site(0, MASSETER, "left", "2.3"), "sites-0-units", "steps of 0.5"),
        (site(0, None, "left", 10), "sites-0-area", "Choose a treatment area"),
        (site(0, GLABELLA, "left", 20), "sites-0-side", "centre"),
        (site(0, MASSETER, "centre", 20), "sites-0-side", "left or right"),
        (site(0, MASSETER, "left", 10000), "sites-0-units", "not a dose"),
        (site(0, MASSETER, "left", 20, lot_index=5), "sites-0-lot", "lot row"),
    ],
)
def test_a_bad_site_row_is_refused_on_its_field(row, field, words):
    result = check([row])
    assert words in " ".join(result.refusals[field])
    assert not result.warnings  # a refused record has no totals to warn about


def test_the_row_limit_scales_with_the_product_units():
    assert not check([site(0, MASSETER, "left", 100)]).refusals
    assert "sites-0-units" in check([site(0, MASSETER, "left", "100.5")]).refusals
    dysport = [lot(product=DYSPORT)]
    assert not check([site(0, MASSETER, "left", 250)], lots=dysport).refusals
    assert "at most 250 Dysport units" in check([site(0, MASSETER, "left", "250.5")], lots=dysport).refusals[
        "sites-0-units"][0]  # fmt: skip


def test_a_lot_expired_before_the_visit_is_refused_and_one_expiring_that_day_is_not():
    assert "expired" in check([site(0, DAO, "left", 4)], lots=[lot(expiry=DAY - timedelta(days=1))]).refusals[
        "lots-0-expiry"][0]  # fmt: skip
    assert not check([site(0, DAO, "left", 4)], lots=[lot(expiry=DAY)]).refusals


@pytest.mark.parametrize("number", ["", "   ", "\t"])
def test_a_blank_lot_number_is_refused(number):
    assert "lots-0-lot_number" in check([site(0, DAO, "left", 4)], lots=[lot(number=number)]).refusals


def test_an_albumin_allergy_refuses_every_albumin_product_but_not_daxxify():
    for product in (BOTOX, DYSPORT):
        refusals = check([site(0, DAO, "left", 4)], lots=[lot(product=product)], allergies=frozenset({"albumin"}))
        assert "albumin" in refusals.refusals["lots-0-product"][0]
    assert not check([site(0, DAO, "left", 4)], lots=[lot(product=DAXXIFY)], allergies=frozenset({"albumin"})).refusals


def test_a_milk_allergy_refuses_dysport_only():
    refused = check([site(0, DAO, "left", 10)], lots=[lot(product=DYSPORT)], allergies=frozenset({"milk"}))
    assert "milk" in refused.refusals["lots-0-product"][0]
    assert not check([site(0, DAO, "left", 4)], lots=[lot(product=BOTOX)], allergies=frozenset({"milk"})).refusals


# Warnings


def test_usual_range_is_per_side_for_a_per_side_area():
    assert codes(check([site(0, MASSETER, "left", 45), site(1, MASSETER, "right", 20)])) == []
    result = check([site(0, MASSETER, "left", 50), site(1, MASSETER, "right", 24)])
    assert codes(result) == [f"range-a{MASSETER.id}-left-p{BOTOX.id}-high"]
    assert "Masseter, left: 50 Botox units is above the usual 20–45" in result.warnings[0].message
    # Two rows into the same side add up; the other side is judged alone.
    assert codes(check([site(0, MASSETER, "left", 30), site(1, MASSETER, "left", 16), site(2, MASSETER, "right", 30)]))


def test_usual_range_is_the_total_for_a_centre_area():
    assert codes(check([site(0, GLABELLA, "centre", 10), site(1, GLABELLA, "centre", 10)])) == []
    assert codes(check([site(0, GLABELLA, "centre", "20.5")])) == [f"range-a{GLABELLA.id}-centre-p{BOTOX.id}-high"]


def test_dysport_range_is_scaled_and_never_added_to_botox():
    lots = [lot(0, BOTOX), lot(1, DYSPORT, "D99")]
    # 40 Botox + 100 Dysport in the same masseter: each within its own range (Dysport 50–112.5).
    result = check([site(0, MASSETER, "left", 40, 0), site(1, MASSETER, "left", 100, 1),
                    site(2, MASSETER, "right", 40, 0), site(3, MASSETER, "right", "112.5", 1)], lots=lots)  # fmt: skip
    assert codes(result) == []
    over = check([site(0, MASSETER, "left", 113, 1), site(1, MASSETER, "right", 60, 1)], lots=lots)
    assert codes(over) == [f"range-a{MASSETER.id}-left-p{DYSPORT.id}-high"]


def test_label_limit_counts_earlier_visits_within_its_period():
    now = [site(0, MASSETER, "left", 30), site(1, MASSETER, "right", 20)]  # 50 U today
    assert "limit-p1" not in codes(check(now, earlier=[earlier(60, units=350)]))  # 400: fine
    result = check(now, earlier=[earlier(60, units="350.5")])  # 400.5
    assert "limit-p1" in codes(result)
    assert "400.5 units within 90 days" in next(w.message for w in result.warnings if w.code == "limit-p1")
    # Two earlier visits add up inside the period; one 90 days ago is outside it.
    assert "limit-p1" in codes(check(now, earlier=[earlier(30, 200, record_id=1), earlier(89, 151, record_id=2)]))
    assert "limit-p1" not in codes(check(now, earlier=[earlier(30, 200, record_id=1), earlier(90, 151, record_id=2)]))


def test_label_limit_is_per_product():
    dysport_before = [earlier(30, units=1000, product=DYSPORT)]
    assert "limit-p1" not in codes(check([site(0, MASSETER, "left", 30)], earlier=dysport_before))


@pytest.mark.parametrize(("days", "warns"), [(89, True), (90, False), (91, False), (0, True)])
def test_retreatment_interval_after_any_product(days, warns):
    previous = earlier(days, units=40, product=DYSPORT)  # a different product counts too
    assert ("interval" in codes(check([site(0, DAO, "left", 4)], earlier=[previous]))) is warns


def test_interval_uses_the_latest_earlier_treatment_and_ignores_later_ones():
    treatments = [earlier(200, record_id=1), earlier(100, record_id=2), earlier(-5, record_id=3)]
    assert "interval" not in codes(check([site(0, DAO, "left", 4)], earlier=treatments))


@pytest.mark.parametrize(("days", "warns"), [(14, False), (21, False), (22, True)])
def test_a_linked_touch_up_within_21_days_is_not_an_interval_warning(days, warns):
    original = earlier(days, units=50, record_id=7)
    result = check([site(0, MASSETER, "left", 5)], earlier=[original], touch_up_of=7)
    assert ("interval" in codes(result)) is warns
    if warns:
        assert "touch-ups are within 21 days" in next(w.message for w in result.warnings if w.code == "interval")


def test_an_unlinked_top_up_two_weeks_later_warns_for_the_interval():
    assert "interval" in codes(check([site(0, MASSETER, "left", 5)], earlier=[earlier(14)]))


def test_a_touch_up_linked_to_an_older_treatment_still_warns_after_a_newer_one():
    treatments = [earlier(20, record_id=7), earlier(10, record_id=8)]
    assert "interval" in codes(check([site(0, MASSETER, "left", 5)], earlier=treatments, touch_up_of=7))


@pytest.mark.parametrize(("units", "warns"), [("25", False), ("25.5", True)])
def test_a_touch_up_over_half_the_original_warns(units, warns):
    original = earlier(14, units=50, record_id=7)
    result = check([site(0, MASSETER, "left", units)], earlier=[original], touch_up_of=7)
    assert ("touch-up-p1" in codes(result)) is warns


def test_touch_up_size_is_per_product_in_its_own_units():
    original = EarlierTreatment(record_id=7, day=DAY - timedelta(days=14),
                                units_by_product={BOTOX.id: Decimal(50), DYSPORT.id: Decimal(100)})  # fmt: skip
    lots = [lot(0, BOTOX), lot(1, DYSPORT, "D1")]
    fine = check([site(0, MASSETER, "left", 20, 0), site(1, MASSETER, "right", 50, 1)], lots=lots, earlier=[original],
                 touch_up_of=7)  # fmt: skip
    assert not [c for c in codes(fine) if c.startswith("touch-up")]
    over = check([site(0, MASSETER, "left", 20, 0), site(1, MASSETER, "right", 51, 1)], lots=lots, earlier=[original],
                 touch_up_of=7)  # fmt: skip
    assert [c for c in codes(over) if c.startswith("touch-up")] == ["touch-up-p2"]


def test_a_touch_up_of_an_unknown_treatment_is_refused():
    assert "touch_up_of" in check([site(0, DAO, "left", 4)], touch_up_of=99).refusals


def test_below_the_usual_range_warns_except_on_a_touch_up():
    assert codes(check([site(0, MASSETER, "left", 10), site(1, MASSETER, "right", 25)])) == [
        f"range-a{MASSETER.id}-left-p{BOTOX.id}-low"
    ]
    original = earlier(14, units=100, record_id=7)
    assert codes(check([site(0, MASSETER, "left", 10)], earlier=[original], touch_up_of=7)) == []
