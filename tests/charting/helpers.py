"""Charting a visit through the services, for tests of what comes before and after the chart."""

from datetime import date, datetime
from decimal import Decimal

from bookings.models import Appointment
from charting.checks import LotEntry, SiteEntry
from charting.models import TreatmentRecord
from charting.services import RecordContent, record_save, record_sign, record_start
from treatments.models import Product, TreatmentArea


def content(
    *sites: tuple[str, str, str | Decimal],
    product: str = "botox-cosmetic",
    expiry: date = date(2030, 1, 31),
    notes: str = "",
    touch_up_of: int | None = None,
) -> RecordContent:
    """One lot of `product` and a site per (area slug, side, units)."""
    areas = {a.slug: a.pk for a in TreatmentArea.objects.all()}
    lot = LotEntry(index=0, product_id=Product.objects.get(slug=product).pk, lot_number="C1234C3", expiry=expiry,
                   dilution_ml=Decimal("2.5"))  # fmt: skip
    return RecordContent(
        lots=(lot,),
        sites=tuple(
            SiteEntry(index=i, lot_index=0, area_id=areas[slug], side=side, units=Decimal(units), points=2)
            for i, (slug, side, units) in enumerate(sites)
        ),
        notes=notes,
        touch_up_of=touch_up_of,
    )


def chart_and_sign(
    appointment: Appointment, actor, *, now: datetime, record_content: RecordContent | None = None, reasons=None
) -> TreatmentRecord:
    """Start (behind the gate), save and sign: a conservative masseter treatment unless told otherwise."""
    record = record_start(appointment=appointment, actor=actor, now=now)
    record_content = record_content or content(("masseter", "left", "25"), ("masseter", "right", "25"))
    record_save(record=record, content=record_content, actor=actor, now=now)
    return record_sign(record=record, reasons=reasons or {}, actor=actor, now=now)
