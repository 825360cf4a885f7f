"""The catalog: areas, products, services, aftercare steps and the catalog's version counter.

The migrations seed the clinic's own catalog (botox-cosmetic, masseter, neuromodulator-treatment…);
these make extra rows with numbered slugs, so they never collide with it.
"""

from datetime import timedelta
from decimal import Decimal

import factory

from treatments.models import AftercareStep, CatalogVersion, Product, Region, Service, ServiceKind, TreatmentArea


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


def _next_catalog_version() -> int:
    return (CatalogVersion.objects.values_list("number", flat=True).first() or 0) + 1


class CatalogVersionFactory(factory.django.DjangoModelFactory):
    """The catalog's one counter row (every catalog write bumps it): this sets its number, by
    default the next one, and creates the row only if no catalog write has yet."""

    class Meta:
        model = CatalogVersion

    number = factory.LazyFunction(_next_catalog_version)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        row = model_class.objects.first() or model_class()
        row.number = kwargs["number"]
        row.save()
        return row
