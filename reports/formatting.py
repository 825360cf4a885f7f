"""How the reports write their numbers, on the page and in the charts alike."""

from decimal import Decimal

NONE = "—"  # nothing to count: a rate over zero visits is no rate at all


def percent(value: float | None) -> str:
    return NONE if value is None else f"{value:.1%}"


def hours(value: float) -> str:
    return f"{value:,.1f}"


def units(value: Decimal | float) -> str:
    """Units as charted (to a tenth), without a trailing .0."""
    text = f"{Decimal(value).quantize(Decimal('0.1')):,}"
    return text.removesuffix(".0")


def number(value: int) -> str:
    return f"{value:,}"
