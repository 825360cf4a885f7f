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
