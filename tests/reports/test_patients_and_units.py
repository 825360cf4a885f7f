from datetime import date, timedelta

import pytest

from reports.selectors import report_build
from tests.factories import PatientFactory
from tests.reports.conftest import NOW, history, injected, local

pytestmark = pytest.mark.django_db

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def by_provider(rows) -> dict:
    return {(row.provider.user.first_name if row.provider else row.level): row.figures for row in rows}


def day(d: int, hour: int = 10, month: int = 3):
    return local(date(2026, month, d), hour)


def test_new_patients_and_their_source_counted_by_hand(clinic, book):
    """In March:
    - Ada: first ever appointment, booked online (Imani): new, online.
    - Bea: seen in February, again in March: not new.
    - Cleo: her February booking was cancelled; her first kept one is at the desk in March (Daniel): new, desk.
    - Dana: two March appointments, the first booked online (Daniel): new once, online.
    - Eve: her first in March was cancelled, the next in March at the desk (Imani): new, desk.
    - Fay: first appointment in April: not new in March.
    - Gus: through the booking on the clinic's site (Daniel), a no-show: new (booked is booked), embed.
    Imani: 1 online, 1 desk. Daniel: 1 online, 1 desk, 1 embed. Together 5."""
    imani, daniel = clinic.first, clinic.second
    p = {name: PatientFactory(first_name=name) for name in ("Ada", "Bea", "Cleo", "Dana", "Eve", "Fay", "Gus")}
    book(imani, day(2), patient=p["Ada"], source="online")
    book(imani, day(10, month=2), patient=p["Bea"], source="online")
    book(imani, day(3), patient=p["Bea"], source="desk")
    book(daniel, day(11, month=2), patient=p["Cleo"], source="online", status="cancelled", cancelled=day(1, month=2))
    book(daniel, day(4), patient=p["Cleo"], source="desk")
    book(daniel, day(5), patient=p["Dana"], source="online")
    book(daniel, day(6), patient=p["Dana"], source="desk")
    book(imani, day(7), patient=p["Eve"], source="online", status="cancelled", cancelled=day(1))
    book(imani, day(8), patient=p["Eve"], source="desk")
    book(imani, day(2, month=4), patient=p["Fay"], source="online", status="booked")
    book(daniel, day(9), patient=p["Gus"], source="embed", status="no_show")

    report = report_build(first=MARCH[0], last=MARCH[1], now=NOW)

    figures = by_provider(report.new_patients)
    assert dict(figures["Imani"].by_source) == {"online": 1, "desk": 1}
    assert dict(figures["Daniel"].by_source) == {"online": 1, "desk": 1, "embed": 1}
    assert figures["location"].total == 5
    assert [value for value, _ in report.sources][:3] == ["online", "desk", "embed"]


def test_intake_before_the_visit_counted_by_hand(clinic, book):
    """Imani's visits the patient came to in March: history the day before (in time); submitted twice, first
    an hour before (in time); only 5 minutes into the visit (late); none (never); checked in now, history two
    days before (in time). Not counted: a no-show with a history, a cancelled visit. 3 of 5 in time."""
    imani = clinic.first
    history(book(imani, day(2)), day(1))
    twice = book(imani, day(3))
    history(twice, day(3, 9))
    history(twice, day(3, 11))
    history(book(imani, day(4)), day(4) + timedelta(minutes=5))
    book(imani, day(5))
    history(book(imani, day(6), status="checked_in"), day(4))
    history(book(imani, day(9), status="no_show"), day(8))
    history(book(imani, day(10), status="cancelled", cancelled=day(1)), day(8))

    figures = by_provider(report_build(first=MARCH[0], last=MARCH[1], now=NOW).intake)["Imani"]

    assert (figures.visits, figures.before, figures.after, figures.missing) == (5, 3, 1, 1)
    assert figures.rate == pytest.approx(0.6)


@pytest.fixture
def units_in_march(clinic, book):
    """Signed records in March, units as charted:
    - Imani: Botox, masseter left 25 and right 20, frown lines (glabella) 20.
    - Daniel: Botox, masseter left 30. And Dysport (its own units), masseter left 50 and right 50.
    Not counted: Imani's draft record (Botox masseter 100), and a signed record in April (Botox 40).
    Botox: masseter 75 in 2 visits, glabella 20 in 1; 95 in all. Dysport: masseter 100 in 1. Never 195."""
    imani, daniel = clinic.first, clinic.second
    injected(book(imani, day(2)), "botox-cosmetic", [("masseter", "left", "25"), ("masseter", "right", "20"),
                                                     ("glabella", "centre", "20")])  # fmt: skip
    injected(book(daniel, day(3)), "botox-cosmetic", [("masseter", "left", "30")])
    injected(book(daniel, day(4)), "dysport", [("masseter", "left", "50"), ("masseter", "right", "50")])
    injected(book(imani, day(5)), "botox-cosmetic", [("masseter", "left", "100")], signed=False)
    injected(book(imani, day(2, month=4)), "botox-cosmetic", [("masseter", "left", "40")])


def test_units_by_product_and_area_counted_by_hand(clinic, units_in_march):
    products = {p.product: p for p in report_build(first=MARCH[0], last=MARCH[1], now=NOW).units}

    assert list(products) == ["Botox Cosmetic", "Dysport"]
    botox, dysport = products["Botox Cosmetic"], products["Dysport"]
    assert [(a.area, a.units, a.visits) for a in botox.areas] == [("Frown lines", 20, 1),
                                                                  ("Jawline and masseters", 75, 2)]  # fmt: skip
    assert botox.units == 95
    assert [(a.area, a.units, a.visits) for a in dysport.areas] == [("Jawline and masseters", 100, 1)]
    assert dysport.units == 100 and dysport.unit_label == "Dysport units"
    assert [(s.provider.user.first_name, s.units) for s in botox.providers] == [("Imani", 65), ("Daniel", 30)]
    assert [(s.provider.user.first_name, s.units) for s in dysport.providers] == [("Daniel", 100)]


def test_units_follow_the_location_and_provider_filters(clinic, units_in_march):
    only_imani = report_build(first=MARCH[0], last=MARCH[1], now=NOW, provider=clinic.first).units
    assert [(p.product, p.units) for p in only_imani] == [("Botox Cosmetic", 65)]
    assert report_build(first=MARCH[0], last=MARCH[1], now=NOW, location=clinic.scottsdale).units == []
