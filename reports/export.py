"""A report as CSV: one row per number, so a spreadsheet can pivot it any way.

Columns: figure, location, provider, item (a product and area, or a way of booking), measure,
value, unit. Totals are rows with "All providers" / "All locations". Units keep their product's
name in the unit column, and no row adds units of two products. Cells are made safe from formula
injection by `medspa.exports.csv_response`.
"""

from collections.abc import Iterator
from decimal import Decimal

from .selectors import Report, Row

HEADER = ["figure", "location", "provider", "item", "measure", "value", "unit"]


def _who(row: Row) -> tuple[str, str]:
    location = row.location.name if row.location is not None else "All locations"
    provider = row.provider.name if row.provider is not None else "All providers"
    return location, provider


def unit_text(value: Decimal) -> str:
    return f"{Decimal(value).quantize(Decimal('0.1'))}"


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def report_rows(report: Report) -> Iterator[list[object]]:
    for row in report.utilization:
        f, who = row.figures, _who(row)
        yield ["utilization", *who, "", "scheduled", f"{f.scheduled_hours:.2f}", "hours"]
        yield ["utilization", *who, "", "booked", f"{f.booked_hours:.2f}", "hours"]
        yield ["utilization", *who, "", "utilization", _rate(f.rate), "%"]
    for row in report.attendance:
        f, who = row.figures, _who(row)
        for measure, value in (
            ("appointments", f.appointments),
            ("cancelled early", f.early_cancels),
            ("due", f.due),
            ("no-shows", f.no_shows),
            ("late cancellations", f.late_cancels),
        ):
            yield ["attendance", *who, "", measure, value, "appointments"]
        yield ["attendance", *who, "", "no-show rate", _rate(f.no_show_rate), "%"]
        yield ["attendance", *who, "", "late cancellation rate", _rate(f.late_cancel_rate), "%"]
    for row in report.rebooking:
        f, who = row.figures, _who(row)
        yield ["rebooking", *who, "", "treatment visits", f.visits, "visits"]
        yield ["rebooking", *who, "", "rebooked", f.rebooked, "visits"]
        yield ["rebooking", *who, "", "rebooking rate", _rate(f.rate), "%"]
        yield ["rebooking", *who, "", "still inside 14 days", f.open, "visits"]
    for row in report.retention:
        f, who = row.figures, _who(row)
        yield ["retention", *who, "", "treatment visits", f.visits, "visits"]
        yield ["retention", *who, "", "came back in 30-180 days", f.returned, "visits"]
        yield ["retention", *who, "", "retention", _rate(f.rate), "%"]
        yield ["retention", *who, "", "still inside 180 days", f.open, "visits"]
    for row in report.new_patients:
        who = _who(row)
        for value, label in report.sources:
            yield ["new patients", *who, label, "new patients", row.figures.count(value), "patients"]
        yield ["new patients", *who, "", "new patients", row.figures.total, "patients"]
    for row in report.intake:
        f, who = row.figures, _who(row)
        for measure, value in (
            ("attended visits", f.visits),
            ("before the visit", f.before),
            ("only after it started", f.after),
            ("never", f.missing),
        ):
            yield ["intake", *who, "", measure, value, "visits"]
        yield ["intake", *who, "", "completed before the visit", _rate(f.rate), "%"]
    for product in report.units:
        for area in product.areas:
            item = f"{product.product}: {area.area}"
            yield ["units", "All locations", "All providers", item, "units", unit_text(area.units), product.unit_label]
            yield ["units", "All locations", "All providers", item, "visits", area.visits, "visits"]
        for share in product.providers:
            yield [
                "units",
                share.location.name,
                share.provider.name,
                product.product,
                "units",
                unit_text(share.units),
                product.unit_label,
            ]
        yield [
            "units",
            "All locations",
            "All providers",
            product.product,
            "units",
            unit_text(product.units),
            product.unit_label,
        ]
