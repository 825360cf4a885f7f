import csv
import io
import re
from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from medspa.roles import FRONT_DESK, INJECTOR, MANAGER
from tests.factories import PatientFactory
from tests.reports.conftest import NOW, history, hours, injected, local

pytestmark = pytest.mark.django_db

PAGE, EXPORT = "reports:reports", "reports:reports-csv"
MARCH = {"since": "2026-03-01", "until": "2026-03-31"}


def test_only_managers_hold_the_right_to_see_reports():
    holders = {g.name for g in Group.objects.filter(permissions=Permission.objects.get(codename="view_reports"))}
    assert holders == {MANAGER}
    assert {FRONT_DESK, INJECTOR} <= set(Group.objects.values_list("name", flat=True))


@pytest.mark.parametrize("name", [PAGE, EXPORT])
def test_each_role_at_the_door(client, front_desk_user, injector_user, manager_user, name):
    url = reverse(name)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    for user in (front_desk_user, injector_user):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(manager_user)
    assert client.get(url).status_code == 200


def test_the_nav_links_to_reports_for_managers_only(client, front_desk_user, manager_user):
    link = f'href="{reverse(PAGE)}"'
    client.force_login(front_desk_user)
    assert link not in client.get(reverse("bookings:staff-day")).content.decode()
    client.force_login(manager_user)
    assert link in client.get(reverse("bookings:staff-day")).content.decode()


@pytest.fixture
def march(clinic, book):
    """Imani works Mondays 09:00–17:00 at Sarasota (5 Mondays in March: 40 h) and sees four patients."""
    imani = clinic.first
    hours(imani, clinic.sarasota, 0, time(9), time(17))
    for n, d in enumerate((2, 9, 16, 23)):
        visit = book(imani, local(date(2026, 3, d), 10), minutes=60, patient=PatientFactory(), source="online")
        if n < 3:
            history(visit, visit.start.replace(hour=1))
        injected(visit, "botox-cosmetic", [("masseter", "left", "25"), ("masseter", "right", "25")])
    book(imani, local(date(2026, 3, 30), 10), minutes=60, status="no_show")


def test_the_page_shows_each_figure_as_a_chart_and_a_table(client, manager_user, march):
    client.force_login(manager_user)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse(PAGE), MARCH)
    assert response.status_code == 200
    page = response.content.decode()
    headings = ["Utilization", "No-shows and late cancellations", "Rebooking", "Retention"]
    headings += ["New patients and their source", "Online intake before the visit", "Units by product and area"]
    for heading in headings:
        assert f">{heading}</h2>" in page
    assert page.count('role="img"') == 7  # a chart per figure, one per product for units
    assert page.count("<title id=") == 7
    assert re.search(r"Utilization</span><span class=\"value\">12\.5%</span>", page)  # 5 h of 40 h
    assert "40.0" in page and "5.0" in page
    assert re.search(r"Intake before the visit</span><span class=\"value\">75\.0%</span>", page)  # 3 of 4
    assert 'No-shows</span><span class="value">20.0%</span>' in page  # 1 of 5
    assert "Botox Cosmetic" in page and ">200<" in page
    assert 'style="' not in page and "<script>" not in page


