from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def units(value: Decimal | None) -> str:
    """30.0 → "30", 2.5 → "2.5", 0 → "" (an empty cell reads better than a row of zeros)."""
    if not value:
        return ""
    return f"{Decimal(value).normalize():f}"
