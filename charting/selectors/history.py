"""Reads for the assessment screen, the patient's chart history and the lot recall.

Each read costs a fixed number of queries whatever the number of visits: the visits, then every
site, lot, override, addendum of them in one query each, then the rows of the last two assessments.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from bookings.models import Appointment, Patient
from treatments.models import Product, TreatmentArea

from ..models import (
    Addendum,
    Assessment,
    AssessmentRow,
    Expression,
    InjectionSite,
    LotUse,
    Override,
    RecordStatus,
    Side,
    TreatmentRecord,
)

# ---------------------------------------------------------------- the assessment screen


def assessment_of(appointment: Appointment) -> Assessment | None:
    return Assessment.objects.filter(appointment=appointment).select_related("assessed_by").first()


def assessment_previous(appointment: Appointment) -> Assessment | None:
    """The patient's most recent assessment at a visit that started before this one."""
    return (
        Assessment.objects.filter(
            appointment__patient_id=appointment.patient_id, appointment__start__lt=appointment.start
        )
        .select_related("appointment__location", "assessed_by")
        .order_by("-appointment__start")
        .first()
    )


def assessment_muscles(
    appointment: Appointment, current: Assessment | None, previous: Assessment | None
) -> list[tuple[TreatmentArea | None, str]]:
    """The muscles to assess: the areas of concern's, then those already assessed now or last time."""
    muscles: list[tuple[TreatmentArea | None, str]] = []
    seen: set[str] = set()

    def add(area: TreatmentArea | None, muscle: str) -> None:
        if muscle.lower() not in seen:
            seen.add(muscle.lower())
            muscles.append((area, muscle))

    for area in appointment.areas.order_by("sort_order", "name"):
        for muscle in area.muscle_list:
            add(area, muscle)
    for assessment in (current, previous):
        if assessment is not None:
            for row in assessment.rows.select_related("area"):
                add(row.area, row.muscle)
    return muscles


def rows_by_muscle(assessment: Assessment | None) -> dict[tuple[str, str], AssessmentRow]:
    if assessment is None:
        return {}
    return {(row.muscle.lower(), row.side): row for row in assessment.rows.all()}


# ---------------------------------------------------------------- the history


@dataclass
class AreaUnits:
    area: TreatmentArea
    product: Product
    left: Decimal = Decimal(0)
    right: Decimal = Decimal(0)
    centre: Decimal = Decimal(0)
    points: int = 0

    @property
    def total(self) -> Decimal:
        return self.left + self.right + self.centre


@dataclass
class Visit:
    appointment: Appointment
    record: TreatmentRecord | None
    assessment: Assessment | None
    areas: list[AreaUnits] = field(default_factory=list)
    totals: dict[Product, Decimal] = field(default_factory=dict)  # per product, never added across products
    lots: list[LotUse] = field(default_factory=list)
    overrides: list[Override] = field(default_factory=list)
    addenda: list[Addendum] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.record.status if self.record else ""

    @property
    def signed(self) -> bool:
        return self.status == RecordStatus.SIGNED

    @property
    def not_treated(self) -> bool:
        return self.status == RecordStatus.NOT_TREATED


@dataclass
class Difference:
    """One expression of one muscle at the earlier and the later visit: left, right and |left − right|."""

    expression: str
    label: str
    before: tuple[int | None, int | None]
    after: tuple[int | None, int | None]

    @staticmethod
    def _gap(pair: tuple[int | None, int | None]) -> int | None:
        left, right = pair
        return None if left is None or right is None else abs(left - right)

    @property
    def gap_before(self) -> int | None:
        return self._gap(self.before)

    @property
    def gap_after(self) -> int | None:
        return self._gap(self.after)

    @property
    def trend(self) -> str:
        """One of shrank, grew, same; empty when either visit lacks a side."""
        if self.gap_before is None or self.gap_after is None:
            return ""
        if self.gap_after < self.gap_before:
            return "shrank"
        return "grew" if self.gap_after > self.gap_before else "same"


@dataclass
class MuscleComparison:
    muscle: str
    area: TreatmentArea | None
    differences: list[Difference]
    dominant_before: list[str]
    dominant_after: list[str]


@dataclass
class Comparison:
    earlier: Visit
    later: Visit
    muscles: list[MuscleComparison]

    def _total(self, attr: str) -> int:
        return sum(
            getattr(d, attr) for m in self.muscles for d in m.differences if d.gap_before is not None and d.trend
        )

    @property
    def total_before(self) -> int:
        return self._total("gap_before")

    @property
    def total_after(self) -> int:
        return self._total("gap_after")

    @property
    def trend(self) -> str:
        """Over every expression scored on both sides at both visits: is the asymmetry converging?"""
        if not any(d.trend for m in self.muscles for d in m.differences):
            return ""
        if self.total_after < self.total_before:
            return "converging"
        return "diverging" if self.total_after > self.total_before else "unchanged"


@dataclass
class History:
    patient: Patient
    visits: list[Visit]  # newest first
    comparison: Comparison | None


