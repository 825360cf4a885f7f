"""Reads of charts: what was given at a visit (for the messages that follow it), the history, recall."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum

from bookings.models import Appointment
from intake.selectors import product_allergies
from treatments.models import Product, TreatmentArea

from ..checks import (
    TOUCH_UP_DAYS,
    AreaFacts,
    CheckResult,
    EarlierTreatment,
    LotEntry,
    ProductFacts,
    SiteEntry,
    record_check,
)
from ..models import InjectionSite, RecordStatus, TreatmentRecord


@dataclass(frozen=True)
class TreatmentGiven:
    """What a signed record says was injected: products (each with its own unit total) and areas."""

    products: tuple[Product, ...]
    units_by_product: dict[int, Decimal]  # product id → total units, in that product's own units
    areas: tuple[TreatmentArea, ...]


def treatment_given(appointment: Appointment) -> TreatmentGiven | None:
    """The signed record's products and areas, or None when nothing was charted as given. Two queries at most."""
    sites = list(
        InjectionSite.objects.filter(
            record__appointment=appointment, record__status=RecordStatus.SIGNED
        ).select_related("lot__product", "area")
    )
    if not sites:
        return None
    products: dict[int, Product] = {}
    areas: dict[int, TreatmentArea] = {}
    units: dict[int, Decimal] = {}
    for site in sites:
        product = site.lot.product
        products.setdefault(product.pk, product)
        areas.setdefault(site.area_id, site.area)
        units[product.pk] = units.get(product.pk, Decimal(0)) + site.units
    return TreatmentGiven(
        products=tuple(products.values()),
        units_by_product=units,
        areas=tuple(sorted(areas.values(), key=lambda a: (a.sort_order, a.name))),
    )


# The treatment record: the facts its checks need, read in a fixed number of queries.


def product_facts() -> dict[int, ProductFacts]:
    return {
        p.pk: ProductFacts(
            id=p.pk,
            brand=p.brand,
            units_per_botox_unit=p.units_per_botox_unit,
            min_retreatment_days=p.min_retreatment_days,
            max_units_per_period=p.max_units_per_period,
            max_units_period_days=p.max_units_period_days,
            contains_human_albumin=p.contains_human_albumin,
            contains_milk_protein=p.contains_milk_protein,
        )
        for p in Product.objects.all()
    }


def area_facts() -> dict[int, AreaFacts]:
    return {
        a.pk: AreaFacts(
            id=a.pk,
            name=a.name,
            per_side=a.per_side,
            typical_units_min=a.typical_units_min,
            typical_units_max=a.typical_units_max,
        )
        for a in TreatmentArea.objects.all()
    }


def earlier_treatments(appointment: Appointment) -> list[EarlierTreatment]:
    """The patient's signed records with units, of visits that started before this one: one query.

    Their dates are on this visit's location's calendar, so every interval is counted in one zone.
    """
    rows = (
        InjectionSite.objects.filter(
            record__appointment__patient_id=appointment.patient_id,
            record__status=RecordStatus.SIGNED,
            record__appointment__start__lt=appointment.start,
        )
        .values("record_id", "record__appointment__start", "lot__product_id")
        .annotate(units=Sum("units"))
        .order_by()
    )
    zone = appointment.location.zone
    found: dict[int, tuple[date, dict[int, Decimal]]] = {}
    for row in rows:
        day = row["record__appointment__start"].astimezone(zone).date()
        found.setdefault(row["record_id"], (day, {}))[1][row["lot__product_id"]] = row["units"]
    return sorted(
        (EarlierTreatment(record_id=pk, day=day, units_by_product=units) for pk, (day, units) in found.items()),
        key=lambda t: (t.day, t.record_id),
    )


