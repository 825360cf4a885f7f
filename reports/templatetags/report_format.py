from decimal import Decimal

from django import template

from reports import formatting

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    return formatting.percent(value)


@register.filter
def hours(value: float) -> str:
    return formatting.hours(value)


@register.filter
def units(value: Decimal | float) -> str:
    return formatting.units(value)


@register.filter
def number(value: int) -> str:
    return formatting.number(value)


@register.filter
def count(figures: object, source: str) -> int:
    """New patients of one way of booking: `row.figures|count:value`."""
    return figures.count(source)
