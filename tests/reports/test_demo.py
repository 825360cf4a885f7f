"""`make run` seeds a past year of visits (`demo_seed --history`), so every figure has something in it."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.models import Appointment
from charting.models import InjectionSite
from reports.selectors import report_build

pytestmark = pytest.mark.django_db


def test_the_demo_history_fills_every_figure_once(settings):
    settings.DEBUG = True
    call_command("demo_seed", "--history")
    counts = (Appointment.objects.count(), InjectionSite.objects.count())
    today = timezone.localdate()

    with CaptureQueriesContext(connection) as captured:
        report = report_build(first=today - timedelta(days=364), last=today, now=timezone.now())

    assert all(query["sql"].lstrip().upper().startswith("SELECT") for query in captured)  # reports write nothing
    totals = report.totals
    assert 0.1 < totals["utilization"].rate < 0.9
    assert totals["attendance"].no_shows and totals["attendance"].late_cancels
    assert 0 < totals["rebooking"].rate < 1 and 0 < totals["retention"].rate < 1
    assert totals["new_patients"].total > 100 and 0 < totals["intake"].rate < 1
    assert {product.product for product in report.units} >= {"Botox Cosmetic", "Dysport"}
    call_command("demo_seed", "--history")
    assert counts == (Appointment.objects.count(), InjectionSite.objects.count())


def test_the_demo_without_history_stays_small(settings):
    settings.DEBUG = True
    call_command("demo_seed")
    assert Appointment.objects.count() < 20