def record_entries(record: TreatmentRecord) -> tuple[list[LotEntry], list[SiteEntry]]:
    """The saved lots and sites as check entries (row numbers in saved order): two queries."""
    lots = list(record.lots.order_by("pk"))
    position = {lot.pk: i for i, lot in enumerate(lots)}
    lot_entries = [
        LotEntry(index=i, product_id=lot.product_id, lot_number=lot.lot_number, expiry=lot.expiry,
                 dilution_ml=lot.dilution_ml)
        for i, lot in enumerate(lots)
    ]  # fmt: skip
    site_entries = [
        SiteEntry(index=i, lot_index=position.get(site.lot_id), area_id=site.area_id, side=site.side,
                  units=site.units, points=site.points)
        for i, site in enumerate(record.sites.order_by("pk"))
    ]  # fmt: skip
    return lot_entries, site_entries


def record_check_for(
    *,
    appointment: Appointment,
    lots: list[LotEntry],
    sites: list[SiteEntry],
    touch_up_of: int | None,
    allergies: frozenset[str] | None = None,
) -> CheckResult:
    """Run the checks on these entries with everything they need read from the database."""
    return record_check(
        lots=lots,
        sites=sites,
        visit_day=appointment.local_start.date(),  # intervals and limits count the location's days
        earlier=earlier_treatments(appointment),
        products=product_facts(),
        areas=area_facts(),
        allergies=product_allergies(appointment) if allergies is None else allergies,
        touch_up_of=touch_up_of,
    )


def touch_up_candidates(appointment: Appointment) -> list[TreatmentRecord]:
    """The patient's signed treatments up to 21 days before this visit, newest first: one query."""
    since = appointment.start - timedelta(days=TOUCH_UP_DAYS + 1)
    return list(
        TreatmentRecord.objects.filter(
            appointment__patient_id=appointment.patient_id,
            status=RecordStatus.SIGNED,
            appointment__start__lt=appointment.start,
            appointment__start__gte=since,
        )
        .exclude(appointment=appointment)
        .select_related("appointment__location")
        .order_by("-appointment__start")
    )


@dataclass(frozen=True)
class RecordTotals:
    """Units per area and side, per side and per product: always per product (never summed across)."""

    by_area: list[dict]  # {area, product, left, right, centre, total}
    by_product: list[dict]  # {product, left, right, centre, total}
    map_labels: dict[str, str]  # "masseter-left" → "30" (or "30 Bot / 75 Dys" with two products)


def record_totals(sites: list[InjectionSite]) -> RecordTotals:
    """From sites with `area` and `lot__product` loaded: no queries."""
    by_area: dict[tuple, dict] = {}
    by_product: dict[int, dict] = {}
    per_region: dict[str, dict[int, Decimal]] = {}
    products = {}
    for site in sites:
        product = site.lot.product
        products[product.pk] = product
        row = by_area.setdefault(
            (site.area.sort_order, site.area.name, product.sort_order, product.pk),
            {"area": site.area, "product": product, "left": Decimal(0), "right": Decimal(0),
             "centre": Decimal(0), "total": Decimal(0)},
        )  # fmt: skip
        sums = by_product.setdefault(
            product.pk,
            {"product": product, "left": Decimal(0), "right": Decimal(0), "centre": Decimal(0), "total": Decimal(0)},
        )
        for target in (row, sums):
            target[site.side] += site.units
            target["total"] += site.units
        region = per_region.setdefault(f"{site.area.slug}-{site.side}", {})
        region[product.pk] = region.get(product.pk, Decimal(0)) + site.units
    several = len(products) > 1
    labels = {
        key: " / ".join(
            f"{units.normalize():f}" + (f" {products[pk].brand[:3]}" if several else "")
            for pk, units in units_by.items()
        )
        for key, units_by in per_region.items()
    }
    return RecordTotals(
        by_area=[by_area[key] for key in sorted(by_area)],
        by_product=sorted(by_product.values(), key=lambda s: (s["product"].sort_order, s["product"].pk)),
        map_labels=labels,
    )
