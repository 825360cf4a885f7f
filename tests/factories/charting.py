"""What the injector charts: the assessment and its rows, the treatment record (draft or signed),
its lots, injection sites and overrides, and addenda to a signed record."""

import io
import uuid
from datetime import date, timedelta
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from PIL import Image

from charting.models import (
    Addendum,
    Assessment,
    AssessmentRow,
    InjectionSite,
    LotUse,
    Override,
    Phase,
    Photo,
    RecordStatus,
    Side,
    TreatmentRecord,
)
from treatments.models import Product, TreatmentArea

from .bookings import AppointmentFactory


def _masseter() -> TreatmentArea:
    return TreatmentArea.objects.get(slug="masseter")  # the seeded catalog's


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    appointment = factory.SubFactory(AppointmentFactory)
    assessed_by = factory.LazyAttribute(lambda a: a.appointment.provider.user)
    created_at = factory.LazyAttribute(lambda a: a.appointment.start)
    updated_at = factory.LazyAttribute(lambda a: a.created_at)


class AssessmentRowFactory(factory.django.DjangoModelFactory):
    """The left masseter pulling hard on clenching; a second row of one assessment needs another
    muscle or side (one row per muscle and side)."""

    class Meta:
        model = AssessmentRow

    assessment = factory.SubFactory(AssessmentFactory)
    area = factory.LazyFunction(_masseter)
    muscle = factory.LazyAttribute(lambda r: r.area.muscle_list[0] if r.area else "masseter")
    side = Side.LEFT
    clench = 3
    dominant = True


class TreatmentRecordFactory(factory.django.DjangoModelFactory):
    """A draft record; `SignedRecordFactory` for a signed one. Sites need a lot: see `InjectionSiteFactory`."""

    class Meta:
        model = TreatmentRecord

    appointment = factory.SubFactory(AppointmentFactory)
    started_by = factory.LazyAttribute(lambda r: r.appointment.provider.user)
    started_at = factory.LazyAttribute(lambda r: r.appointment.start)


class SignedRecordFactory(TreatmentRecordFactory):
    status = RecordStatus.SIGNED
    signed_by = factory.LazyAttribute(lambda r: r.appointment.provider.user)
    signed_at = factory.LazyAttribute(lambda r: r.appointment.end)


class _RowOfRecordFactory(factory.django.DjangoModelFactory):
    """Rows of a record written as they stand once signed: the model's guard (no change to a signed
    record's rows) is for the app, so test data goes in with bulk_create, which skips save()."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        row = model_class(*args, **kwargs)
        model_class.objects.bulk_create([row])
        return row


class LotUseFactory(_RowOfRecordFactory):
    class Meta:
        model = LotUse

    record = factory.SubFactory(TreatmentRecordFactory)
    product = factory.LazyFunction(lambda: Product.objects.get(slug="botox-cosmetic"))
    lot_number = factory.Sequence(lambda n: f"C{7000 + n}C3")
    expiry = date(2027, 6, 30)
    dilution_ml = Decimal("2.5")


class InjectionSiteFactory(_RowOfRecordFactory):
    """Units into an area and side; the area defaults to the masseter (per side), left."""

    class Meta:
        model = InjectionSite

    lot = factory.SubFactory(LotUseFactory)
    record = factory.LazyAttribute(lambda s: s.lot.record)
    area = factory.LazyFunction(_masseter)
    side = Side.LEFT
    units = Decimal("25")
    points = 3


class OverrideFactory(_RowOfRecordFactory):
    """A warning overridden with a reason, on a record that is usually signed already."""

    class Meta:
        model = Override

    record = factory.SubFactory(SignedRecordFactory)
    code = "dose"
    message = "Above the usual range."
    reason = "Strong muscle."
    by = factory.LazyAttribute(lambda o: o.record.appointment.provider.user)
    at = factory.LazyAttribute(lambda o: o.record.signed_at or o.record.started_at)


class AddendumFactory(factory.django.DjangoModelFactory):
    """A note by the signer on their signed record, the day after."""

    class Meta:
        model = Addendum

    record = factory.SubFactory(SignedRecordFactory)
    text = "Patient called: all well."
    author = factory.LazyAttribute(lambda a: a.record.signed_by or a.record.started_by)
    at = factory.LazyAttribute(lambda a: (a.record.signed_at or a.record.started_at) + timedelta(days=1))


def _stored_jpeg() -> str:
    """A small clean JPEG written to the private photo storage, as an upload leaves it."""
    from charting.photo_models import photo_storage

    out = io.BytesIO()
    Image.new("RGB", (30, 40), (214, 176, 150)).save(out, format="JPEG")
    return photo_storage().save(f"{uuid.uuid4().hex}-image.jpg", ContentFile(out.getvalue()))


class PhotoFactory(factory.django.DjangoModelFactory):
    """A "before" photo at rest, taken by the visit's injector (no renditions yet)."""

    class Meta:
        model = Photo

    appointment = factory.SubFactory(AppointmentFactory)
    phase = Phase.BEFORE
    expression = "rest"
    image = factory.LazyFunction(_stored_jpeg)
    width, height = 30, 40
    taken_by = factory.LazyAttribute(lambda p: p.appointment.provider.user)
    uploaded_at = factory.LazyAttribute(lambda p: p.appointment.start)
