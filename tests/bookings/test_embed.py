"""The booking embedded in other websites: who may frame what, the origin list and its cache,
the manager's page for it, and bookings made through it."""

import json

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from bookings.models import Appointment, EmbedOrigin, Source, origin_normalise
from bookings.selectors import embed_origins
from bookings.selectors.embed import CACHE_KEY
from bookings.services import BookingInvalid, embed_origin_add, embed_origin_remove
from bookings.services.embed import MAX_ORIGINS
from bookings.views.embed import accent_colour
from tests.bookings.conftest import at, next_weekday
from tests.bookings.test_api import booking, post

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


# Who may frame what


def test_embed_page_may_be_framed_by_the_listed_origins_only(client):
    EmbedOrigin.objects.create(origin="https://www.seaside.example")
    EmbedOrigin.objects.create(origin="http://localhost:8080")
    response = client.get("/embed/book/")
    assert response.status_code == 200
    assert directives(response)["frame-ancestors"] == ["'self'", "http://localhost:8080", "https://www.seaside.example"]
    assert "X-Frame-Options" not in response
    # The rest of the policy is the site's own: no inline scripts or styles let in.
    assert directives(response)["script-src"] == ["'self'"]


def test_embed_page_with_no_origins_listed_is_framed_by_this_site_only(client):
    response = client.get("/embed/book/")
    assert directives(response)["frame-ancestors"] == ["'self'"]


@pytest.mark.parametrize(
    "path", ["/book/", "/", "/embed/demo/", "/staff/login/", "/book/waitlist/", "/api/v1/locations"]
)
def test_every_other_page_refuses_to_be_framed(client, path):
    EmbedOrigin.objects.create(origin="https://www.seaside.example")
    response = client.get(path)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert directives(response)["frame-ancestors"] == ["'none'"]


def test_staff_page_refuses_to_be_framed(client, manager_user):
    client.force_login(manager_user)
    response = client.get("/staff/embed/")
    assert response["X-Frame-Options"] == "DENY"
    assert directives(response)["frame-ancestors"] == ["'none'"]


def test_embed_page_sets_no_cookie_and_needs_none(client):
    """In a third-party iframe Chromium sends no SameSite=Lax cookie: the embed must not need one.
    The page sets none, and the booking API takes JSON without a CSRF token or session."""
    response = client.get("/embed/book/?service=consult")
    assert not response.cookies
    assert b"csrfmiddlewaretoken" not in response.content


# The origin list


@pytest.mark.parametrize(
    ("typed", "origin"),
    [
        ("https://www.Seaside.example", "https://www.seaside.example"),
        ("  https://www.seaside.example/  ", "https://www.seaside.example"),
        ("https://seaside.example:443", "https://seaside.example"),
        ("https://seaside.example:8443", "https://seaside.example:8443"),
        ("http://localhost:8080", "http://localhost:8080"),
        ("http://127.0.0.1:5500", "http://127.0.0.1:5500"),
        ("http://clinic.localhost", "http://clinic.localhost"),
        ("http://[::1]:3000", "http://[::1]:3000"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
    ],
)
def test_origins_are_written_as_the_browser_writes_them(typed, origin):
    assert origin_normalise(typed) == origin


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Enter the address"),
        ("www.seaside.example", "Start with https://"),
        ("ftp://seaside.example", "Start with https://"),
        ("javascript:alert(1)", "Start with https://"),
        ("http://seaside.example", "Use https://"),
        ("https://*.seaside.example", "No wildcards"),
        ("*", "No wildcards"),
        ("https://seaside.example/book", "no path"),
        ("https://seaside.example?x=1", "no path"),
        ("https://seaside.example#top", "no path"),
        ("https://user:pw@seaside.example", "user name"),
        ("https://seaside.example:99999", "not a website address"),
        ("https://sea side.example", "no spaces"),
        ("https://seaside.example\x00", "control characters"),
        ("https://seaside..example", "not valid"),
        ("https://sea_side.example", "not valid"),
        ("'self'", "Start with https://"),
        ("https://" + "a" * 300 + ".example", "at most 200"),
    ],
)
def test_what_is_not_an_origin_is_refused_with_a_reason(typed, says):
    with pytest.raises(ValidationError) as caught:
        origin_normalise(typed)
    assert says in " ".join(caught.value.messages)


