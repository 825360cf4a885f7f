"""Booking, cancelling and moving, through the services every screen and the API use."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from bookings import signals
from bookings.models import Appointment, AppointmentStatus, NeedsCall, Patient, Source
from bookings.services import (
    BookingInvalid,
    PatientDetails,
    SlotUnavailable,
    TooLateToChange,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from tests.bookings.conftest import at, week_hours
from tests.factories import PatientFactory, ProviderFactory, ServiceFactory

pytestmark = pytest.mark.django_db

MONDAY = date(2027, 1, 11)
NOW = datetime(2027, 1, 4, 12, tzinfo=UTC)
DETAILS = PatientDetails("Ada", "Park", "Ada.Park@Example.com", "+19415550199", date(1990, 5, 6))


def online(service, start, *, details=DETAILS, now=NOW, **kwargs) -> Appointment:
    return appointment_book(service=service, start=start, now=now, source=Source.ONLINE, details=details, **kwargs)


@pytest.fixture
def sent(request):
    """The bookings signals sent during the test, as (name, kwargs)."""
    received = []
    connected = []
    for name in ("appointment_booked", "appointment_cancelled", "appointment_rescheduled"):
        signal = getattr(signals, name)

        def receiver(sender, _name=name, **kwargs):
            received.append((_name, kwargs))

        signal.connect(receiver, weak=False)
        connected.append((signal, receiver))
    yield received
    for signal, receiver in connected:
        signal.disconnect(receiver)


def test_online_booking_creates_the_patient_and_the_appointment(clinic, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        appointment = online(clinic.service, at(MONDAY, 10))
    assert appointment.status == AppointmentStatus.BOOKED and appointment.source == Source.ONLINE
    assert (appointment.start, appointment.end) == (at(MONDAY, 10), at(MONDAY, 10, 30))
    assert appointment.provider == clinic.provider and appointment.location == clinic.location
    assert appointment.patient.email == "Ada.Park@Example.com"
    assert [name for name, _ in sent] == ["appointment_booked"]
    assert len(callbacks) == 1  # the confirmation email, enqueued after commit


def test_reference_codes_are_random_readable_and_unique(clinic):
    references = {online(clinic.service, at(MONDAY, h)).reference for h in (9, 10, 11, 13, 14)}
    assert len(references) == 5
    assert all(len(ref) == 8 and not set(ref) & set("01ILOU") for ref in references)


def test_an_existing_patient_is_matched_by_email_in_any_case_and_birth_date(clinic):
    first = online(clinic.service, at(MONDAY, 9))
    again = online(
        clinic.service,
        at(MONDAY, 10),
        details=PatientDetails("A.", "P.", "ada.park@example.COM", "+19415550000", date(1990, 5, 6)),
    )
    assert again.patient == first.patient
    assert again.patient.first_name == "Ada"  # an online form does not overwrite what we know
    twin = online(
        clinic.service,
        at(MONDAY, 11),
        details=PatientDetails("Bo", "Park", "ada.park@example.com", "+19415550000", date(1992, 1, 1)),
    )
    assert twin.patient != first.patient
    assert Patient.objects.count() == 2


def test_overlapping_times_are_refused(clinic):
    online(clinic.service, at(MONDAY, 10))
    with pytest.raises(SlotUnavailable):
        online(clinic.service, at(MONDAY, 10, 15))  # 10:15–10:45 overlaps 10:00–10:30
    with pytest.raises(SlotUnavailable):
        online(clinic.service, at(MONDAY, 10))
    assert Appointment.objects.count() == 1


def test_buffers_count_as_busy_time(clinic):
    treatment = ServiceFactory(duration_minutes=30, buffer_before_minutes=10, buffer_after_minutes=10)
    clinic.provider.services.add(treatment)
    appointment_book(service=treatment, start=at(MONDAY, 10), now=NOW, source=Source.DESK, patient=PatientFactory())
    with pytest.raises(SlotUnavailable):
        online(clinic.service, at(MONDAY, 10, 30))  # inside the 10-minute buffer after
    with pytest.raises(SlotUnavailable):
        online(clinic.service, at(MONDAY, 9, 30))  # ends at 10:00, inside the buffer before
    online(clinic.service, at(MONDAY, 10, 45))


@pytest.mark.parametrize(
    ("hour", "minute", "why"),
    [(10, 7, "off the grid"), (8, 0, "before opening"), (12, 15, "in the lunch break"), (16, 45, "ends after closing")],
)
def test_times_that_were_never_slots_are_invalid_not_taken(clinic, hour, minute, why):
    with pytest.raises(BookingInvalid) as refused:
        online(clinic.service, at(MONDAY, hour, minute))
    assert "start" in refused.value.errors, why


def test_weekend_and_time_off_are_refused(clinic):
    from bookings.models import TimeOff

    with pytest.raises(BookingInvalid):
        online(clinic.service, at(MONDAY + timedelta(days=5), 10))
    TimeOff.objects.create(provider=clinic.provider, start=at(MONDAY, 9), end=at(MONDAY, 12))
    with pytest.raises(SlotUnavailable):
        online(clinic.service, at(MONDAY, 10))


def test_notice_and_horizon(clinic, settings):
    now = at(MONDAY, 9).astimezone(UTC)
    with pytest.raises(BookingInvalid) as too_soon:
        online(clinic.service, at(MONDAY, 10), now=now)
    assert "2 hours' notice" in too_soon.value.errors["start"][0]
    with pytest.raises(BookingInvalid) as past:
        online(clinic.service, at(MONDAY, 8), now=now)
    assert "already passed" in past.value.errors["start"][0]
    online(clinic.service, at(MONDAY, 11), now=now)
    desk = appointment_book(
        service=clinic.service, start=at(MONDAY, 9, 30), now=now, source=Source.DESK, patient=PatientFactory(),
        min_notice=timedelta(0),
    )  # fmt: skip
    assert desk.pk
    settings.BOOKING_HORIZON_DAYS = 3
    with pytest.raises(BookingInvalid) as far:
        online(clinic.service, at(MONDAY + timedelta(days=7), 10), now=now)
    assert "3 days ahead" in far.value.errors["start"][0]


def test_an_online_toxin_booking_for_a_patient_on_hold_is_a_request_front_desk_calls_about(clinic):
    toxin = ServiceFactory(is_toxin_treatment=True, new_patients_online=True, duration_minutes=30)
    clinic.provider.services.add(toxin)
    patient = PatientFactory(treatment_hold=True, treatment_hold_reason="Screening: absolute")
    details = PatientDetails("X", "Y", patient.email, "+19415550100", patient.date_of_birth)
    request = online(toxin, at(MONDAY, 10), details=details)
    assert (request.patient, request.needs_call, request.identity_verified) == (patient, NeedsCall.HOLD, False)
    consultation = online(clinic.service, at(MONDAY, 11), details=details)
    assert consultation.needs_call == ""
    patient.refresh_from_db()
    assert (patient.first_name, patient.phone) != ("X", "+19415550100")  # a match changes nothing of the record


def test_a_returning_patients_service_booked_by_a_new_patient_is_a_request_to_call(clinic):
    toxin = ServiceFactory(is_toxin_treatment=True, new_patients_online=False, duration_minutes=30)
    clinic.provider.services.add(toxin)
    first = online(toxin, at(MONDAY, 10))
    assert first.needs_call == NeedsCall.NOT_RETURNING and first.identity_verified  # created by this booking
    Appointment.objects.filter(pk=online(clinic.service, at(MONDAY, 9)).pk).update(status=AppointmentStatus.COMPLETED)
    assert online(toxin, at(MONDAY, 11)).needs_call == ""


def test_a_provider_who_does_not_offer_the_service_is_a_field_error(clinic):
    stranger = ProviderFactory(services=[ServiceFactory()])
    week_hours(stranger, clinic.location)
    with pytest.raises(BookingInvalid) as refused:
        online(clinic.service, at(MONDAY, 10), provider=stranger)
    assert "provider" in refused.value.errors


def test_moving_to_a_provider_who_does_not_offer_the_service_is_a_field_error(clinic):
    appointment = online(clinic.service, at(MONDAY, 10))
    stranger = ProviderFactory(services=[ServiceFactory()])
    week_hours(stranger, clinic.location)
    move = {"appointment": appointment, "start": at(MONDAY, 11), "now": NOW, "by_patient": False, "provider": stranger}
    with pytest.raises(BookingInvalid) as refused:
        appointment_reschedule(**move)
    assert refused.value.errors == {"provider": [f"{stranger.name} doesn't offer {clinic.service.name}."]}
    stranger.services.add(clinic.service)
    assert appointment_reschedule(**move).provider_id == stranger.pk


def test_anyone_spreads_bookings_over_free_providers(clinic):
    other = ProviderFactory(services=[clinic.service])
    week_hours(other, clinic.location)
    first = online(clinic.service, at(MONDAY, 9))
    second = online(clinic.service, at(MONDAY, 9))  # the same time: the other provider
    third = online(clinic.service, at(MONDAY, 11))  # both free: each has one booking, lower id first
    fourth = online(clinic.service, at(MONDAY, 13))  # the one with fewer bookings
    assert {first.provider, second.provider} == {clinic.provider, other}
    assert fourth.provider != third.provider
    with pytest.raises(SlotUnavailable):
        online(clinic.service, at(MONDAY, 9))


def test_patient_cancels_outside_the_window_but_not_inside(clinic, sent):
    appointment = online(clinic.service, at(MONDAY, 10))
    late = at(MONDAY, 10).astimezone(UTC) - timedelta(hours=23)
    with pytest.raises(TooLateToChange) as refused:
        appointment_cancel(appointment=appointment, now=late, by_patient=True)
    assert refused.value.code == "too_late_to_cancel"
    desk = appointment_cancel(appointment=appointment, now=late, by_patient=False, reason="Called in sick")
    assert desk.status == AppointmentStatus.CANCELLED and desk.cancellation_reason == "Called in sick"
    again = appointment_cancel(appointment=appointment, now=late, by_patient=False)
    assert again.status == AppointmentStatus.CANCELLED
    assert [name for name, _ in sent] == ["appointment_booked", "appointment_cancelled"]
    online(clinic.service, at(MONDAY, 10), now=NOW)  # the time is free again


def test_reschedule_moves_the_booking_and_never_onto_busy_time(clinic, sent):
    mine = online(clinic.service, at(MONDAY, 10))
    theirs = online(clinic.service, at(MONDAY, 11), details=PatientDetails("B", "C", "b@example.com", "+19415550111",
                                                                          date(1980, 1, 1)))  # fmt: skip
    with pytest.raises(SlotUnavailable):
        appointment_reschedule(appointment=mine, start=at(MONDAY, 10, 45), now=NOW, by_patient=True)
    moved = appointment_reschedule(appointment=mine, start=at(MONDAY, 10, 15), now=NOW, by_patient=True)
    assert (moved.start, moved.end) == (at(MONDAY, 10, 15), at(MONDAY, 10, 45))  # overlapping its own old time
    assert sent[-1][0] == "appointment_rescheduled" and sent[-1][1]["previous_start"] == at(MONDAY, 10)
    with pytest.raises(BookingInvalid):
        appointment_reschedule(appointment=mine, start=at(MONDAY, 10, 20), now=NOW, by_patient=True)
    late = at(MONDAY, 10).astimezone(UTC) - timedelta(hours=2)
    with pytest.raises(TooLateToChange) as refused:
        appointment_reschedule(appointment=mine, start=at(MONDAY, 14), now=late, by_patient=True)
    assert refused.value.code == "too_late_to_reschedule"
    theirs.refresh_from_db()
    assert theirs.start == at(MONDAY, 11)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's")
def test_the_database_itself_refuses_an_overlapping_row(clinic):
    appointment = online(clinic.service, at(MONDAY, 10))
    row = {
        "patient": appointment.patient, "provider": clinic.provider, "location": clinic.location,
        "service": clinic.service, "source": Source.DESK,
    }  # fmt: skip
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        Appointment.objects.create(
            **row, start=at(MONDAY, 10, 15), end=at(MONDAY, 10, 45), busy_from=at(MONDAY, 10, 15),
            busy_until=at(MONDAY, 10, 45),
        )  # fmt: skip
    assert "appointment_no_overlap_per_provider" in str(refused.value)
    # Touching ends do not overlap, and cancelled rows do not count.
    Appointment.objects.create(
        **row, start=at(MONDAY, 10, 30), end=at(MONDAY, 11), busy_from=at(MONDAY, 10, 30), busy_until=at(MONDAY, 11)
    )
    Appointment.objects.create(
        **row, status=AppointmentStatus.CANCELLED, start=at(MONDAY, 10), end=at(MONDAY, 10, 30),
        busy_from=at(MONDAY, 10), busy_until=at(MONDAY, 10, 30),
    )  # fmt: skip


@pytest.mark.parametrize("misses", [1, 2])
def test_a_patient_another_booking_created_meanwhile_is_matched(clinic, monkeypatch, misses):
    """Two first bookings for one person at once: the one whose insert loses matches the other's
    patient (after rolling back its first try; `misses` 2: its second try loses too, in a savepoint)."""
    from bookings.services import booking

    theirs = PatientFactory(email="ada.park@example.com", date_of_birth=DETAILS.date_of_birth)
    looks, real = [], booking.patient_find

    def find(**kwargs):  # the other's insert lands between this look and ours
        looks.append(kwargs)
        return None if len(looks) <= misses else real(**kwargs)

    monkeypatch.setattr(booking, "patient_find", find)
    appointment = online(clinic.service, at(MONDAY, 10))
    assert appointment.patient == theirs and not appointment.identity_verified
    assert Patient.objects.count() == 1 and Appointment.objects.count() == 1
    assert len(looks) == misses + 1
    assert appointment.contact_proposal.patient == theirs  # what the booking said, for front desk
