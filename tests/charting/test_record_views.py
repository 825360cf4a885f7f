"""The chart page as the injector uses it: forms posted as a browser posts them, errors on their
fields, the access log on every read, front desk kept out, and a constant number of queries."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookings.models import ChartState
from charting.models import InjectionSite, RecordStatus, TreatmentRecord
from intake.models import AccessLog
from tests.charting.conftest import VISIT_START
from tests.charting.helpers import chart_and_sign, content
from tests.factories import TreatmentRecordFactory
from tests.html_forms import browser_post_data
from treatments.models import Product, TreatmentArea

pytestmark = pytest.mark.django_db
NOW = VISIT_START + timedelta(minutes=10)


def chart_url(appointment, name="chart"):
    return reverse(f"charting:{name}", args=[appointment.reference])


def fill(data, **values):
    for key, value in values.items():
        data[key.replace("__", "-")] = [str(value)]
    return data


def area(slug):
    return TreatmentArea.objects.get(slug=slug).pk


@pytest.fixture
def injector(client, injector_user):
    with time_machine.travel(NOW, tick=False):
        client.force_login(injector_user)
        yield client


def test_the_injector_starts_charts_and_signs_through_the_page(injector, visit):
    page = injector.get(chart_url(visit)).content.decode()
    assert "Ready for treatment" in page and "Mara Lindqvist" in page and "10:00–10:45 AM EST" in page
    response = injector.post(chart_url(visit, "chart-start"), browser_post_data(page, button="Start record"))
    assert response.status_code == 302
    page = injector.get(chart_url(visit)).content.decode()
    botox = Product.objects.get(slug="botox-cosmetic").pk
    data = fill(browser_post_data(page, button="Save draft"), lots__0__product=botox, lots__0__lot_number="C77C3",
                lots__0__expiry="2027-05-31", lots__0__dilution_ml="2.5",
                sites__0__area=area("masseter"), sites__0__side="left", sites__0__units="50", sites__0__points=3,
                sites__1__area=area("masseter"), sites__1__side="right", sites__1__units="24", sites__1__points=3,
                sites__2__area=area("dao"), sites__2__side="left", sites__2__units="4",
                sites__3__area=area("dao"), sites__3__side="right", sites__3__units="3")  # fmt: skip
    assert injector.post(chart_url(visit), data).status_code == 302
    page = injector.get(chart_url(visit)).content.decode()
    assert "left: 50 Botox Cosmetic units is above the usual 20–45" in page
    assert 'id="units-masseter-left" x="296" y="310" text-anchor="middle">50</text>' in page  # on the map
    # Sign without a reason: refused on the reason's field, nothing signed.
    refused = injector.post(chart_url(visit), browser_post_data(page, button="Sign record"))
    assert refused.status_code == 400 and "is-invalid" in refused.content.decode()
    assert TreatmentRecord.objects.get().status == RecordStatus.DRAFT
    code = next(key for key in browser_post_data(page, button="Sign record") if key.startswith("reason-"))
    data = fill(browser_post_data(page, button="Sign record"), **{code: "Marked bruxism on the left"})
    assert injector.post(chart_url(visit), data).status_code == 302
    page = injector.get(chart_url(visit)).content.decode()
    assert "Signed" in page and "Marked bruxism on the left" in page and "Add addendum" in page
    visit.refresh_from_db()
    assert visit.chart_state == ChartState.SIGNED and visit.toxin_given
    added = injector.post(chart_url(visit, "chart-addendum"), {"text": "Called: all well"}, follow=True)
    assert "Called: all well" in added.content.decode()


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"sites__0__units": "-5"}, "sites-0-units", "Units must be more than 0."),
        ({"sites__0__units": "2.3"}, "sites-0-units", "steps of 0.5"),
        ({"sites__0__units": "10000"}, "sites-0-units", "10000 units in one row is not a dose"),
        ({"sites__0__area": "999999"}, "sites-0-area", "Select a valid choice"),
        ({"sites__0__area": "glabella-id", "sites__0__side": "left"}, "sites-0-side", "centre"),
        ({"lots__0__expiry": "2026-11-30"}, "lots-0-expiry", "expired on Nov 30, 2026"),
        ({"lots__0__lot_number": "    "}, "lots-0-lot_number", "Enter the lot number"),
        ({"sites__0__units": "abc"}, "sites-0-units", "Enter a number."),
    ],
)
def test_bad_input_is_a_field_error_and_saves_nothing(injector, visit, injector_user, row, field, message):
    chart_and_sign_draft = TreatmentRecordFactory(appointment=visit, started_by=injector_user, started_at=NOW)
    page = injector.get(chart_url(visit)).content.decode()
    botox = Product.objects.get(slug="botox-cosmetic").pk
    values = {"lots__0__product": botox, "lots__0__lot_number": "C77C3", "lots__0__expiry": "2027-05-31",
              "lots__0__dilution_ml": "2.5", "sites__0__area": area("masseter"), "sites__0__side": "left",
              "sites__0__units": "25", "sites__1__area": area("masseter"), "sites__1__side": "right",
              "sites__1__units": "25", **row}  # fmt: skip
    if values["sites__0__area"] == "glabella-id":
        values["sites__0__area"] = area("glabella")
    response = injector.post(chart_url(visit), fill(browser_post_data(page, button="Save draft"), **values))
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}-error">' in html and message in html.replace("&#x27;", "'")
    assert not InjectionSite.objects.filter(record=chart_and_sign_draft).exists()


def test_not_treated_needs_a_reason_on_the_page(injector, visit):
    response = injector.post(chart_url(visit, "chart-not-treated"), {"reason": "  "})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    assert injector.post(chart_url(visit, "chart-not-treated"), {"reason": "Active cold sore"}).status_code == 302
    visit.refresh_from_db()
    assert visit.chart_state == ChartState.NOT_TREATED
    assert "Active cold sore" in injector.get(chart_url(visit)).content.decode()


def test_the_gate_shows_why_a_record_cannot_start(injector, make_visit):
    appointment = make_visit(intake_status="flagged")
    page = injector.get(chart_url(appointment)).content.decode()
    assert "Not ready for treatment" in page and "Screening needs the injector&#x27;s decision" in page
    response = injector.post(chart_url(appointment, "chart-start"))
    assert response.status_code == 409 and not TreatmentRecord.objects.exists()


def test_every_read_of_the_chart_is_logged(injector, visit, injector_user):
    injector.get(chart_url(visit))
    record = chart_and_sign(visit, injector_user, now=NOW)
    injector.get(chart_url(visit))
    entries = list(AccessLog.objects.filter(what="chart").order_by("pk"))
    assert [(e.actor, e.patient, e.object_id) for e in entries] == [
        (injector_user, visit.patient, str(visit.pk)),
        (injector_user, visit.patient, str(record.pk)),
    ]


def test_front_desk_gets_403_on_every_charting_url(client, front_desk_user, visit, injector_user):
    chart_and_sign(visit, injector_user, now=NOW)
    with time_machine.travel(NOW, tick=False):
        client.force_login(front_desk_user)
        for name in ("chart", "chart-start", "chart-not-treated", "chart-addendum"):
            assert client.post(chart_url(visit, name), {"text": "x", "reason": "x"}).status_code == 403, name
        assert client.get(chart_url(visit)).status_code == 403
    assert not AccessLog.objects.filter(what="chart").exists()


def test_the_appointment_page_links_the_chart_for_clinical_staff_only(client, visit, injector_user, front_desk_user):
    with time_machine.travel(NOW, tick=False):
        client.force_login(injector_user)
        assert (
            chart_url(visit)
            in client.get(reverse("bookings:staff-appointment", args=[visit.reference])).content.decode()
        )
        client.force_login(front_desk_user)
        assert (
            chart_url(visit)
            not in client.get(reverse("bookings:staff-appointment", args=[visit.reference])).content.decode()
        )


def queries_of_the_chart(client, appointment) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(chart_url(appointment))
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("signed", [False, True])
def test_the_chart_costs_the_same_queries_with_1_or_20_earlier_visits(injector, make_visit, injector_user, signed):
    def earlier_visits(count, offset):
        for i in range(count):
            appointment = make_visit(VISIT_START - timedelta(days=offset + 100 * (i + 1)))
            chart_and_sign(appointment, injector_user, now=appointment.start,
                           record_content=content(("masseter", "left", "25"), ("masseter", "right", "25"),
                                                  ("dao", "left", "4"), ("dao", "right", "4")))  # fmt: skip

    earlier_visits(1, 0)
    today = make_visit()
    if signed:
        chart_and_sign(today, injector_user, now=NOW)
    else:
        from charting.services import record_save, record_start

        record = record_start(appointment=today, actor=injector_user, now=NOW)
        record_save(record=record, content=content(("masseter", "left", "50"), ("masseter", "right", "24")),
                    actor=injector_user, now=NOW)  # fmt: skip
    one = queries_of_the_chart(injector, today)
    earlier_visits(19, 5000)
    twenty = queries_of_the_chart(injector, today)
    print(
        f"\nchart page queries ({'signed' if signed else 'draft'}): 1 earlier visit {one}, 20 earlier visits {twenty}"
    )
    assert one == twenty


def test_the_chart_shows_the_locations_times_whatever_the_servers_zone(settings, injector, visit, injector_user):
    """A Sarasota visit read on a server set to Phoenix: 10:00 EST, never Phoenix's 8:00 AM."""
    settings.TIME_ZONE = "America/Phoenix"
    chart_and_sign(visit, injector_user, now=NOW)
    page = injector.get(chart_url(visit)).content.decode()
    assert "10:00–10:45 AM EST" in page
    assert "8:00" not in page and "MST" not in page
    assert "10:10 AM EST" in page  # signed at NOW, in the location's zone
