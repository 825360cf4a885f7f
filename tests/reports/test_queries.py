"""A report costs the same queries for a week as for a year with many times the data."""

from datetime import date, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.selectors import report_build
from tests.factories import PatientFactory
from tests.reports.conftest import NOW, away, history, hours, injected, local

pytestmark = pytest.mark.django_db

LAST = date(2026, 8, 28)  # a Friday


def a_week(clinic, book):
    hours(clinic.first, clinic.sarasota, 0, time(9), time(17))
    visit = book(clinic.first, local(LAST - timedelta(days=4), 9))
    history(visit, visit.start - timedelta(days=1))
    injected(visit, "botox-cosmetic", [("glabella", "centre", "20")])


def a_year(clinic, book):
    """Every weekday of a year, both providers at both locations, with every kind of figure."""
    for provider, location in ((clinic.first, clinic.sarasota), (clinic.second, clinic.scottsdale)):
        for weekday in range(5):
            hours(provider, location, weekday, time(9), time(17))
        away(provider, local(date(2026, 7, 1), 0), local(date(2026, 7, 8), 0))
    patients = [PatientFactory() for _ in range(12)]
    day = LAST - timedelta(days=364)
    n = 0
    while day <= LAST:
        if day.weekday() < 5 and day.day % 9 == 0:
            for provider, location, zone in ((clinic.first, clinic.sarasota, "America/New_York"),
                                             (clinic.second, clinic.scottsdale, "America/Phoenix")):  # fmt: skip
                n += 1
                patient = patients[n % len(patients)]
                visit = book(provider, local(day, 10, zone=zone), location=location, patient=patient,
                             source=("online", "desk")[n % 2], status=("completed", "no_show")[n % 7 == 0])  # fmt: skip
                book(provider, local(day, 11, zone=zone), location=location, status="cancelled",
                     cancelled=visit.start - timedelta(hours=n % 48))  # fmt: skip
                if visit.status == "completed":
                    history(visit, visit.start - timedelta(hours=n % 30))
                    product = ("botox-cosmetic", "dysport")[n % 2]
                    injected(visit, product, [("masseter", "left", "20"), ("dao", "right", "4")])
        day += timedelta(days=1)


def queries(**kwargs) -> int:
    with CaptureQueriesContext(connection) as captured:
        report_build(now=NOW, **kwargs)
    return len(captured)


def test_a_year_costs_the_queries_of_a_week(clinic, book):
    a_week(clinic, book)
    week = queries(first=LAST - timedelta(days=6), last=LAST)
    a_year(clinic, book)
    year = queries(first=LAST - timedelta(days=364), last=LAST)
    report = report_build(first=LAST - timedelta(days=364), last=LAST, now=NOW)
    assert sum(row.figures.appointments for row in report.attendance if row.level == "provider") > 100
    assert week == year == 9


def test_the_page_and_the_export_cost_the_same_whatever_the_period(client, manager_user, clinic, book):
    client.force_login(manager_user)
    a_week(clinic, book)
    url = reverse("reports:reports")
    counts = {}
    for name, first in (("week", LAST - timedelta(days=6)), ("year", LAST - timedelta(days=364))):
        if name == "year":
            a_year(clinic, book)
        for path in (url, reverse("reports:reports-csv")):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path, {"since": first.isoformat(), "until": LAST.isoformat()})
            assert response.status_code == 200
            counts[(name, path)] = len(captured)
    assert counts[("week", url)] == counts[("year", url)]
    assert counts[("week", reverse("reports:reports-csv"))] == counts[("year", reverse("reports:reports-csv"))]
