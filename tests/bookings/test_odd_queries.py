"""Odd query strings on the staff screens answer with a page, never a 500."""

import pytest

pytestmark = pytest.mark.django_db

ODD_DATES = ["9999-12-31", "0001-01-01", "2026-02-30", "x", "2026-13-01", "%00", "9999-12-27", ""]
URLS = [
    "/staff/?date={date}",
    "/staff/?location=nowhere&date={date}",
    "/staff/week/?date={date}",
    "/staff/week/?provider=abc&date={date}",
    "/staff/sheet/?provider={provider}&date={date}",
    "/staff/sheet/?provider=abc&date={date}",
    "/staff/book/?date={date}&service=1&location=1",
]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("odd", ODD_DATES)
def test_odd_dates_and_ids_never_give_a_server_error(client, front_desk_user, clinic, url, odd):
    client.force_login(front_desk_user)
    response = client.get(url.format(date=odd, provider=clinic.provider.pk))
    assert response.status_code in (200, 400, 404), response.status_code  # 400: a control character
