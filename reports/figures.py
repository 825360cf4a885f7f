"""A chart for each figure of a report (the tables beside them are the template's)."""

from collections.abc import Callable, Sequence

from .charts import Chart, Item, bar_chart
from .formatting import hours, percent, units
from .selectors import Report, Row

Parts = Sequence[tuple[float, str, str]]


def _items(rows: list[Row], parts: Callable[[object], Parts], text: Callable[[object], str]) -> list[Item]:
    """A bar per row; with more than one location, each location's bars under its name."""
    several = len({row.location.pk for row in rows if row.location is not None}) > 1
    items, current = [], None
    for row in rows:
        if several and row.level == "provider" and row.location.pk != current:
            current = row.location.pk
            items.append(Item(row.location.name, (), "", heading=True))
        label = {"provider": row.label, "location": "All providers", "clinic": "All locations"}[row.level]
        items.append(Item(label, parts(row.figures), text(row.figures), total=row.level != "provider"))
    return items


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0


def _rate_chart(key: str, title: str, description: str, rows: list[Row], what: Callable[[object], str]) -> Chart:
    return bar_chart(
        key=key,
        title=title,
        description=description,
        percent=True,
        items=_items(rows, lambda f: [(f.rate or 0, "fill-main", what(f))], lambda f: percent(f.rate)),
    )


def charts(report: Report) -> dict[str, object]:
    """The page's charts, by figure; units have one chart per product (their units never mix)."""
    sources = list(enumerate(report.sources))
    return {
        "utilization": _rate_chart(
            "utilization",
            "Utilization by provider",
            "Booked hours as a share of scheduled hours, time off subtracted.",
            report.utilization,
            lambda f: f"{hours(f.booked_hours)} of {hours(f.scheduled_hours)} scheduled hours booked",
        ),
        "attendance": bar_chart(
            key="attendance",
            title="No-shows and late cancellations by provider",
            description="No-shows and cancellations inside the policy window, as a share of the appointments due.",
            percent=True,
            legend=[("fill-bad", "No-shows"), ("fill-warn", "Late cancellations")],
            items=_items(
                report.attendance,
                lambda f: [
                    (f.no_show_rate or 0, "fill-bad", f"{f.no_shows} no-shows of {f.due} due"),
                    (f.late_cancel_rate or 0, "fill-warn", f"{f.late_cancels} late cancellations of {f.due}"),
                ],
                lambda f: f"{percent(f.no_show_rate)} · {percent(f.late_cancel_rate)}",
            ),
        ),
        "rebooking": _rate_chart(
            "rebooking",
            "Rebooking rate by provider",
            "Treatment visits after which the patient held a later booking within 14 days.",
            report.rebooking,
            lambda f: f"{f.rebooked} of {f.visits} visits rebooked",
        ),
        "retention": _rate_chart(
            "retention",
            "Retention by provider",
            "Treatment visits after which the patient came back 30 to 180 days later.",
            report.retention,
            lambda f: f"{f.returned} of {f.visits} visits followed by a return",
        ),
        "new_patients": bar_chart(
            key="new-patients",
            title="New patients by provider and source",
            description="Patients whose first appointment fell in the period, by how it was booked.",
            legend=[(f"fill-source-{n}", label) for n, (_, label) in sources],
            items=_items(
                report.new_patients,
                lambda f: [
                    (f.count(value), f"fill-source-{n}", f"{f.count(value)} {label.lower()}")
                    for n, (value, label) in sources
                ],
                lambda f: str(f.total),
            ),
        ),
        "intake": bar_chart(
            key="intake",
            title="Online intake before the visit, by provider",
            description="Attended visits whose medical history was submitted before the visit, only after it "
            "started, or never.",
            percent=True,
            legend=[
                ("fill-good", "In time (before the visit)"),
                ("fill-warn", "Late (once it started)"),
                ("fill-none", "Never"),
            ],
            items=_items(
                report.intake,
                lambda f: [
                    (_share(f.before, f.visits), "fill-good", f"{f.before} of {f.visits} before the visit"),
                    (_share(f.after, f.visits), "fill-warn", f"{f.after} of {f.visits} only after it started"),
                    (_share(f.missing, f.visits), "fill-none", f"{f.missing} of {f.visits} never"),
                ],
                lambda f: percent(f.rate),
            ),
        ),
        "units": [
            bar_chart(
                key=f"units-{product.product_id}",
                title=f"{product.product}: units by area",
                description=f"{product.product} injected in each area, in {product.unit_label}.",
                items=[
                    Item(
                        area.area,
                        [
                            (
                                area.units,
                                "fill-main",
                                f"{units(area.units)} {product.unit_label} in {area.visits} visits",
                            )
                        ],
                        units(area.units),
                    )
                    for area in product.areas
                ],
            )
            for product in report.units
        ],
    }
