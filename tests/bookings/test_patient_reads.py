"""The reads every online booking makes about its patient (selectors/people.py), written as plain
SQL: the email matched in any case and literally (no LIKE wildcards on SQLite), the date of birth
exactly, and only upcoming online bookings that still hold their time counted."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from bookings.models import AppointmentStatus, Source
from bookings.selectors import online_bookings_open, patient_find, provider_offers, provider_with_user
from tests.bookings.conftest import at, booked_at, next_weekday
from tests.factories import PatientFactory, ProviderFactory, ServiceFactory

pytestmark = pytest.mark.django_db

BORN = date(1990, 5, 6)


def test_patient_find_matches_the_email_in_any_case_and_nothing_like_it():
    ada = PatientFactory(email="Ada_Park@Example.com", date_of_birth=BORN)
    PatientFactory(email="adaxpark@example.com", date_of_birth=BORN)  # what "_" would match as a wildcard
    assert patient_find(email="  ada_park@EXAMPLE.com ", date_of_birth=BORN) == ada
    assert patient_find(email="ada%park@example.com", date_of_birth=BORN) is None
    assert patient_find(email="ada_park@example.com", date_of_birth=date(1990, 5, 7)) is None
    found = patient_find(email="ADA_PARK@example.com", date_of_birth=BORN)
    assert found.first_name == ada.first_name and found.created_at == ada.created_at
    assert found.consent_email is ada.consent_email and not found._state.adding


def test_the_open_online_bookings_of_these_details(clinic):
    now = timezone.now()
    ada = PatientFactory(email="ada@example.com", date_of_birth=BORN)
    day = next_weekday(0)
    for hour in (9, 10):
        booked_at(clinic, at(day, hour), patient=ada, source=Source.ONLINE)
    booked_at(clinic, at(day, 11), patient=ada, source=Source.ONLINE, status=AppointmentStatus.CONFIRMED)
    booked_at(clinic, at(day, 13), patient=ada, source=Source.DESK)  # booked by front desk
    booked_at(clinic, at(day, 14), patient=ada, source=Source.ONLINE, status=AppointmentStatus.CANCELLED)
    past = at(day - timedelta(days=14), 9)
    booked_at(clinic, past, patient=ada, source=Source.ONLINE)  # over by `now` below
    twin = PatientFactory(email="ADA@example.com", date_of_birth=date(1971, 1, 1))  # the email only in common
    booked_at(clinic, at(day, 15), patient=twin, source=Source.ONLINE)
    assert online_bookings_open(email=" ADA@Example.COM", date_of_birth=BORN, now=now) == 3
    assert online_bookings_open(email="ad_@example.com", date_of_birth=BORN, now=now) == 0
    assert online_bookings_open(email="ada@example.com", date_of_birth=BORN, now=past - timedelta(hours=1)) == 4


def test_a_provider_with_their_user_and_what_they_offer():
    service = ServiceFactory()
    provider = ProviderFactory(services=[service], credentials="RN")
    away = ProviderFactory(services=[service], bookable_online=False)
    found = provider_with_user(provider.pk, online=True)
    assert found == provider and found.name == provider.name and found.user == provider.user
    assert provider_with_user(away.pk, online=True) is None
    assert provider_with_user(away.pk, online=False).name == away.name
    assert provider_with_user(away.pk + 1000, online=False) is None
    assert provider_offers(provider_id=provider.pk, service_id=service.pk)
    assert not provider_offers(provider_id=provider.pk, service_id=ServiceFactory().pk)


def test_the_patient_lookups_use_the_email_index_on_postgresql():
    """The lookup and the open-bookings count compare UPPER(email) (Django's iexact): the index on
    (UPPER(email), date_of_birth) must serve both, or each booking reads the whole patients table.
    With sequential scans made costly, the plans name the index only if its expression matches."""
    from datetime import UTC, date, datetime

    from django.db import connection

    from bookings.selectors.people import _email_param, _open_sql, _patient_sql

    if connection.vendor != "postgresql":
        pytest.skip("the expression index and its plan are PostgreSQL's")
    born, now = date(1990, 1, 1), datetime(2027, 1, 1, tzinfo=UTC)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plans = []
        for sql, params in (
            (_patient_sql(connection.vendor), [_email_param("Pat@Example.com"), born]),
            (
                _open_sql(connection.vendor),
                [now, born, _email_param("Pat@Example.com"), "online", "booked", "confirmed"],
            ),
        ):
            cursor.execute("EXPLAIN " + sql, params)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    for plan in plans:
        assert "patient_email_upper_birth" in plan, plan
