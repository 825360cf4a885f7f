"""The clinic's numbers over a period, per location and provider: read from every app, nothing written.

`report_build` costs the same nine queries whatever the period and however many appointments it
holds (locations, providers, the period's appointments, their first medical histories, their
patients' first appointments, the later appointments of the treated patients, working hours, time
off, and units grouped by the database): every figure is worked out from those rows in Python.
One module per figure, each saying exactly what it counts.
"""

from dataclasses import dataclass
from datetime import date, datetime

from bookings.models import Location, Provider

from .attendance import Attendance, attendance
from .loyalty import Rebooking, Retention, loyalty
from .patients import IntakeTiming, NewPatients, intake_timing, new_patients, sources_seen
from .period import Period, Row, breakdown, overall
from .units import ProductUnits, units_by_product
from .utilization import Utilization, utilization
from .visits import later_visits, visits_in

__all__ = [
    "Attendance",
    "IntakeTiming",
    "NewPatients",
    "Period",
    "ProductUnits",
    "Rebooking",
    "Report",
    "Retention",
    "Row",
    "Utilization",
    "report_build",
]


@dataclass
class Report:
    period: Period
    utilization: list[Row[Utilization]]
    attendance: list[Row[Attendance]]
    rebooking: list[Row[Rebooking]]
    retention: list[Row[Retention]]
    new_patients: list[Row[NewPatients]]
    sources: list[tuple[str, str]]  # (value, label) of each way of booking, in order
    intake: list[Row[IntakeTiming]]
    units: list[ProductUnits]

    @property
    def totals(self) -> dict[str, object]:
        """Each figure for everything the report covers, for the headline."""
        return {
            "utilization": overall(self.utilization, Utilization),
            "attendance": overall(self.attendance, Attendance),
            "rebooking": overall(self.rebooking, Rebooking),
            "retention": overall(self.retention, Retention),
            "new_patients": overall(self.new_patients, NewPatients),
            "intake": overall(self.intake, IntakeTiming),
        }


def report_build(
    *, first: date, last: date, now: datetime, location: Location | None = None, provider: Provider | None = None
) -> Report:
    """Every figure for the days `first` to `last` (each location's own days). Nine queries."""
    locations = tuple(Location.objects.order_by("sort_order", "name", "pk"))
    if location is not None:
        locations = tuple(loc for loc in locations if loc.pk == location.pk)
    providers = {p.pk: p for p in Provider.objects.select_related("user")}
    period = Period(first=first, last=last, locations=locations, provider=provider, now=now)

    visits = visits_in(period)
    rebooking, retention = loyalty(period, visits, later_visits(period))
    newcomers = new_patients(visits)

    def rows(per_key: dict, empty: type) -> list[Row]:
        return breakdown(per_key, locations=locations, providers=providers, empty=empty)

    return Report(
        period=period,
        utilization=rows(utilization(period, visits), Utilization),
        attendance=rows(attendance(period, visits), Attendance),
        rebooking=rows(rebooking, Rebooking),
        retention=rows(retention, Retention),
        new_patients=rows(newcomers, NewPatients),
        sources=sources_seen(list(newcomers.values())),
        intake=rows(intake_timing(visits), IntakeTiming),
        units=units_by_product(period, providers=providers),
    )
