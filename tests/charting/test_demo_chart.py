"""`make run`'s demo clinic has a returning patient with two charted, signed visits about four months
apart (unequal masseter and DAO doses converging) and a treatment booked ahead; seeding is idempotent."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bookings.models import Appointment, Patient
from charting.demo import EMAIL
from charting.models import Assessment, InjectionSite, TreatmentRecord
from charting.selectors import patient_history

pytestmark = pytest.mark.django_db


def test_the_demo_patient_has_two_signed_visits_converging_and_one_ahead(settings, client):
    settings.DEBUG = True
    call_command("demo_seed")
    patient = Patient.objects.get(email=EMAIL)
    counts = (Appointment.objects.count(), TreatmentRecord.objects.count(), InjectionSite.objects.count(),
              Assessment.objects.count())  # fmt: skip
    history = patient_history(patient)
    first, second = reversed(history.visits)
    assert first.signed and second.signed
    assert timedelta(days=110) <= second.appointment.start - first.appointment.start <= timedelta(days=130)
    units = {v.appointment.pk: {(r.area.slug, r.left, r.right) for r in v.areas} for v in (first, second)}
    assert units[first.appointment.pk] == {("masseter", 30, 22), ("dao", 4, 2)}
    assert units[second.appointment.pk] == {("masseter", 26, 22), ("dao", 3, 3)}
    assert all(v.lots for v in (first, second))
    assert history.comparison.trend == "converging"
    assert history.comparison.total_after < history.comparison.total_before
    ahead = patient.appointments.filter(start__gt=timezone.now())
    assert ahead.count() == 1 and ahead.get().service.is_toxin_treatment
    assert ahead.get().start - second.appointment.start > timedelta(days=90)  # past the re-treatment interval
    # The injector sees it at once.
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="injector"))
    html = client.get(reverse("charting:history", args=[patient.pk])).content.decode()
    assert "Last two assessments side by side" in html and "converging" in html
    call_command("demo_seed")
    assert counts == (Appointment.objects.count(), TreatmentRecord.objects.count(), InjectionSite.objects.count(),
                      Assessment.objects.count())  # fmt: skip


def test_the_demo_patient_has_a_photo_set_at_both_visits_and_the_comparison_is_filled(settings, client,
                                                                                     photo_store):  # fmt: skip
    from charting.models import Photo
    from charting.selectors import photo_comparison
    from tests.charting.photo_helpers import stored_files

    settings.DEBUG = True
    call_command("demo_seed")
    call_command("demo_seed")  # idempotent: no second set
    patient = Patient.objects.get(email=EMAIL)
    photos = Photo.objects.filter(appointment__patient=patient)
    assert photos.count() == 12 and all(photo.ready for photo in photos)
    assert len(stored_files(photo_store)) == 36  # image, screen copy and thumbnail of each
    comparison = photo_comparison(patient, first=None, second=None, first_phase="", second_phase="",
                                  expression="smile")  # fmt: skip
    assert comparison.earlier.photo and comparison.later.photo
    assert comparison.trend == "converging"
    assert [r.area.slug for r in comparison.earlier.areas] == ["dao", "masseter"]
