"""Reads of the catalog."""

from collections.abc import Iterable

from django.db.models import Q

from .models import AftercareStep, Product, Region, Service, TreatmentArea


def areas_by_region() -> list[tuple[str, list[TreatmentArea]]]:
    """Active areas grouped upper face → mid/lower face → jaw and neck, in one query."""
    groups: dict[str, list[TreatmentArea]] = {region.value: [] for region in Region}
    for area in TreatmentArea.objects.active():
        groups[area.region].append(area)
    return [(Region(region).label, areas) for region, areas in groups.items() if areas]


def aftercare_plan(
    *,
    service: Service,
    product: Product | None = None,
    areas: Iterable[TreatmentArea] = (),
) -> list[AftercareStep]:
    """The aftercare steps for a service, with product and area overrides applied, by offset.

    For each key the most specific step wins: an area's over the product's over the
    service's. When several treated areas override one key, the earliest wins (lip flip wears
    off first, so its 8-week rebook beats the default). An inactive winner drops the key.
    One query.
    """
    area_ids = [area.pk for area in areas]
    scope = Q(product__isnull=True, area__isnull=True)
    if product is not None:
        scope |= Q(product=product)
    if area_ids:
        scope |= Q(area_id__in=area_ids)
    winners: dict[str, AftercareStep] = {}
    for step in AftercareStep.objects.filter(scope, service=service):
        current = winners.get(step.key)
        if current is None or _outranks(step, current):
            winners[step.key] = step
    return sorted((step for step in winners.values() if step.is_active), key=lambda s: (s.offset, s.key))


def aftercare_for_visit(
    *,
    service: Service,
    products: Iterable[Product] = (),
    areas: Iterable[TreatmentArea] = (),
) -> list[tuple[str, AftercareStep]]:
    """The steps a visit that treated `areas` with `products` gets, each with the message step it goes as.

    A product's step replaces the service's (when several products override a key, the earliest
    wins: the first to wear off). An area's step applies to that area only: it replaces the
    general step when every treated area has its own, and otherwise goes beside it under
    "<key>-<area slug>" (a lip flip with the masseters: the 8-week lip-flip rebook and the
    product's rebook both go). An inactive step drops the key for what it covers. One query.
    """
    product_ids = {product.pk for product in products}
    area_list = list(areas)
    scope = Q(product__isnull=True, area__isnull=True)
    if product_ids:
        scope |= Q(product_id__in=product_ids)
    if area_list:
        scope |= Q(area_id__in=[area.pk for area in area_list])
    general: dict[str, AftercareStep] = {}
    by_area: dict[str, dict[int, AftercareStep]] = {}
    for step in AftercareStep.objects.filter(scope, service=service).select_related("area"):
        if step.area_id:
            by_area.setdefault(step.key, {})[step.area_id] = step
        elif (current := general.get(step.key)) is None or _outranks(step, current):
            general[step.key] = step
    items: list[tuple[str, AftercareStep]] = []
    for key in sorted(set(general) | set(by_area)):
        own = by_area.get(key, {})
        uncovered = not area_list or any(area.pk not in own for area in area_list)
        scoped = sorted(own.values(), key=lambda s: (s.offset, s.area.sort_order, s.area.slug))
        if uncovered and key in general:
            candidates = [(key, general[key]), *((f"{key}-{s.area.slug}", s) for s in scoped)]
        elif scoped:
            first, *rest = scoped
            candidates = [(key, first), *((f"{key}-{s.area.slug}", s) for s in rest)]
        else:
            candidates = []
        items.extend((name, step) for name, step in candidates if step.is_active)
    return sorted(items, key=lambda item: (item[1].offset, item[0]))


def _specificity(step: AftercareStep) -> int:
    return 2 if step.area_id else 1 if step.product_id else 0


def _outranks(step: AftercareStep, current: AftercareStep) -> bool:
    if _specificity(step) != _specificity(current):
        return _specificity(step) > _specificity(current)
    return step.offset < current.offset


def toxin_treatment_service() -> Service | None:
    """The clinic's main neuromodulator treatment: the bookable one listed first."""
    return (
        Service.objects.active()
        .filter(is_toxin_treatment=True)
        .order_by("-bookable_online", "sort_order", "name")
        .first()
    )
