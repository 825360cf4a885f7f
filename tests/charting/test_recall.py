"""Lot recall: a Manager finds every patient whose signed record used a lot, with contact details,
as a page and a CSV; injectors and front desk get 403; bad input is a field error, never a 500."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from intake.models import AccessLog
from tests.charting.chart_world import MONTH, charted_visit
from tests.factories import LocationFactory, PatientFactory, ProviderFactory
from treatments.models import Product

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)  # one provider: visits of different patients never overlap (PostgreSQL refuses it)
URL = reverse("charting:recall")


@pytest.fixture
def treated():
    """Two patients treated with lot C7001C3 (one twice, at the Scottsdale site), one with another lot,
    one with the same lot number of another product, and a draft record that used the lot."""
    provider = ProviderFactory()
    sarasota = LocationFactory(slug="sarasota", name="Sarasota", timezone="America/New_York")
    scottsdale = LocationFactory(slug="scottsdale", name="Scottsdale", timezone="America/Phoenix")
    ana = PatientFactory(first_name="Ana", last_name="Ruiz", email="ana@example.com", phone="+19415550111")
    ben = PatientFactory(first_name="Ben", last_name="Okafor", email="ben@example.com", phone="+14805550122")
    cal = PatientFactory(first_name="Cal", last_name="Other")
    dee = PatientFactory(first_name="Dee", last_name="Dysport")
    eve = PatientFactory(first_name="Eve", last_name="Draft")
    visit = {"provider": provider, "location": sarasota}
    charted_visit(patient=ana, start=NOW - 4 * MONTH, lot_number="C7001C3",
                  units={("masseter", "left"): 30, ("masseter", "right"): 22}, **visit)  # fmt: skip
    charted_visit(patient=ana, start=NOW - MONTH, lot_number="c7001c3", units={("dao", "left"): 4}, **visit)
    charted_visit(patient=ben, provider=provider, location=scottsdale, start=datetime(2026, 8, 3, 17, tzinfo=UTC),
                  lot_number="C7001C3", units={("glabella", "centre"): 20})  # fmt: skip
    charted_visit(patient=cal, start=NOW - MONTH + HOUR, lot_number="OTHER1", units={("dao", "left"): 4}, **visit)
    charted_visit(patient=dee, start=NOW - MONTH + 2 * HOUR, lot_number="C7001C3", units={("dao", "left"): 10},
                  product=Product.objects.get(slug="dysport"), **visit)  # fmt: skip
    # A draft with the lot: drafts are records too, but only signed ones count.
    charted_visit(patient=eve, start=NOW - MONTH + 3 * HOUR, lot_number="C7001C3", units={("dao", "left"): 4},
                  status="draft", signed_by=None, signed_at=None, **visit)  # fmt: skip
    return {"ana": ana, "ben": ben}


def search(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


@time_machine.travel(NOW, tick=False)
def test_a_manager_finds_every_signed_visit_with_the_lot_and_how_to_reach_the_patient(client, manager_user, treated):
    response = search(client, manager_user, lot=" c7001C3 ", product="botox-cosmetic")
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 patients treated with lot c7001C3 of Botox Cosmetic" in html
    for needle in ("Ana Ruiz", "ana@example.com", "+19415550111", "Ben Okafor", "ben@example.com", "+14805550122",
                   "Aug 3, 2026 10:00 AM MST", "Scottsdale", "Jawline and masseters: 30 L / 22 R"):  # fmt: skip
        assert needle in html
    assert html.count("Ana Ruiz") == 2  # both of her visits
    for absent in ("Cal Other", "Eve Draft", "Dee Dysport"):
        assert absent not in html
    # Any product: the Dysport lot with the same number is listed too.
    assert "Dee Dysport" in search(client, manager_user, lot="C7001C3").content.decode()
    # One access-log entry per patient listed, per search.
    logged = list(AccessLog.objects.filter(what="lot recall").values_list("patient__first_name", flat=True))
    assert sorted(logged[:2]) == ["Ana", "Ben"] and sorted(logged[2:]) == ["Ana", "Ben", "Dee"]


@time_machine.travel(NOW, tick=False)
def test_the_csv_lists_the_same_rows(client, manager_user, treated):
    response = search(client, manager_user, lot="C7001C3", product="botox-cosmetic", format="csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="recall-C7001C3.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["patient", "email", "phone"]
    assert sorted(r[0] for r in rows[1:]) == ["Ana Ruiz", "Ana Ruiz", "Ben Okafor"]
    ben = next(r for r in rows if r[0] == "Ben Okafor")
    # csv_response keeps a leading + from being read as a formula.
    assert ben[1:3] == ["ben@example.com", "'+14805550122"] and ben[4] == "2026-08-03 10:00 MST"
    assert ben[5:8] == ["Scottsdale", "Botox Cosmetic", "C7001C3"] and ben[9] == "Frown lines 20"
    assert AccessLog.objects.filter(what="lot recall").count() == 2


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"lot": ""}, "Enter the lot number"),
        ({"lot": "     "}, "Enter the lot number"),
        ({"lot": "X" * 10_000}, "A lot number is at most 40 characters."),
        ({"lot": "C7001C3", "product": "no-such"}, "Choose a product from the list."),
        ({"product": "botox-cosmetic"}, "Enter the lot number"),
    ],
)
def test_bad_input_is_a_field_error(client, manager_user, treated, params, message):
    response = search(client, manager_user, **params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Ana Ruiz" not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_the_empty_form_and_an_unknown_lot(client, manager_user, treated):
    assert search(client, manager_user).status_code == 200
    # A lot number that would break the download's header or name is cleaned out of the file name.
    response = search(client, manager_user, lot='"=1\r\nX-Evil: 1', format="csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="recall-__1__X-Evil__1.csv"'
    response = search(client, manager_user, lot="NOPE")
    assert "0 patients treated with lot NOPE" in response.content.decode()
    assert "No signed treatment record used this lot." in response.content.decode()


@pytest.mark.parametrize("who", ["injector_user", "front_desk_user"])
def test_injectors_and_front_desk_get_403(client, treated, who, request):
    user = request.getfixturevalue(who)
    for params in ({}, {"lot": "C7001C3"}, {"lot": "C7001C3", "format": "csv"}):
        response = search(client, user, **params)
        assert response.status_code == 403 and "Ana Ruiz" not in response.content.decode()
    assert not AccessLog.objects.exists()