def test_origin_list_is_cached_and_forgotten_on_every_write(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert embed_origins() == ()
    with django_assert_num_queries(0):
        assert embed_origins() == ()  # from the cache
    added = embed_origin_add(origin="https://www.seaside.example")
    with django_assert_num_queries(1):
        assert embed_origins() == ("https://www.seaside.example",)
    EmbedOrigin.objects.filter(pk=added.pk).get().save()  # the admin's kind of write counts too
    assert cache.get(CACHE_KEY) is None
    embed_origin_remove(origin=added)
    with django_assert_num_queries(1):
        assert embed_origins() == ()


def test_framing_follows_the_list_at_once(client):
    client.get("/embed/book/")  # the empty list is cached now
    embed_origin_add(origin="https://www.seaside.example")
    assert "https://www.seaside.example" in directives(client.get("/embed/book/"))["frame-ancestors"]
    embed_origin_remove(origin=EmbedOrigin.objects.get())
    assert directives(client.get("/embed/book/"))["frame-ancestors"] == ["'self'"]


def test_the_same_origin_twice_is_refused_not_a_crash():
    embed_origin_add(origin="https://www.seaside.example")
    with pytest.raises(BookingInvalid) as caught:
        embed_origin_add(origin="HTTPS://WWW.SEASIDE.EXAMPLE/")
    assert caught.value.errors == {"origin": ["https://www.seaside.example is listed already."]}


def test_the_list_has_a_limit_so_the_header_stays_small(client):
    EmbedOrigin.objects.bulk_create(EmbedOrigin(origin=f"https://site{n}.example") for n in range(MAX_ORIGINS))
    with pytest.raises(BookingInvalid) as caught:
        embed_origin_add(origin="https://one-more.example")
    assert "At most 50 websites" in caught.value.errors["origin"][0]
    cache.clear()
    assert len(client.get("/embed/book/")["Content-Security-Policy"]) < 8000


# The manager's page


def test_manager_lists_and_removes_an_origin(client, manager_user):
    client.force_login(manager_user)
    response = client.post("/staff/embed/", {"origin": "https://www.Seaside.example/", "note": "Main site"})
    assert response.status_code == 302
    origin = EmbedOrigin.objects.get()
    assert (origin.origin, origin.note, origin.added_by) == ("https://www.seaside.example", "Main site", manager_user)
    page = client.get("/staff/embed/")
    assert b"https://www.seaside.example" in page.content
    assert b"/static/embed.js" in page.content
    assert client.post(f"/staff/embed/{origin.pk}/remove/").status_code == 302
    assert not EmbedOrigin.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "says"),
    [
        ({"origin": ""}, "origin", "This field is required."),
        ({"origin": "https://*.seaside.example"}, "origin", "No wildcards"),
        ({"origin": "https://seaside.example/book"}, "origin", "no path"),
        ({"origin": "http://seaside.example"}, "origin", "Use https://"),
        ({"origin": "x" * 5000}, "origin", "at most 200"),
        ({"origin": "https://seaside.example", "note": "n" * 500}, "note", "at most 120"),
    ],
)
def test_bad_input_on_the_origin_form_is_a_field_error_and_400(client, manager_user, data, field, says):
    client.force_login(manager_user)
    response = client.post("/staff/embed/", data)
    assert response.status_code == 400
    form = response.context["form"]
    assert says in " ".join(form.errors[field])
    assert f'id="id_{field}-error"'.encode() in response.content
    assert not EmbedOrigin.objects.exists()


def test_a_listed_origin_again_is_a_field_error_and_400(client, manager_user):
    embed_origin_add(origin="https://www.seaside.example")
    client.force_login(manager_user)
    response = client.post("/staff/embed/", {"origin": "https://www.seaside.example", "note": "again"})
    assert response.status_code == 400
    assert response.context["form"].errors["origin"] == ["https://www.seaside.example is listed already."]
    assert b'value="again"' in response.content  # nothing typed is lost
    assert EmbedOrigin.objects.count() == 1


def test_removing_an_origin_that_is_gone_is_a_404(client, manager_user):
    client.force_login(manager_user)
    assert client.post("/staff/embed/999999/remove/").status_code == 404
    assert client.get("/staff/embed/1/remove/").status_code == 405


def test_front_desk_and_injectors_may_not_change_the_list(client, front_desk_user, injector_user):
    for user in (front_desk_user, injector_user):
        client.force_login(user)
        assert client.post("/staff/embed/", {"origin": "https://evil.example"}).status_code == 403
    assert not EmbedOrigin.objects.exists()


# The embed page and what it books


@pytest.mark.parametrize(
    ("given", "accent"),
    [("8a3b5c", "#8a3b5c"), ("#8A3B5C", "#8a3b5c"), ("abc", "#aabbcc"), ("red", ""), ("#12345", ""),
     ("8a3b5c;x", ""), ("", ""), (None, "")],
)  # fmt: skip
def test_accent_is_a_hex_colour_or_nothing(given, accent):
    assert accent_colour(given) == accent


def test_embed_page_config_carries_the_options_and_the_allowed_origins(client, clinic):
    EmbedOrigin.objects.create(origin="https://www.seaside.example")
    response = client.get("/embed/book/?service=consult&location=sarasota&provider=7&accent=%238a3b5c&mode=popup")
    config = json.loads(response.content.split(b'type="application/json">')[1].split(b"</script>")[0])
    assert config["source"] == "embed"
    assert config["preselect"] | {"area": "", "date": ""} == {
        "service": "consult", "location": "sarasota", "provider": "7", "area": "", "date": ""
    }  # fmt: skip
    assert config["embed"] == {
        "origins": ["http://testserver", "https://www.seaside.example"],
        "accent": "#8a3b5c",
        "mode": "popup",
    }
    assert b"site-footer" not in response.content and b"<nav" not in response.content


def test_odd_options_do_not_break_the_embed_page(client, clinic):
    for query in ("accent=%3Cscript%3E", "provider=abc", "location=" + "x" * 5000, "mode=evil", "service=nope"):
        response = client.get(f"/embed/book/?{query}")
        assert response.status_code == 200
        assert b"<script>" not in response.content.split(b"booking-config")[1]


def test_a_booking_through_the_embed_has_the_source_embed(client, clinic):
    day = next_weekday(0)
    response = post(client, "/api/v1/bookings", booking(clinic, day, source="embed"))
    assert response.status_code == 201, response.content
    assert Appointment.objects.get().source == Source.EMBED
    other = post(client, "/api/v1/bookings", booking(clinic, day, start=at(day, 11).isoformat(),
                                                     patient__email="bo@example.com"))  # fmt: skip
    assert other.status_code == 201
    assert Appointment.objects.get(reference=other.json()["reference"]).source == Source.ONLINE


@pytest.mark.parametrize("source", ["desk", "EMBED", "", 1, None])
def test_a_booking_may_not_claim_another_source(client, clinic, source):
    body = booking(clinic, next_weekday(0))
    body["source"] = source
    response = post(client, "/api/v1/bookings", body)
    assert response.status_code == 400
    assert "source" in response.json()["errors"]
    assert not Appointment.objects.exists()
