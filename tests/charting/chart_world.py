"""Helpers for the assessment, history and recall tests: charted visits written directly."""

from datetime import datetime, timedelta
from decimal import Decimal

from charting.models import Assessment
from tests.factories import (
    AppointmentFactory,
    AssessmentFactory,
    AssessmentRowFactory,
    InjectionSiteFactory,
    LotUseFactory,
    SignedRecordFactory,
)
from treatments.models import TreatmentArea


def area(slug: str) -> TreatmentArea:
    return TreatmentArea.objects.get(slug=slug)


def assess(appointment, scores: dict, *, dominant=(), notes: str = "") -> Assessment:
    """scores: {(muscle, side): {expression: score}}; muscles of masseter/dao get their area."""
    assessment = AssessmentFactory(appointment=appointment, notes=notes)
    areas = {"masseter": area("masseter"), "depressor anguli oris": area("dao")}
    for (muscle, side), values in scores.items():
        AssessmentRowFactory(assessment=assessment, area=areas.get(muscle), muscle=muscle, side=side,
                             dominant=(muscle, side) in dominant, **{"clench": None, **values})  # fmt: skip
    return assessment


def charted_visit(*, patient, provider, location, start: datetime, units: dict, lot_number: str = "C1000C3",
                  product=None, scores: dict | None = None, service=None, **record):  # fmt: skip
    """A signed visit: units {(area slug, side): units} from one lot, and an assessment when scores are given."""
    appointment = AppointmentFactory(patient=patient, provider=provider, location=location, start=start,
                                     status="completed", **({"service": service} if service else {}))  # fmt: skip
    signed = SignedRecordFactory(appointment=appointment, **record)
    lot_kwargs = {"record": signed, "lot_number": lot_number}
    if product is not None:
        lot_kwargs["product"] = product
    lot = LotUseFactory(**lot_kwargs)
    for (slug, side), amount in units.items():
        InjectionSiteFactory(lot=lot, area=area(slug), side=side, units=Decimal(str(amount)), points=2)
    if scores:
        assess(appointment, scores)
    return appointment


MONTH = timedelta(days=30)
