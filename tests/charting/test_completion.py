"""Completing a visit follows the chart: a toxin treatment needs a signed record or "not treated";
no visit completes while its record is a draft."""

from datetime import timedelta

import pytest

from bookings.services import BookingError, appointment_complete
from charting.services import record_not_treated, record_start
from tests.charting.conftest import VISIT_START
from tests.charting.helpers import chart_and_sign
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db
NOW = VISIT_START + timedelta(minutes=40)


def test_a_toxin_treatment_without_a_record_is_not_completed(visit, front_desk_user):
    with pytest.raises(BookingError, match="signed the treatment record, or marked the visit not treated"):
        appointment_complete(appointment=visit, actor=front_desk_user, now=NOW)
    visit.refresh_from_db()
    assert visit.status == "checked_in"


def test_a_draft_record_blocks_completion_until_signed(visit, injector_user, front_desk_user):
    record_start(appointment=visit, actor=injector_user, now=NOW)
    with pytest.raises(BookingError, match="still a draft"):
        appointment_complete(appointment=visit, actor=front_desk_user, now=NOW)
    chart_and_sign(visit, injector_user, now=NOW)
    assert appointment_complete(appointment=visit, actor=front_desk_user, now=NOW).status == "completed"


def test_not_treated_lets_a_toxin_treatment_complete(visit, injector_user, front_desk_user):
    record_not_treated(appointment=visit, reason="Cold sore at the site", actor=injector_user, now=NOW)
    assert appointment_complete(appointment=visit, actor=front_desk_user, now=NOW).status == "completed"


def test_a_review_with_a_draft_record_waits_and_one_without_a_record_completes(make_visit, injector_user,
                                                                                front_desk_user):  # fmt: skip
    review = ServiceFactory(slug="review", name="Two-week review", kind="review", is_toxin_treatment=False)
    plain = make_visit(service=review)
    assert appointment_complete(appointment=plain, actor=front_desk_user, now=NOW).status == "completed"
    topped_up = make_visit(VISIT_START + timedelta(days=14), service=review)
    record_start(appointment=topped_up, actor=injector_user, now=NOW)
    with pytest.raises(BookingError, match="still a draft"):
        appointment_complete(appointment=topped_up, actor=front_desk_user, now=topped_up.end)
