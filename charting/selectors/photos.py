"""Reads of photos: a visit's sets, the comparison of one expression across two visits, the
patient's photo consent (kept by intake with the signed consent) and the marketing export.

The comparison costs the same four queries whatever the number of the patient's visits.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from bookings.models import Appointment, Patient
from intake.models import Consent, PhotoUse

from ..models import AssessmentRow, Expression, InjectionSite, Side
from ..photo_models import FREE, Phase, Photo
from .history import AreaUnits, Difference

# ---------------------------------------------------------------- one visit's sets


@dataclass
class PhotoSet:
    phase: str
    label: str
    slots: list[tuple[str, str, Photo | None]]  # (expression, label, the latest photo of it or None)
    free: list[Photo]
    earlier: list[Photo]  # photos retaken since: kept, shown smaller

    @property
    def complete(self) -> bool:
        return all(photo is not None for _, _, photo in self.slots)

    @property
    def empty(self) -> bool:
        return not self.free and all(photo is None for _, _, photo in self.slots)


def photo_sets(appointment: Appointment) -> list[PhotoSet]:
    """Before and after, each with its six expressions (the latest of each) and its free photos. One query."""
    by_phase: dict[str, list[Photo]] = defaultdict(list)
    for photo in Photo.objects.filter(appointment=appointment).order_by("-uploaded_at", "-pk"):
        by_phase[photo.phase].append(photo)
    sets = []
    for phase, label in Phase.choices:
        photos = by_phase[phase]
        latest: dict[str, Photo] = {}
        earlier = []
        for photo in photos:
            if photo.expression == FREE:
                continue
            if photo.expression in latest:
                earlier.append(photo)
            else:
                latest[photo.expression] = photo
        slots = [(value, text, latest.get(value)) for value, text in Expression.choices]
        free = [photo for photo in photos if photo.expression == FREE]
        sets.append(PhotoSet(phase, label, slots, free, earlier))
    return sets


# ---------------------------------------------------------------- consent


def photo_use_of(patient: Patient, appointment: Appointment | None = None) -> str:
    """What the patient allowed for their photos: the latest signature's choice (one query).

    A consent signed through an unproven link speaks only for its own appointment. Without any
    signature, the photos are for the clinical record only.
    """
    consents = Consent.objects.filter(patient=patient).filter(
        Q(unverified=False) | Q(appointment=appointment) if appointment is not None else Q(unverified=False)
    )
    latest = consents.order_by("-signed_at", "-pk").values_list("photo_use", flat=True).first()
    return latest or PhotoUse.CLINICAL


def marketing_photos() -> list[Photo]:
    """Every photo whose patient's latest signed choice allows marketing. Two queries."""
    latest: dict[tuple[int, int | None], tuple] = {}  # (patient, its visit or None) → (signed_at, choice)
    for patient_id, appointment_id, signed_at, use, unverified in (
        Consent.objects.filter(patient__in=Photo.objects.values("appointment__patient"))
        .order_by("patient_id", "-signed_at", "-pk")
        .values_list("patient_id", "appointment_id", "signed_at", "photo_use", "unverified")
    ):
        latest.setdefault((patient_id, appointment_id if unverified else None), (signed_at, use))
    photos = Photo.objects.select_related("appointment__patient", "appointment__location").order_by(
        "appointment__patient__last_name", "appointment__patient_id", "appointment__start", "phase", "expression", "pk"
    )
    allowed = []
    for photo in photos:
        patient_id = photo.appointment.patient_id
        # The newest signature that speaks for this photo: a proven one, or an unproven one of its own visit.
        candidates = [c for c in (latest.get((patient_id, None)), latest.get((patient_id, photo.appointment_id))) if c]
        if candidates and max(candidates, key=lambda c: c[0])[1] == PhotoUse.MARKETING:
            allowed.append(photo)
    return allowed


# ---------------------------------------------------------------- the comparison


@dataclass
class CompareSide:
    appointment: Appointment
    phase: str
    photo: Photo | None
    areas: list[AreaUnits] = field(default_factory=list)

    @property
    def phase_label(self) -> str:
        return Phase(self.phase).label


