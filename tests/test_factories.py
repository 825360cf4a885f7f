"""Every model of the six apps has a factory, and every factory writes a row its model accepts
(full_clean: fields, choices, validators, check and unique constraints), on SQLite and PostgreSQL."""

from itertools import pairwise

import factory
import pytest
from django.apps import apps
from django.db.models import JSONField

import tests.factories as factories
from bookings.models import Appointment

pytestmark = pytest.mark.django_db

APPS = ("treatments", "bookings", "intake", "charting", "reminders", "audit")

# Models deliberately without a factory, and why.
NO_FACTORY = {
    # django-simple-history's change history: it writes a row on every save of the tracked model,
    # so PatientFactory, AppointmentFactory, ConsentFactory and ScreeningDecisionFactory make them.
    "audit.HistoricalPatient",
    "audit.HistoricalAppointment",
    "audit.HistoricalConsent",
    "audit.HistoricalScreeningDecision",
    # One row, made by migration bookings 0018 and rewritten by database triggers on every write
    # that changes availability (bookings/availability_cache.py): a test never makes one.
    "bookings.AvailabilityVersion",
}

FACTORIES = sorted(
    (
        value
        for value in vars(factories).values()
        if isinstance(value, type) and issubclass(value, factory.django.DjangoModelFactory) and not value._meta.abstract
    ),
    key=lambda f: f.__name__,
)


def _label(model) -> str:
    return model._meta.label


def test_every_model_of_the_apps_has_a_factory():
    made = {_label(f._meta.get_model_class()) for f in FACTORIES}
    models = {_label(model) for name in APPS for model in apps.get_app_config(name).get_models()}
    assert models >= NO_FACTORY, f"allow-listed models that no longer exist: {NO_FACTORY - models}"
    missing = models - made - NO_FACTORY
    assert not missing, f"models without a factory in tests/factories/: {sorted(missing)}"


def _defaults_left_empty(row) -> list[str]:
    """JSON fields left at their model's own empty default ([] or {}): the app writes those itself,
    though the field is not blank=True, so full_clean would call them missing."""
    return [
        field.name
        for field in row._meta.fields
        if isinstance(field, JSONField) and field.has_default() and getattr(row, field.name) == field.get_default()
    ]


@pytest.mark.parametrize("model_factory", FACTORIES, ids=lambda f: f.__name__)
def test_each_factory_writes_a_valid_row(model_factory):
    row = model_factory()
    row.refresh_from_db()
    row.full_clean(exclude=_defaults_left_empty(row))
    assert type(row) is model_factory._meta.get_model_class()


def test_one_providers_appointments_never_overlap_unless_told_when():
    first = factories.AppointmentFactory(service__buffer_after_minutes=10)
    provider, service = first.provider, first.service
    cancelled = factories.AppointmentFactory(provider=provider, service=service, status="cancelled")
    later = [factories.AppointmentFactory(provider=provider, service=service) for _ in range(3)]
    assert cancelled.start == first.start == factories.DEFAULT_START  # cancelled gives its time back
    busy = sorted((a.busy_from, a.busy_until) for a in [first, *later])
    assert all(until <= after for (_, until), (after, _) in pairwise(busy))
    assert Appointment.objects.blocking().filter(provider=provider).count() == 4


def test_a_consent_signs_the_text_in_force_for_its_service():
    appointment = factories.AppointmentFactory()
    factories.ConsentTextFactory(service=appointment.service)
    current = factories.ConsentTextFactory(service=appointment.service)
    consent = factories.ConsentFactory(appointment=appointment)
    assert current.version == 2
    assert (consent.text, consent.patient) == (current, appointment.patient)


def test_rows_of_an_appointment_take_its_patient():
    appointment = factories.AppointmentFactory()
    decision = factories.ScreeningDecisionFactory(appointment=appointment)
    rows = [
        decision.history,
        factories.MessageFactory(appointment=appointment),
        factories.ContactProposalFactory(appointment=appointment),
        factories.MedicalHistoryFactory(appointment=appointment),
    ]
    assert {row.patient for row in rows} == {appointment.patient}
    assert [h.version for h in appointment.patient.medical_histories.order_by("version")] == [1, 2]


def test_the_booked_event_is_written_as_booking_writes_it():
    appointment = factories.AppointmentFactory(booked_event=True)
    event = appointment.events.get()
    assert (event.kind, event.actor, event.note) == ("booked", None, "Front desk")
