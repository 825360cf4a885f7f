"""The messages after a visit follow its signed chart: the rebook by the product given, never an
invitation to book before the products' minimum re-treatment interval (on the location's
calendar), a lip flip's rebook beside the other areas', and aftercare for a review with units."""

import re
from datetime import date, datetime, timedelta

import pytest
from django.utils import dateformat

from bookings.models import ChartState
from bookings.services import appointment_chart_state_set
from reminders.models import MessageState
from tests.factories import PatientFactory
from treatments.models import Product

from .chart import NEW_YORK, REVIEW, Given, aftercare, chart, complete, local_day, visit, words

pytestmark = pytest.mark.django_db

# Wednesday 3 March 2027, 10:00–10:30 in New York.
MORNING = datetime(2027, 3, 3, 10, tzinfo=NEW_YORK)


def masseters(product: str, units: str = "25") -> tuple[Given, Given]:
    return Given(product, "masseter", "left", units), Given(product, "masseter", "right", "20")


def booking_day(text: str) -> date:
    """The day the booking link offers (`date=` of the book link)."""
    return date.fromisoformat(re.search(r"/book/\?service=neuromodulator-treatment&date=(\d{4}-\d{2}-\d{2})", text)[1])


def long_day(day: date) -> str:
    return dateformat.format(day, "l, F j")


def offers_booking_from(text: str, day: date, *, sent_on: date) -> bool:
    """The words offer booking from `day`: by naming it while it is ahead, or as "now" once it has
    come (a rebook sent on day 98 does not name a day that has passed); the link always carries it."""
    said = f"from {long_day(day)}" in text if sent_on < day else "book your next treatment now" in text
    return said and booking_day(text) == day


@pytest.mark.parametrize(
    ("product", "brand", "lasts", "after_days"),
    [
        ("botox-cosmetic", "Botox", "3–4 months", 98),
        ("dysport", "Dysport", "about 4 months", 120),
        ("daxxify", "Daxxify", "about six months", 182),
    ],
)
def test_the_rebook_is_timed_and_worded_by_the_product_given(product, brand, lasts, after_days):
    appointment = visit(MORNING)
    chart(appointment, *masseters(product))
    planned = complete(appointment)
    rebooks = sorted(step for step in planned if step.startswith("rebook"))
    assert rebooks == ["rebook"]  # one rebook, the product's, not the general one as well
    rebook = planned["rebook"]
    assert rebook.due_at == datetime.combine(date(2027, 3, 3) + timedelta(days=after_days), MORNING.time(),
                                             tzinfo=NEW_YORK) + timedelta(minutes=30)  # fmt: skip
    email = words(rebook)
    assert brand in email and lasts in email
    day_90 = date(2027, 3, 3) + timedelta(days=90)  # Tuesday 1 June 2027
    sent_on = local_day(rebook.due_at)
    assert offers_booking_from(email, day_90, sent_on=sent_on) and "from Tuesday, June 1" not in email
    sms = words(rebook, "sms")
    assert "book now" in sms and booking_day(sms) == day_90
    assert brand not in sms and "masseter" not in sms.lower()  # a text names no treatment


def test_a_botox_and_dysport_visit_rebooks_when_the_first_wears_off_and_names_neither_units():
    appointment = visit(MORNING)
    chart(appointment, Given("botox-cosmetic", "glabella", units="20"), *masseters("dysport", "60"))
    planned = complete(appointment)
    assert sorted(s for s in planned if s.startswith("rebook")) == ["rebook"]
    assert local_day(planned["rebook"].due_at) == date(2027, 3, 3) + timedelta(days=98)
    email = words(planned["rebook"])
    assert "Botox usually lasts 3–4 months" in email and " U " not in email and "units" not in email


def test_the_earliest_day_is_the_products_longest_minimum_interval():
    Product.objects.filter(slug="dysport").update(min_retreatment_days=100)
    appointment = visit(MORNING)
    chart(appointment, Given("botox-cosmetic", "glabella", units="20"), *masseters("dysport", "60"))
    rebook = complete(appointment)["rebook"]
    email = words(rebook)
    day_100 = date(2027, 3, 3) + timedelta(days=100)
    assert offers_booking_from(email, day_100, sent_on=local_day(rebook.due_at))
    assert "at least 100 days" in email


