"""Reads of charts: what was given at a visit (for the messages that follow it), the history, recall."""

from dataclasses import dataclass
from decimal import Decimal

from bookings.models import Appointment
from treatments.models import Product, TreatmentArea

from .models import InjectionSite, RecordStatus


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