@dataclass
class PhotoComparison:
    patient: Patient
    visits: list[Appointment]  # every visit with photos, newest first (the choosers)
    expression: str
    earlier: CompareSide | None
    later: CompareSide | None
    scores: list[tuple[str, Difference]]  # (muscle, its left/right at both visits for this expression)

    @property
    def expression_label(self) -> str:
        return Expression(self.expression).label

    @property
    def gap_before(self) -> int | None:
        gaps = [d.gap_before for _, d in self.scores if d.trend]
        return sum(gaps) if gaps else None

    @property
    def gap_after(self) -> int | None:
        gaps = [d.gap_after for _, d in self.scores if d.trend]
        return sum(gaps) if gaps else None

    @property
    def trend(self) -> str:
        if self.gap_before is None or self.gap_after is None:
            return ""
        if self.gap_after < self.gap_before:
            return "converging"
        return "diverging" if self.gap_after > self.gap_before else "unchanged"


def photo_comparison(
    patient: Patient, *, first: str | None, second: str | None, first_phase: str, second_phase: str, expression: str
) -> PhotoComparison:
    """One expression at two of the patient's visits (by reference; unknown ones fall back to the
    last two visits with photos), with each visit's units and the assessment's scores. Four queries."""
    expression = expression if expression in Expression.values else Expression.REST
    first_phase = first_phase if first_phase in Phase.values else Phase.BEFORE
    second_phase = second_phase if second_phase in Phase.values else Phase.BEFORE
    visits = list(
        Appointment.objects.filter(patient=patient, photos__isnull=False)
        .distinct()
        .select_related("location", "service", "provider__user")
        .order_by("-start", "-pk")
    )
    by_reference = {a.reference: a for a in visits}
    a = by_reference.get(first or "") or (visits[1] if len(visits) > 1 else visits[0] if visits else None)
    b = by_reference.get(second or "") or (visits[0] if visits else None)
    if a is None or b is None:
        return PhotoComparison(patient, visits, expression, None, None, [])
    if a.start > b.start:  # earlier on the left
        a, b, first_phase, second_phase = b, a, second_phase, first_phase
    ids = [a.pk, b.pk]
    latest: dict[tuple[int, str], Photo] = {}
    for photo in Photo.objects.filter(appointment__in=ids, expression=expression).order_by("-uploaded_at", "-pk"):
        latest.setdefault((photo.appointment_id, photo.phase), photo)
    earlier = CompareSide(a, first_phase, latest.get((a.pk, first_phase)))
    later = CompareSide(b, second_phase, latest.get((b.pk, second_phase)))
    _units(earlier, later)
    return PhotoComparison(patient, visits, expression, earlier, later, _scores(earlier, later, expression))


def _units(*sides: CompareSide) -> None:
    """Each visit's units per area and side, per product (never added across products). One query."""
    by_visit = {side.appointment.pk: side for side in sides}
    rows: dict[int, dict[tuple[int, int], AreaUnits]] = defaultdict(dict)
    sites = InjectionSite.objects.filter(record__appointment__in=list(by_visit)).select_related(
        "area", "lot__product", "record"
    )
    for site in sites:
        product = site.lot.product
        row = rows[site.record.appointment_id].setdefault(
            (site.area_id, product.pk), AreaUnits(area=site.area, product=product)
        )
        setattr(row, site.side, getattr(row, site.side) + Decimal(site.units))
        row.points += site.points
    for pk, side in by_visit.items():
        side.areas = sorted(
            rows[pk].values(), key=lambda r: (r.product.sort_order, r.product.brand, r.area.sort_order, r.area.name)
        )


def _scores(earlier: CompareSide, later: CompareSide, expression: str) -> list[tuple[str, Difference]]:
    """Left and right for this expression, each muscle assessed at either visit. One query."""
    values: dict[int, dict[tuple[str, str], int | None]] = defaultdict(dict)
    names: dict[str, tuple[str, int]] = {}
    rows = AssessmentRow.objects.filter(
        assessment__appointment__in=[earlier.appointment.pk, later.appointment.pk]
    ).select_related("area", "assessment")
    for row in rows:
        key = row.muscle.lower()
        values[row.assessment.appointment_id][(key, row.side)] = getattr(row, expression)
        names.setdefault(key, (row.muscle, row.area.sort_order if row.area else 999))
    before, after = values[earlier.appointment.pk], values[later.appointment.pk]
    label = Expression(expression).label
    result = []
    for key in sorted(names, key=lambda k: (names[k][1], k)):
        difference = Difference(
            expression, label,
            (before.get((key, Side.LEFT)), before.get((key, Side.RIGHT))),
            (after.get((key, Side.LEFT)), after.get((key, Side.RIGHT))),
        )  # fmt: skip
        if any(v is not None for v in (*difference.before, *difference.after)):
            result.append((names[key][0], difference))
    return result
