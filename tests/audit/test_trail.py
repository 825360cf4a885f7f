"""The Manager's audit trail: changes and reads, filtered by patient and dates, exported as CSV
that a spreadsheet cannot run."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.services import patient_treatment_hold_set
from intake.models import AccessLog
from medspa.exports import csv_safe
from tests.factories import AccessLogFactory

pytestmark = pytest.mark.django_db

MANAGER_URLS = ("audit:trail", "audit:changes-csv", "audit:reads-csv")


def rows(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_cells_a_spreadsheet_would_run_are_neutralised(cell):
    assert csv_safe(cell) == "'" + cell


def test_ordinary_cells_are_left_alone():
    assert [csv_safe(v) for v in ("Ada", "", None, 42, "a=b")] == ["Ada", "", None, 42, "a=b"]


def test_front_desk_and_injectors_get_403_on_every_audit_page(client, front_desk_user, injector_user, book):
    patient = book().patient
    urls = [reverse(name) for name in MANAGER_URLS] + [
        reverse(name, args=[patient.pk]) for name in ("audit:patient-record", "audit:patient-record-json",
                                                      "audit:patient-erase")]  # fmt: skip
    for user in (front_desk_user, injector_user):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user, url)
        assert client.post(reverse("audit:patient-erase", args=[patient.pk]), {"confirm": "on"}).status_code == 403
    client.logout()
    assert client.get(urls[0])["Location"].startswith(reverse("login"))
    assert not AccessLog.objects.exists()


def test_the_change_export_neutralises_a_formula_typed_as_a_name(client, manager_user, book):
    book(first='=HYPERLINK("http://evil.example","Click")')
    client.force_login(manager_user)
    response = client.get(reverse("audit:changes-csv"))
    assert response["Cache-Control"].count("no-store") == 1
    first_names = [r["after"] for r in rows(response) if r["field"] == "first_name"]
    assert first_names == ['\'=HYPERLINK("http://evil.example","Click")']


def test_the_read_export_neutralises_and_lists_who_read_what(client, manager_user, injector_user, book):
    patient = book(first="@Ada").patient
    AccessLogFactory(actor=injector_user, patient=patient, what="medical history", object_id="7", at=timezone.now(),
                     ip_address="198.51.100.7", path="/staff/review/X/")  # fmt: skip
    client.force_login(manager_user)
    (row,) = rows(client.get(reverse("audit:reads-csv")))
    assert (row["staff"], row["patient"], row["what"], row["ip"]) == ("injector", "'@Ada Park", "medical history",
                                                                      "198.51.100.7")  # fmt: skip


def test_the_trail_filters_by_patient_and_dates(client, manager_user, book):
    early = book(email="early@example.com", first="Early")
    ten_days_ago = timezone.now() - timedelta(days=10)
    early.audit_history.update(history_date=ten_days_ago)
    early.patient.audit_history.update(history_date=ten_days_ago)
    ada = book(email="ada@example.com", first="Ada", hour=11)
    client.force_login(manager_user)
    url = reverse("audit:changes-csv")
    by_patient = rows(client.get(url, {"patient": ada.patient.pk}))
    assert by_patient and {r["patient id"] for r in by_patient} == {str(ada.patient.pk)}
    today = timezone.localdate()
    recent = rows(client.get(url, {"since": today - timedelta(days=1), "until": today}))
    assert str(ada.patient.pk) in {r["patient id"] for r in recent}
    assert str(early.patient.pk) not in {r["patient id"] for r in recent}
    old = rows(client.get(url, {"until": today - timedelta(days=5)}))
    assert {r["patient id"] for r in old} == {str(early.patient.pk)}
    page = client.get(reverse("audit:trail"), {"patient": ada.patient.pk})
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert f"appointment #{ada.pk}" in html and f"appointment #{early.pk}" not in html


def test_bad_filters_are_field_errors_not_500(client, manager_user):
    client.force_login(manager_user)
    response = client.get(reverse("audit:trail"), {"patient": "999999", "since": "2026-02-30", "until": "x"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "No patient has this number." in html and "Enter a valid date." in html
    swapped = client.get(reverse("audit:trail"), {"since": "2026-03-02", "until": "2026-03-01"})
    assert swapped.status_code == 400 and "on or after the first" in swapped.content.decode()
    assert client.get(reverse("audit:changes-csv"), {"patient": "abc"}).status_code == 400


def test_showing_a_holds_reason_in_the_trail_is_a_logged_read(client, manager_user, book):
    patient = book().patient
    patient_treatment_hold_set(patient=patient, hold=True, reason="Screening: pregnancy")
    client.force_login(manager_user)
    html = client.get(reverse("audit:trail")).content.decode()
    assert "Screening: pregnancy" in html
    entry = AccessLog.objects.get()
    assert (entry.actor, entry.patient, entry.what) == (manager_user, patient, "change history")


def test_the_nav_shows_the_audit_page_to_managers_only(client, manager_user, front_desk_user):
    client.force_login(manager_user)
    assert reverse("audit:trail") in client.get(reverse("bookings:staff-day")).content.decode()
    client.force_login(front_desk_user)
    assert reverse("audit:trail") not in client.get(reverse("bookings:staff-day")).content.decode()
