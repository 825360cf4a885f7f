from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from treatments.models import AftercareStep, Product, Region, Service, ServiceKind, TreatmentArea

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Sam"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)


class TreatmentAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TreatmentArea

    slug = factory.Sequence(lambda n: f"area-{n}")
    name = factory.Sequence(lambda n: f"Area {n}")
    region = Region.UPPER_FACE
    muscles = "frontalis"
    concern = "Lines"
    summary = "Softens lines."
    typical_units_min = 4
    typical_units_max = 10
    injection_points = "2"


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    slug = factory.Sequence(lambda n: f"product-{n}")
    brand = factory.Sequence(lambda n: f"Brand {n}")
    generic_name = "exampletoxinA"


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    slug = factory.Sequence(lambda n: f"service-{n}")
    name = factory.Sequence(lambda n: f"Service {n}")
    kind = ServiceKind.TREATMENT
    duration_minutes = 30
    price = Decimal("100.00")


class AftercareStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AftercareStep

    service = factory.SubFactory(ServiceFactory)
    key = factory.Sequence(lambda n: f"step-{n}")
    offset = timedelta(hours=4)
    title = "A step"
    body = "Advice."


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "bookings.Location"
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"location-{n}")
    name = factory.Sequence(lambda n: f"Location {n}")
    address = "1 Main Street"
    timezone = "America/New_York"


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "bookings.Provider"
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, is_staff=True, first_name="Ivy", last_name=factory.Sequence(str))
    title = "Nurse injector"
    credentials = "RN"

    @factory.post_generation
    def services(self, create, extracted, **kwargs):
        if create and extracted:
            self.services.set(extracted)


class WorkingHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "bookings.WorkingHours"

    provider = factory.SubFactory(ProviderFactory)
    location = factory.SubFactory(LocationFactory)
    weekday = 0
    start = time(9)
    end = time(17)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "bookings.Patient"

    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Patient{n}")
    date_of_birth = date(1985, 6, 1)
    email = factory.Sequence(lambda n: f"patient{n}@example.com")
    phone = "+19415550100"


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A booked appointment written directly (no availability check): for tests of what comes after.

    Its busy range is the visit itself unless given; the services are for tests of booking itself.
    """

    class Meta:
        model = "bookings.Appointment"
        skip_postgeneration_save = True

    patient = factory.SubFactory(PatientFactory)
    provider = factory.SubFactory(ProviderFactory)
    location = factory.SubFactory(LocationFactory, slug="sarasota", name="Sarasota")
    service = factory.SubFactory(ServiceFactory, is_toxin_treatment=True)
    start = factory.LazyFunction(lambda: datetime(2026, 12, 1, 15, 0, tzinfo=UTC))
    end = factory.LazyAttribute(lambda a: a.start + timedelta(minutes=a.service.duration_minutes))
    busy_from = factory.LazyAttribute(lambda a: a.start)
    busy_until = factory.LazyAttribute(lambda a: a.end)
    source = "desk"
    identity_verified = True

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas.set(extracted)


class TreatmentRecordFactory(factory.django.DjangoModelFactory):
    """A draft record; `SignedRecordFactory` for a signed one. Sites need a lot: see `InjectionSiteFactory`."""

    class Meta:
        model = "charting.TreatmentRecord"

    appointment = factory.SubFactory(AppointmentFactory)
    started_by = factory.LazyAttribute(lambda r: r.appointment.provider.user)
    started_at = factory.LazyAttribute(lambda r: r.appointment.start)


class SignedRecordFactory(TreatmentRecordFactory):
    status = "signed"
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
        model = "charting.LotUse"

    record = factory.SubFactory(TreatmentRecordFactory)
    product = factory.LazyFunction(lambda: Product.objects.get(slug="botox-cosmetic"))
    lot_number = factory.Sequence(lambda n: f"C{7000 + n}C3")
    expiry = date(2027, 6, 30)
    dilution_ml = Decimal("2.5")


class InjectionSiteFactory(_RowOfRecordFactory):
    """Units into an area and side; the area defaults to the masseter (per side), left."""

    class Meta:
        model = "charting.InjectionSite"

    lot = factory.SubFactory(LotUseFactory)
    record = factory.LazyAttribute(lambda s: s.lot.record)
    area = factory.LazyFunction(lambda: TreatmentArea.objects.get(slug="masseter"))
    side = "left"
    units = Decimal("25")
    points = 3


class OverrideFactory(_RowOfRecordFactory):
    """A warning overridden with a reason, on a record that is usually signed already."""

    class Meta:
        model = "charting.Override"

    record = factory.SubFactory(SignedRecordFactory)
    code = "dose"
    message = "Above the usual range."
    reason = "Strong muscle."
    by = factory.LazyAttribute(lambda o: o.record.appointment.provider.user)
    at = factory.LazyAttribute(lambda o: o.record.signed_at or o.record.started_at)