def test_the_default_is_the_last_30_days_in_the_clinics_zone(client, manager_user):
    """At 02:00 UTC on March 10 it is still March 9 in New York: March 9 and the 29 days before."""
    client.force_login(manager_user)
    with time_machine.travel(datetime(2026, 3, 10, 2, 0, tzinfo=UTC), tick=False):
        page = client.get(reverse(PAGE)).content.decode()
    assert "Feb 8, 2026 to Mar 9, 2026" in page
    assert 'value="2026-02-08"' in page and 'value="2026-03-09"' in page


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"since": "2026-03-31", "until": "2026-03-01"}, "until", "on or after the first"),
        ({"since": "2023-01-01", "until": "2026-03-01"}, "until", "two years at most"),
        ({"since": "2026-02-30"}, "since", "Enter a valid date"),
        ({"since": "99999-01-01"}, "since", "Enter a valid date"),
        ({"since": "0001-01-01", "until": "0001-01-05"}, "since", "Choose a day between"),
        ({"until": "9999-12-31"}, "until", "Choose a day between"),
        ({"location": "abc"}, "location", "Select a valid choice"),
        ({"location": "99999999999999999999"}, "location", "Select a valid choice"),
        ({"provider": "-1"}, "provider", "Select a valid choice"),
        ({"provider": "1.5"}, "provider", "Select a valid choice"),
    ],
)
def test_bad_input_gets_a_field_error_not_a_server_error(client, manager_user, query, field, message):
    client.force_login(manager_user)
    response = client.get(reverse(PAGE), query)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_{field}-error"' in page and message in page
    assert 'aria-invalid="true"' in page
    export = client.get(reverse(EXPORT), query)
    assert export.status_code == 400 and message in export.content.decode()


def test_one_date_alone_makes_a_30_day_period(client, manager_user):
    client.force_login(manager_user)
    page = client.get(reverse(PAGE), {"since": "2026-03-01"}).content.decode()
    assert "Mar 1, 2026 to Mar 30, 2026" in page
    page = client.get(reverse(PAGE), {"until": "2026-03-30"}).content.decode()
    assert "Mar 1, 2026 to Mar 30, 2026" in page


def read_csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_export_holds_the_same_numbers(client, manager_user, march):
    client.force_login(manager_user)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse(EXPORT), MARCH)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="reports-2026-03-01-to-2026-03-31.csv"'
    rows = read_csv(response)
    assert list(rows[0]) == ["figure", "location", "provider", "item", "measure", "value", "unit"]

    def value(figure, measure, item=""):
        (found,) = [r["value"] for r in rows if r["figure"] == figure and r["measure"] == measure and r["item"] == item
                    and r["provider"] == "Imani Osei, RN"]  # fmt: skip
        return found

    assert value("utilization", "scheduled") == "40.00" and value("utilization", "booked") == "5.00"
    assert value("utilization", "utilization") == "12.5"
    assert value("attendance", "no-shows") == "1" and value("attendance", "no-show rate") == "20.0"
    assert value("intake", "completed before the visit") == "75.0"
    assert value("new patients", "new patients", "Online") == "4"
    assert value("units", "units", "Botox Cosmetic") == "200.0"
    unit = [r["unit"] for r in rows if r["figure"] == "units"]
    assert set(unit) <= {"Botox Cosmetic units", "visits"}


def test_the_export_never_adds_up_two_products(client, manager_user, clinic, book):
    client.force_login(manager_user)
    injected(book(clinic.first, local(date(2026, 3, 2), 10)), "botox-cosmetic", [("masseter", "left", "20")])
    injected(book(clinic.first, local(date(2026, 3, 3), 10)), "dysport", [("masseter", "left", "50")])
    rows = read_csv(client.get(reverse(EXPORT), MARCH))
    units = [r for r in rows if r["figure"] == "units"]
    assert {r["value"] for r in units if r["measure"] == "units"} == {"20.0", "50.0"}
    assert all(r["unit"] in ("Botox Cosmetic units", "Dysport units", "visits") for r in units)


def test_the_export_cannot_carry_a_formula(client, manager_user, clinic, book):
    """A provider or location named like a formula reaches the spreadsheet as text."""
    client.force_login(manager_user)
    clinic.first.user.first_name, clinic.first.user.last_name = '=HYPERLINK("http://x")', "+1"
    clinic.first.user.save()
    clinic.sarasota.name = "@SUM(A1)"
    clinic.sarasota.save()
    book(clinic.first, local(date(2026, 3, 2), 10))
    text = client.get(reverse(EXPORT), MARCH).content.decode()
    rows = read_csv(client.get(reverse(EXPORT), MARCH))
    assert {r["provider"] for r in rows if r["location"].endswith("SUM(A1)")} >= {'\'=HYPERLINK("http://x") +1, RN'}
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values())
    assert "\n=" not in text and ",=" not in text and ",@" not in text
