"""The dose, interval and safety checks of a treatment record: pure functions, no database, no clock.

Given what the injector charted (lots and sites), the visit's local date, the patient's earlier
signed toxin treatments, the catalog's facts and the patient's product allergies, `record_check`
returns refusals (field-level errors that block saving and signing) and warnings (a code and a
message each; signing needs a written reason for every one).

Units are always per product: a product's units are compared with its own limits and with the
area's usual Botox range scaled by its `units_per_botox_unit`, and never added to another's.
Refusal fields are the chart form's input names (`lots-0-expiry`, `sites-3-units`).
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

LEFT, RIGHT, CENTRE = "left", "right", "centre"
STEP = Decimal("0.5")
# One row above this many Botox-equivalent units is a typing slip, not a dose (10,000 U, 250 for 25).
ROW_LIMIT_BOTOX_UNITS = Decimal(100)
TOUCH_UP_DAYS = 21


@dataclass(frozen=True)
class ProductFacts:
    id: int
    brand: str
    units_per_botox_unit: Decimal = Decimal(1)
    min_retreatment_days: int = 90
    max_units_per_period: int | None = None
    max_units_period_days: int = 90
    contains_human_albumin: bool = False
    contains_milk_protein: bool = False


@dataclass(frozen=True)
class AreaFacts:
    id: int
    name: str
    per_side: bool
    typical_units_min: int
    typical_units_max: int

    def sides(self) -> tuple[str, ...]:
        return (LEFT, RIGHT) if self.per_side else (CENTRE,)


@dataclass(frozen=True)
class LotEntry:
    """A product and lot row; `index` is its row in the form (what sites point at)."""

    index: int
    product_id: int | None
    lot_number: str
    expiry: date | None
    dilution_ml: Decimal | None = None


@dataclass(frozen=True)
class SiteEntry:
    index: int
    lot_index: int | None
    area_id: int | None
    side: str
    units: Decimal | None
    points: int = 1


@dataclass(frozen=True)
class EarlierTreatment:
    """A signed toxin treatment before this visit: its local date and the units of each product."""

    record_id: int
    day: date
    units_by_product: Mapping[int, Decimal]


@dataclass(frozen=True)
class Warning:
    code: str
    message: str


@dataclass
class CheckResult:
    refusals: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[Warning] = field(default_factory=list)

    def refuse(self, field_name: str, message: str) -> None:
        self.refusals.setdefault(field_name, []).append(message)

    def warn(self, code: str, message: str) -> None:
        self.warnings.append(Warning(code, message))


def _units(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


def _check_lots(
    lots: Sequence[LotEntry], visit_day: date, products: Mapping[int, ProductFacts], allergies: frozenset[str], r
) -> None:
    for lot in lots:
        prefix = f"lots-{lot.index}"
        product = products.get(lot.product_id) if lot.product_id is not None else None
        if product is None:
            r.refuse(f"{prefix}-product", "Choose the product from the list.")
        else:
            if product.contains_human_albumin and "albumin" in allergies:
                r.refuse(
                    f"{prefix}-product",
                    f"{product.brand} contains human albumin and the patient reports an albumin allergy: "
                    "it cannot be used (Daxxify has no albumin).",
                )
            if product.contains_milk_protein and "milk" in allergies:
                r.refuse(
                    f"{prefix}-product",
                    f"{product.brand} may carry cow's milk protein and the patient reports a milk-protein "
                    "allergy: it cannot be used.",
                )
        if not lot.lot_number.strip():
            r.refuse(f"{prefix}-lot_number", "Enter the lot number printed on the vial.")
        if lot.expiry is None:
            r.refuse(f"{prefix}-expiry", "Enter the vial's expiry date.")
        elif lot.expiry < visit_day:
            r.refuse(
                f"{prefix}-expiry",
                f"This lot expired on {lot.expiry:%b %-d, %Y}, before the visit ({visit_day:%b %-d, %Y}): "
                "it cannot be used.",
            )


def _check_sites(
    sites: Sequence[SiteEntry],
    lots: Mapping[int, LotEntry],
    products: Mapping[int, ProductFacts],
    areas: Mapping[int, AreaFacts],
    r: CheckResult,
) -> None:
    for site in sites:
        prefix = f"sites-{site.index}"
        area = areas.get(site.area_id) if site.area_id is not None else None
        if area is None:
            r.refuse(f"{prefix}-area", "Choose a treatment area from the list.")
        elif site.side not in area.sides():
            allowed = "left or right" if area.per_side else "centre (it is charted as one total)"
            r.refuse(f"{prefix}-side", f"{area.name} takes {allowed}.")
        lot = lots.get(site.lot_index) if site.lot_index is not None else None
        if lot is None:
            r.refuse(f"{prefix}-lot", "Choose which product and lot row these units came from.")
        units = site.units
        if units is None:
            r.refuse(f"{prefix}-units", "Enter the units.")
            continue
        product = products.get(lot.product_id) if lot is not None and lot.product_id is not None else None
        scale = product.units_per_botox_unit if product is not None else Decimal(1)
        if units <= 0:
            r.refuse(f"{prefix}-units", "Units must be more than 0.")
        elif units > ROW_LIMIT_BOTOX_UNITS * scale:
            # Before the step: `units % STEP` of a number like 1e30 overflows the decimal context.
            brand = product.brand if product is not None else "this product"
            shown = _units(units) if units < 10**6 else "That many"
            r.refuse(
                f"{prefix}-units",
                f"{shown} units in one row is not a dose: at most {_units(ROW_LIMIT_BOTOX_UNITS * scale)} "
                f"{brand} units go in one row. Check the number.",
            )
        elif units % STEP != 0:
            r.refuse(f"{prefix}-units", "Units go in steps of 0.5 (for example 2, 2.5 or 3).")


def _totals(sites: Iterable[SiteEntry], lots: Mapping[int, LotEntry]) -> dict[tuple[int, int, str], Decimal]:
    """(product id, area id, side) → units. Call only after the rows passed their refusals."""
    totals: dict[tuple[int, int, str], Decimal] = defaultdict(Decimal)
    for site in sites:
        totals[(lots[site.lot_index].product_id, site.area_id, site.side)] += site.units
    return totals


def _check_ranges(totals, products, areas, touch_up: bool, r: CheckResult) -> None:
    for (product_id, area_id, side), units in sorted(totals.items()):
        product, area = products[product_id], areas[area_id]
        low = area.typical_units_min * product.units_per_botox_unit
        high = area.typical_units_max * product.units_per_botox_unit
        where = f"{area.name}, {side}" if area.per_side else area.name
        per = "per side" if area.per_side else "in total"
        usual = f"{_units(low)}–{_units(high)} {product.brand} units {per}"
        if units > high:
            r.warn(
                f"range-a{area_id}-{side}-p{product_id}-high",
                f"{where}: {_units(units)} {product.brand} units is above the usual {usual}.",
            )
        elif units < low and not touch_up:  # a touch-up is small by design
            r.warn(
                f"range-a{area_id}-{side}-p{product_id}-low",
                f"{where}: {_units(units)} {product.brand} units is below the usual {usual}.",
            )


def _check_limits(this_units, visit_day, earlier, products, r: CheckResult) -> None:
    for product_id, units in sorted(this_units.items()):
        product = products[product_id]
        if product.max_units_per_period is None:
            continue
        window = product.max_units_period_days
        before = sum(
            (t.units_by_product.get(product_id, Decimal(0)) for t in earlier if (visit_day - t.day).days < window),
            Decimal(0),
        )
        total = before + units
        if total > product.max_units_per_period:
            r.warn(
                f"limit-p{product_id}",
                f"{product.brand}: {_units(total)} units within {window} days counting this visit "
                f"({_units(before)} before it) is over the label limit of {product.max_units_per_period}.",
            )


def _check_interval(this_units, visit_day, earlier, products, touch_up_of, r: CheckResult) -> None:
    if not earlier:
        return
    previous = max(earlier, key=lambda t: (t.day, t.record_id))
    days = (visit_day - previous.day).days
    if previous.record_id == touch_up_of and days <= TOUCH_UP_DAYS:
        return  # the two-week top-up of that very treatment
    short = [products[p] for p in sorted(this_units) if days < products[p].min_retreatment_days]
    if short:
        minimum = max(p.min_retreatment_days for p in short)
        touch = (
            f" It is linked as a touch-up, but touch-ups are within {TOUCH_UP_DAYS} days."
            if previous.record_id == touch_up_of
            else ""
        )
        r.warn(
            "interval",
            f"The previous toxin treatment was {days} day{'s' if days != 1 else ''} ago ({previous.day:%b %-d, %Y}): "
            f"under the minimum of {minimum} days for {', '.join(p.brand for p in short)}.{touch}",
        )


def _check_touch_up(this_units, original: EarlierTreatment, products, r: CheckResult) -> None:
    for product_id, units in sorted(this_units.items()):
        first = original.units_by_product.get(product_id, Decimal(0))
        if units * 2 > first:
            brand = products[product_id].brand
            r.warn(
                f"touch-up-p{product_id}",
                f"Touch-up of {_units(units)} {brand} units is more than half of the original "
                f"{_units(first)} {brand} units: touch-ups stay small.",
            )


def record_check(
    *,
    lots: Sequence[LotEntry],
    sites: Sequence[SiteEntry],
    visit_day: date,
    earlier: Sequence[EarlierTreatment],
    products: Mapping[int, ProductFacts],
    areas: Mapping[int, AreaFacts],
    allergies: frozenset[str],
    touch_up_of: int | None,
) -> CheckResult:
    """Refusals first; warnings only when every row is valid (a refused row has no meaningful total).

    `earlier` holds the patient's signed toxin treatments before this visit; those after the
    visit's date are ignored.
    """
    result = CheckResult()
    earlier = [t for t in earlier if t.day <= visit_day]
    by_index = {lot.index: lot for lot in lots}
    _check_lots(lots, visit_day, products, allergies, result)
    _check_sites(sites, by_index, products, areas, result)
    original = next((t for t in earlier if t.record_id == touch_up_of), None)
    if touch_up_of is not None and original is None:
        result.refuse("touch_up_of", "A touch-up links to an earlier signed treatment of this patient.")
    if result.refusals:
        return result
    totals = _totals(sites, by_index)
    this_units: dict[int, Decimal] = defaultdict(Decimal)
    for (product_id, _area, _side), units in totals.items():
        this_units[product_id] += units
    _check_ranges(totals, products, areas, touch_up_of is not None, result)
    _check_limits(this_units, visit_day, earlier, products, result)
    _check_interval(this_units, visit_day, earlier, products, touch_up_of, result)
    if original is not None:
        _check_touch_up(this_units, original, products, result)
    return result
