"""Audit's own rows. The change history (Historical* models) is written by django-simple-history
on every save of a tracked model, so the factories of those models make it."""

import factory
from django.utils import timezone

from audit.models import Erasure

from .bookings import PatientFactory
from .users import UserFactory


class ErasureFactory(factory.django.DjangoModelFactory):
    """The tombstone alone (the patient row keeps its details): `audit.services.patient_erase` for an
    erasure that anonymises the patient and cancels their visits."""

    class Meta:
        model = Erasure

    patient = factory.SubFactory(PatientFactory)
    erased_by = factory.SubFactory(UserFactory, is_staff=True)
    erased_at = factory.LazyFunction(timezone.now)
    cancelled_appointments = factory.LazyFunction(list)