@pytest.mark.parametrize(
    ("ends", "label"),
    [
        # Ends 00:30 EDT on 10 August: 90 × 24 hours later is 23:30 EST on 7 November, day 89.
        (datetime(2026, 8, 10, 0, tzinfo=NEW_YORK), "autumn"),
        # Ends 23:45 EST on 15 December: 90 × 24 hours later is 00:45 EDT on 16 March, day 91.
        (datetime(2026, 12, 15, 23, 15, tzinfo=NEW_YORK), "spring"),
    ],
)
def test_the_earliest_day_counts_90_days_on_the_location_calendar_across_a_clock_change(ends, label):
    appointment = visit(ends)
    chart(appointment, *masseters("botox-cosmetic"))
    rebook = complete(appointment)["rebook"]
    email = words(rebook)
    visit_day = local_day(appointment.end)
    offered = booking_day(email)
    assert (offered - visit_day).days == 90, label  # never day 89, and not a day later than needed
    assert offers_booking_from(email, offered, sent_on=local_day(rebook.due_at))


def test_a_lip_flip_alone_gets_its_8_week_message_which_still_offers_day_90_at_the_earliest():
    appointment = visit(MORNING)
    chart(appointment, Given("botox-cosmetic", "lip-flip", units="4"))
    planned = complete(appointment)
    assert sorted(s for s in planned if s.startswith("rebook")) == ["rebook"]
    rebook = planned["rebook"]
    assert local_day(rebook.due_at) == date(2027, 3, 3) + timedelta(weeks=8)
    email = words(rebook)
    day_90 = date(2027, 3, 3) + timedelta(days=90)
    assert "lip flip is probably wearing off" in email
    assert f"from {long_day(day_90)}" in email and booking_day(email) == day_90
    assert booking_day(words(rebook, "sms")) == day_90


def test_a_lip_flip_with_masseters_gets_both_rebooks():
    appointment = visit(MORNING)
    chart(appointment, Given("dysport", "lip-flip", units="10"), *masseters("dysport", "60"))
    planned = complete(appointment)
    assert sorted(s for s in planned if s.startswith("rebook")) == ["rebook", "rebook-lip-flip"]
    assert local_day(planned["rebook-lip-flip"].due_at) == date(2027, 3, 3) + timedelta(weeks=8)
    assert local_day(planned["rebook"].due_at) == date(2027, 3, 3) + timedelta(days=120)
    lip, rest = words(planned["rebook-lip-flip"]), words(planned["rebook"])
    assert "lip flip" in lip and "Dysport usually lasts about 4 months" in rest
    day_90 = date(2027, 3, 3) + timedelta(days=90)
    assert booking_day(lip) == day_90 and booking_day(rest) == day_90
    assert planned["rebook-lip-flip"].label == "Aftercare · rebook lip flip"


def test_without_a_signed_record_the_booking_decides_as_before():
    """Older visits have no chart: the booked areas' overrides replace the rebook, as they did."""
    appointment = visit(MORNING, booked_areas=["lip-flip", "masseter"])
    planned = complete(appointment)
    assert sorted(s for s in planned if s.startswith("rebook")) == ["rebook"]
    assert local_day(planned["rebook"].due_at) == date(2027, 3, 3) + timedelta(weeks=8)
    assert booking_day(words(planned["rebook"])) == date(2027, 3, 3) + timedelta(days=90)
    assert {"sheet", "upright", "results", "two-week", "six-month"} <= set(planned)


def test_a_review_with_units_gets_the_treatments_aftercare_but_no_second_review_invitation():
    patient = PatientFactory()
    treatment = visit(MORNING, patient=patient)
    chart(treatment, *masseters("botox-cosmetic"))
    first = complete(treatment)
    review = visit(MORNING + timedelta(days=14), service=REVIEW, patient=patient)
    chart(review, Given("botox-cosmetic", "masseter", "left", "5"))
    planned = complete(review)
    assert {"sheet", "upright", "day-1", "day-2", "results", "rebook", "six-month"} == set(planned)
    assert "two-week" not in planned
    assert local_day(planned["rebook"].due_at) == date(2027, 3, 17) + timedelta(days=98)
    assert booking_day(words(planned["rebook"])) == date(2027, 3, 17) + timedelta(days=90)
    # The treatment's own rebook offered day 90 after the treatment: inside 90 days of the top-up.
    for step in ("rebook", "six-month"):
        first[step].refresh_from_db()
        assert first[step].state == MessageState.SKIPPED
    first["results"].refresh_from_db()
    assert first["results"].state == MessageState.PENDING


def test_a_review_without_units_gets_nothing():
    review = visit(MORNING, service=REVIEW)
    assert complete(review) == {}


def test_a_treatment_the_injector_decided_not_to_give_gets_no_aftercare():
    appointment = visit(MORNING)
    appointment_chart_state_set(appointment=appointment, state=ChartState.NOT_TREATED, toxin_given=False)
    appointment.refresh_from_db()
    assert complete(appointment) == {}
    assert aftercare(appointment) == {}
