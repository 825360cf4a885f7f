"""The staff shell's shared helpers (medspa.staff): ids and dates from a request, service errors
onto forms, safe redirects, and banners apps register without the shell importing them."""

from datetime import date

import pytest
from django import forms
from django.http import Http404
from django.test import RequestFactory

from bookings.models import Location
from medspa import staff
from tests.factories import LocationFactory


@pytest.mark.parametrize(
    "value, expected",
    [
        ("7", 7),
        (" 12 ", 12),
        (7, 7),
        ("abc", None),
        ("-1", None),
        ("0", None),
        ("1.5", None),
        ("", None),
        (None, None),
        (True, None),
        ("٣", None),  # an Arabic-Indic digit: str.isdigit() says yes, int() agrees; an id does not
        ("99999999999999999999", None),
        (str(2**63 - 1), 2**63 - 1),
        (str(2**63), None),
    ],
)
def test_parse_id(value, expected):
    assert staff.parse_id(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-03-08", date(2026, 3, 8)),
        ("2026-02-30", date(2026, 1, 1)),
        ("9999-12-31", date(2026, 1, 1)),
        ("0001-01-01", date(2026, 1, 1)),
        ("yesterday", date(2026, 1, 1)),
        (None, date(2026, 1, 1)),
    ],
)
def test_parse_date_falls_back_to_the_default(value, expected):
    assert staff.parse_date(value, date(2026, 1, 1)) == expected


@pytest.mark.django_db
def test_object_or_404():
    location = LocationFactory()
    assert staff.object_or_404(Location.objects.all(), str(location.pk)) == location
    for bad in ("abc", "-3", "99999999999999999999", str(location.pk + 1000), None):
        with pytest.raises(Http404):
            staff.object_or_404(Location.objects.all(), bad)


def test_errors_to_form_puts_unknown_fields_on_top():
    class F(forms.Form):
        name = forms.CharField()

    form = F({"name": "x"})
    assert form.is_valid()
    staff.errors_to_form(form, {"name": ["Taken."], "start": ["Gone."]})
    assert form.errors == {"name": ["Taken."], "__all__": ["Gone."]}


def test_back_only_to_this_site():
    factory = RequestFactory()
    assert staff.back(factory.get("/", {"next": "/staff/week/"}), "/staff/")["Location"] == "/staff/week/"
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        assert staff.back(factory.get("/", {"next": target}), "/staff/")["Location"] == "/staff/"


def test_banners_come_from_registered_sources(monkeypatch):
    monkeypatch.setattr(staff, "_banner_sources", [])
    request = RequestFactory().get("/")
    staff.banner_register(lambda r: None)
    source = staff.banner_register(lambda r: staff.Banner(text="Hello"))
    staff.banner_register(source)  # twice is once
    assert staff.banners(request) == [staff.Banner(text="Hello")]


def test_back_takes_next_only_as_a_path():
    factory = RequestFactory()
    for target in ("abc", "0", "9999-12-31T23:00", "bookings:staff-week", "/\\evil.example/"):
        assert staff.back(factory.get("/", {"next": target}), "/staff/")["Location"] == "/staff/", target


@pytest.mark.parametrize(
    "text, expected",
    [("1", 1), ("0042", 42), (str(2**63 - 1), 2**63 - 1), ("0", None), (str(2**63), None), ("9" * 19, None)],
)
def test_the_id_path_converter(text, expected):
    """`<id:pk>`: a number a database id column holds, else no match (a 404), never a query that overflows."""
    converter = staff.IdConverter()
    if expected is None:
        with pytest.raises(ValueError):
            converter.to_python(text)
    else:
        assert converter.to_python(text) == expected
        assert converter.to_url(expected) == str(expected)


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1899-12-31", "3000-01-01"])
def test_day_and_moment_fields_refuse_days_at_the_edge_of_the_calendar(value):
    class F(forms.Form):
        day = staff.DayField()
        moment = staff.MomentField()

    form = F({"day": value, "moment": f"{value}T23:00"})
    assert not form.is_valid()
    assert form.errors == {
        "day": ["Enter a date between 1900 and 2999."],
        "moment": ["Enter a date between 1900 and 2999."],
    }


def test_day_and_moment_fields_take_an_ordinary_day():
    class F(forms.Form):
        day = staff.DayField()
        moment = staff.MomentField(required=False)

    form = F({"day": "2026-02-28", "moment": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"day": date(2026, 2, 28), "moment": None}
    assert not F({"day": "2026-02-30"}).is_valid()