def _comparison(earlier: Visit, later: Visit, rows: list[AssessmentRow]) -> Comparison:
    by: dict[int, dict[tuple[str, str], AssessmentRow]] = defaultdict(dict)
    names: dict[str, tuple[str, TreatmentArea | None]] = {}
    for row in rows:
        by[row.assessment_id][(row.muscle.lower(), row.side)] = row
        names.setdefault(row.muscle.lower(), (row.muscle, row.area))
    before, after = by[earlier.assessment.pk], by[later.assessment.pk]

    def pair(side_rows: dict, key: str, expression: str) -> tuple[int | None, int | None]:
        left, right = side_rows.get((key, Side.LEFT)), side_rows.get((key, Side.RIGHT))
        return getattr(left, expression, None), getattr(right, expression, None)

    def dominant(side_rows: dict, key: str) -> list[str]:
        return [label for side, label in ((Side.LEFT, "left"), (Side.RIGHT, "right"))
                if getattr(side_rows.get((key, side)), "dominant", False)]  # fmt: skip

    muscles = []
    order = sorted(names, key=lambda k: (names[k][1].sort_order if names[k][1] else 999, k))
    for key in order:
        differences = [
            Difference(expression, label, pair(before, key, expression), pair(after, key, expression))
            for expression, label in Expression.choices
        ]
        differences = [d for d in differences if any(v is not None for v in (*d.before, *d.after))]
        muscles.append(MuscleComparison(names[key][0], names[key][1], differences,
                                        dominant(before, key), dominant(after, key)))  # fmt: skip
    return Comparison(earlier=earlier, later=later, muscles=muscles)


def patient_history(patient: Patient) -> History:
    """The patient's charted visits, newest first, and the last two assessed visits compared.

    Seven queries whatever the number of visits.
    """
    appointments = list(
        Appointment.objects.filter(patient=patient)
        .filter(Q(treatment_record__isnull=False) | Q(assessment__isnull=False))
        .select_related(
            "location", "service", "provider__user", "treatment_record__signed_by", "assessment__assessed_by"
        )
        .order_by("-start", "-pk")
    )
    visits = {
        a.pk: Visit(a, getattr(a, "treatment_record", None), getattr(a, "assessment", None)) for a in appointments
    }
    of_patient = {"record__appointment__patient": patient}
    units: dict[int, dict[tuple[int, int], AreaUnits]] = defaultdict(dict)
    for site in InjectionSite.objects.filter(**of_patient).select_related("area", "lot__product", "record"):
        visit = visits.get(site.record.appointment_id)
        if visit is None:
            continue
        product = site.lot.product
        row = units[visit.appointment.pk].setdefault(
            (site.area_id, product.pk), AreaUnits(area=site.area, product=product)
        )
        setattr(row, site.side, getattr(row, site.side) + site.units)
        row.points += site.points
        visit.totals[product] = visit.totals.get(product, Decimal(0)) + site.units
    for appointment_id, rows in units.items():
        visits[appointment_id].areas = sorted(
            rows.values(), key=lambda r: (r.product.sort_order, r.product.brand, r.area.sort_order, r.area.name)
        )
    for lot in LotUse.objects.filter(**of_patient).select_related("product", "record"):
        if lot.record.appointment_id in visits:
            visits[lot.record.appointment_id].lots.append(lot)
    for override in Override.objects.filter(**of_patient).select_related("by", "record"):
        if override.record.appointment_id in visits:
            visits[override.record.appointment_id].overrides.append(override)
    for addendum in Addendum.objects.filter(**of_patient).select_related("author", "record"):
        if addendum.record.appointment_id in visits:
            visits[addendum.record.appointment_id].addenda.append(addendum)
    ordered = [visits[a.pk] for a in appointments]
    assessed = [v for v in ordered if v.assessment is not None][:2]
    comparison = None
    if len(assessed) == 2:
        later, earlier = assessed
        rows = list(
            AssessmentRow.objects.filter(assessment__in=[earlier.assessment.pk, later.assessment.pk]).select_related(
                "area"
            )
        )
        comparison = _comparison(earlier, later, rows)
    return History(patient=patient, visits=ordered, comparison=comparison)


# ---------------------------------------------------------------- the lot recall


@dataclass
class RecallHit:
    lot: LotUse
    appointment: Appointment
    patient: Patient
    areas: list[AreaUnits]


def lot_recall(*, lot_number: str, product: Product | None = None) -> list[RecallHit]:
    """Every signed visit that used this lot (case-insensitive; of this product when given), newest first.

    Two queries whatever the number of patients.
    """
    lots = LotUse.objects.filter(lot_number__iexact=lot_number.strip(), record__status=RecordStatus.SIGNED)
    if product is not None:
        lots = lots.filter(product=product)
    lots = list(
        lots.select_related(
            "product", "record__appointment__patient", "record__appointment__location", "record__appointment__service"
        ).order_by("-record__appointment__start", "pk")
    )
    by_pk = {lot.pk: lot for lot in lots}
    units: dict[int, dict[int, AreaUnits]] = defaultdict(dict)
    for site in InjectionSite.objects.filter(lot__in=list(by_pk)).select_related("area"):
        row = units[site.lot_id].setdefault(site.area_id, AreaUnits(area=site.area, product=by_pk[site.lot_id].product))
        setattr(row, site.side, getattr(row, site.side) + site.units)
        row.points += site.points
    return [
        RecallHit(
            lot=lot,
            appointment=lot.record.appointment,
            patient=lot.record.appointment.patient,
            areas=sorted(units[lot.pk].values(), key=lambda r: (r.area.sort_order, r.area.name)),
        )
        for lot in lots
    ]
