from datetime import date, timedelta

import pytest

from reports.selectors import report_build
from tests.factories import PatientFactory
from tests.reports.conftest import NOW, local

pytestmark = pytest.mark.django_db

JANUARY = (date(2026, 1, 1), date(2026, 1, 31))


def rows(report, figure: str) -> dict:
    """A figure's rows by provider name ("all" for the total)."""
    return {(row.provider.user.first_name if row.provider else "all"): row.figures
            for row in getattr(report, figure)}  # fmt: skip


def test_no_shows_and_late_cancellations_counted_by_hand(clinic, book):
    """Imani, in January: 3 kept, 1 no-show, 1 cancelled 2 hours before (late: the window is 24 h),
    1 cancelled 3 days before and 1 cancelled at an unknown time (neither was due), and 1 still to come in
    the period (not counted: it has no outcome yet). 7 started, 5 due: 20% no-shows, 20% late."""
    imani = clinic.first
    days = [date(2026, 1, d) for d in range(5, 13)]
    for day in days[:3]:
        book(imani, local(day, 10))
    book(imani, local(days[3], 10), status="no_show")
    book(imani, local(days[4], 10), status="cancelled", cancelled=local(days[4], 8))
    book(imani, local(days[5], 10), status="cancelled", cancelled=local(days[5], 10) - timedelta(days=3))
    book(imani, local(days[6], 10), status="cancelled", cancelled=None)
    later = book(imani, local(days[7], 10), status="booked")

    figures = rows(report_build(first=JANUARY[0], last=JANUARY[1], now=later.start - timedelta(hours=1)),
                   "attendance")["Imani"]  # fmt: skip

    assert (figures.appointments, figures.early_cancels, figures.due) == (7, 2, 5)
    assert (figures.no_shows, figures.late_cancels) == (1, 1)
    assert figures.no_show_rate == figures.late_cancel_rate == pytest.approx(0.2)


@pytest.fixture
def january(clinic, book):
    """Treatment visits in January, and what each patient did next (now is September 1):

    | patient | provider | visit  | next                                                | rebooked | came back |
    | Ada     | Imani    | Jan 10 | treatment booked at the visit, held Apr 20 (+100 d)  | yes      | yes       |
    | Bea     | Imani    | Jan 12 | review Jan 26 (booked at the visit; not a rebooking),| no       | no        |
    |         |          |        | consultation Feb 1 (+20 d, too soon; booked Jan 31), |          |           |
    |         |          |        | treatment booked Feb 10 (29 d after) for Aug 1       |          |           |
    |         |          |        | (+201 d)                                             |          |           |
    | Cleo    | Daniel   | Jan 15 | booked at the visit, then cancelled; consultation   | no       | yes       |
    |         |          |        | exactly 30 days later                                |          |           |
    | Dana    | Daniel   | Jan 18 | booked before the visit (Jan 2) for Mar 30: held     | yes      | yes       |
    | Eve     | Daniel   | Jan 20 | a no-show treatment: not a visit                     |          |           |
    | Fay     | Daniel   | Jan 21 | a treatment recorded "not treated": not a visit      |          |           |
    | Gus     | Daniel   | Jan 22 | a consultation: not a treatment                      |          |           |
    | Hal     | Imani    | Jan 23 | booked 10 days after for Mar 5, then missed it       | yes      | no        |

    Imani: rebooked 2 of 3 (Ada, Hal), came back 1 of 3 (Ada). Daniel: rebooked 1 of 2 (Dana), came back
    2 of 2 (Cleo, Dana). Together 3 of 5 and 3 of 5."""
    imani, daniel = clinic.first, clinic.second
    p = {name: PatientFactory(first_name=name) for name in ("Ada", "Bea", "Cleo", "Dana", "Eve", "Fay", "Gus", "Hal")}

    def day(month: int, d: int, hour: int = 10):
        return local(date(2026, month, d), hour)

    ada = book(imani, day(1, 10), patient=p["Ada"])
    book(imani, day(4, 20), patient=p["Ada"], created=ada.end + timedelta(minutes=5))

    bea = book(imani, day(1, 12), patient=p["Bea"])
    book(imani, day(1, 26), service="review", patient=p["Bea"], created=bea.end)
    book(imani, day(2, 1), service="consult", patient=p["Bea"], created=day(1, 31))
    book(imani, day(8, 1), patient=p["Bea"], created=bea.end + timedelta(days=29))

    cleo = book(daniel, day(1, 15), patient=p["Cleo"])
    book(daniel, day(4, 15), patient=p["Cleo"], status="cancelled", created=cleo.end, cancelled=day(3, 1))
    book(daniel, cleo.start + timedelta(days=30), service="consult", patient=p["Cleo"])

    book(daniel, day(1, 18), patient=p["Dana"])
    book(daniel, day(3, 30), patient=p["Dana"], created=day(1, 2))

    book(daniel, day(1, 20), patient=p["Eve"], status="no_show")
    book(daniel, day(1, 21), patient=p["Fay"], chart_state="not_treated")
    book(daniel, day(1, 22), service="consult", patient=p["Gus"])

    hal = book(imani, day(1, 23), patient=p["Hal"])
    book(imani, day(3, 5), patient=p["Hal"], status="no_show", created=hal.end + timedelta(days=10))


def test_rebooking_counted_by_hand(clinic, january):
    figures = rows(report_build(first=JANUARY[0], last=JANUARY[1], now=NOW), "rebooking")

    assert (figures["Imani"].visits, figures["Imani"].rebooked) == (3, 2)
    assert (figures["Daniel"].visits, figures["Daniel"].rebooked) == (2, 1)
    assert (figures["all"].visits, figures["all"].rebooked, figures["all"].open) == (5, 3, 0)
    assert figures["all"].rate == pytest.approx(0.6)


def test_retention_counted_by_hand(clinic, january):
    figures = rows(report_build(first=JANUARY[0], last=JANUARY[1], now=NOW), "retention")

    assert (figures["Imani"].visits, figures["Imani"].returned) == (3, 1)
    assert (figures["Daniel"].visits, figures["Daniel"].returned) == (2, 2)
    assert (figures["all"].visits, figures["all"].returned, figures["all"].open) == (5, 3, 0)


def test_a_visit_still_inside_its_window_is_counted_apart(clinic, book):
    """Seen 5 days before now and already booked again: its 14 days are not over, so it is open (rebooked so
    far), not a success or a failure; its 180 days neither. A visit 20 days before now: 14 days over, not
    rebooked (a failure); 180 days open."""
    imani = clinic.first
    recent = book(imani, NOW - timedelta(days=5))
    book(imani, NOW + timedelta(days=100), patient=recent.patient, status="booked", created=recent.end)
    book(imani, NOW - timedelta(days=20))

    report = report_build(first=date(2026, 8, 1), last=date(2026, 8, 31), now=NOW)

    rebooking, retention = rows(report, "rebooking")["Imani"], rows(report, "retention")["Imani"]
    assert (rebooking.visits, rebooking.rebooked, rebooking.open, rebooking.open_rebooked) == (1, 0, 1, 1)
    assert rebooking.rate == 0
    assert (retention.visits, retention.open, retention.rate) == (0, 2, None)
