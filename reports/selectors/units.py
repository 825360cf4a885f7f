"""Units by product and area, from the signed treatment records of the visits in the period.

Every figure stays in its product's own units: 50 Dysport units are not 20 Botox units, so a
product's units are added up across areas and providers, never across products (no grand total,
no conversion through `units_per_botox_unit`).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Min, Sum

from bookings.models import Location, Provider
from charting.models import InjectionSite, RecordStatus

from .period import Period


@dataclass
class AreaUnits:
    area: str
    units: Decimal = Decimal(0)
    visits: int = 0  # signed records with units of this product in this area

    @property
    def per_visit(self) -> Decimal | None:
        return (self.units / self.visits).quantize(Decimal("0.1")) if self.visits else None


@dataclass
class ProviderUnits:
    location: Location
    provider: Provider
    units: Decimal = Decimal(0)


@dataclass
class ProductUnits:
    product: str
    product_id: int
    areas: list[AreaUnits] = field(default_factory=list)
    providers: list[ProviderUnits] = field(default_factory=list)

    @property
    def units(self) -> Decimal:
        return sum((area.units for area in self.areas), Decimal(0))

    @property
    def unit_label(self) -> str:
        return f"{self.product} units"


def units_by_product(period: Period, *, providers: dict[int, Provider]) -> list[ProductUnits]:
    """Each product used in the period, with its units per area and per provider. One query."""
    rows = (
        InjectionSite.objects.filter(period.where("record__appointment__"), record__status=RecordStatus.SIGNED)
        # Grouped by ids only (sorting on names is slow); the names ride along as aggregates.
        .values("record__appointment__location_id", "record__appointment__provider_id", "lot__product_id", "area_id")
        .annotate(
            units=Sum("units"),
            visits=Count("record", distinct=True),
            brand=Min("lot__product__brand"),
            product_order=Min("lot__product__sort_order"),
            area_name=Min("area__name"),
            area_order=Min("area__sort_order"),
        )
        .order_by()
    )
    locations = {location.pk: location for location in period.locations}
    products: dict[int, ProductUnits] = {}
    product_order: dict[int, tuple] = {}
    areas: dict[int, dict[int, AreaUnits]] = defaultdict(dict)
    area_order: dict[int, tuple] = {}
    by_provider: dict[int, dict[tuple[int, int], Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in rows:
        product_id, area_id = row["lot__product_id"], row["area_id"]
        products.setdefault(product_id, ProductUnits(row["brand"], product_id))
        product_order[product_id] = (row["product_order"], row["brand"], product_id)
        area_order[area_id] = (row["area_order"], row["area_name"], area_id)
        area = areas[product_id].setdefault(area_id, AreaUnits(row["area_name"]))
        area.units += row["units"]
        area.visits += row["visits"]
        key = (row["record__appointment__location_id"], row["record__appointment__provider_id"])
        by_provider[product_id][key] += row["units"]

    location_order = {location.pk: n for n, location in enumerate(period.locations)}
    result = []
    for product_id in sorted(products, key=product_order.__getitem__):
        product = products[product_id]
        product.areas = [areas[product_id][a] for a in sorted(areas[product_id], key=area_order.__getitem__)]
        keys = sorted(
            by_provider[product_id],
            key=lambda k: (location_order[k[0]], providers[k[1]].sort_order, providers[k[1]].name, k[1]),
        )
        product.providers = [ProviderUnits(locations[k[0]], providers[k[1]], by_provider[product_id][k]) for k in keys]
        result.append(product)
    return result
