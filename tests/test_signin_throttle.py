"""The staff sign-in (and the admin's, which is the same one) stops guessing without letting a
stranger lock staff out, whatever X-Forwarded-For says."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from medspa.signin import throttle
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
VICTIM = "198.51.100.20"
ATTACKER = "203.0.113.66"
PROXY = "10.0.0.2"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def sign_in(client, username, password="guess", *, ip="192.0.2.1", forwarded=None, next_url=None):  # noqa: S107
    extra = {"REMOTE_ADDR": ip}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": username, "password": password}, **extra)


def behind_proxy(client, username, password="guess", *, caller, claimed=None):  # noqa: S107
    """A request through one proxy: the caller may send any header; the proxy appends the caller's address."""
    forwarded = f"{claimed}, {caller}" if claimed else caller
    return sign_in(client, username, password, ip=PROXY, forwarded=forwarded)


def test_five_wrong_passwords_pause_that_username_from_that_address_with_a_retry_time(client, front_desk_user, clock):
    for _ in range(5):
        assert sign_in(client, "frontdesk").status_code == 200
    refused = sign_in(client, "frontdesk", PASSWORD)
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(15 * 60)
    assert "Too many attempts. Please try again in 15 minutes" in refused.content.decode()
    assert "_auth_user_id" not in client.session  # the right password was not even checked
    clock.shift(timedelta(minutes=15, seconds=1))
    assert sign_in(client, "frontdesk", PASSWORD).status_code == 302


def test_hammering_during_the_pause_does_not_extend_it(client, front_desk_user, clock):
    for _ in range(5):
        sign_in(client, "frontdesk")
    clock.shift(timedelta(minutes=10))
    for _ in range(20):
        assert sign_in(client, "frontdesk").status_code == 429
    clock.shift(timedelta(minutes=5, seconds=1))
    assert sign_in(client, "frontdesk", PASSWORD).status_code == 302


@pytest.mark.parametrize("proxies", [0, 1])
def test_rotating_x_forwarded_for_gives_no_extra_guesses(client, front_desk_user, settings, clock, proxies):
    settings.TRUSTED_PROXY_COUNT = proxies
    for n in range(5):
        forged = f"198.51.100.{n + 1}"
        response = (
            behind_proxy(client, "frontdesk", caller=ATTACKER, claimed=forged)
            if proxies
            else sign_in(client, "frontdesk", ip=ATTACKER, forwarded=forged)
        )
        assert response.status_code == 200
    sixth = (
        behind_proxy(client, "frontdesk", PASSWORD, caller=ATTACKER, claimed="198.51.100.99")
        if proxies
        else sign_in(client, "frontdesk", PASSWORD, ip=ATTACKER, forwarded="198.51.100.99")
    )
    assert sixth.status_code == 429


def test_forging_the_victims_address_does_not_lock_the_victim_out(client, injector_user, settings, clock):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(8):
        behind_proxy(client, "injector", caller=ATTACKER, claimed=VICTIM)
    assert behind_proxy(client, "injector", caller=ATTACKER, claimed=VICTIM).status_code == 429
    victim = behind_proxy(client, "injector", PASSWORD, caller=VICTIM)
    assert victim.status_code == 302
    assert victim["Location"].startswith(reverse("two-factor-verify"))


def test_spraying_one_password_over_many_usernames_stops_at_the_address_limit(client, front_desk_user, clock):
    for n in range(throttle.ADDRESS.failures):
        assert sign_in(client, f"staff{n}", ip=ATTACKER).status_code == 200
    assert sign_in(client, "frontdesk", PASSWORD, ip=ATTACKER).status_code == 429
    assert sign_in(client, "frontdesk", PASSWORD, ip=VICTIM).status_code == 302  # others are not affected


def test_a_username_guessed_from_many_addresses_is_slowed_down_never_locked_out(client, front_desk_user, clock):
    for n in range(throttle.USERNAME_FREE_FAILURES):
        assert sign_in(client, "frontdesk", ip=f"203.0.113.{n + 1}").status_code == 200
    waits = []
    for n in range(7):  # each further guess waits twice as long as the one before, up to the cap
        slowed = sign_in(client, "frontdesk", ip=f"203.0.113.{100 + n}")
        assert slowed.status_code == 429
        waits.append(int(slowed["Retry-After"]))
        clock.shift(timedelta(seconds=waits[-1] + 1))
        assert sign_in(client, "frontdesk", ip=f"203.0.113.{150 + n}").status_code == 200
    assert waits == [30, 60, 120, 240, 480, 900, 900]
    waiting = sign_in(client, "frontdesk", PASSWORD, ip=VICTIM)
    assert waiting.status_code == 429 and waiting["Retry-After"] == str(throttle.USERNAME_DELAY_CAP)
    clock.shift(timedelta(seconds=throttle.USERNAME_DELAY_CAP + 1))
    assert sign_in(client, "frontdesk", PASSWORD, ip=VICTIM).status_code == 302


def test_a_browser_that_signed_in_before_is_not_slowed_by_strangers_failures(client, front_desk_user, clock):
    assert sign_in(client, "frontdesk", PASSWORD, ip=VICTIM).status_code == 302  # sets the device cookie
    client.post(reverse("logout"))
    stranger = type(client)()
    for n in range(throttle.USERNAME_FREE_FAILURES + 3):
        sign_in(stranger, "frontdesk", ip=f"203.0.113.{n + 1}")
    assert sign_in(stranger, "frontdesk", PASSWORD, ip="203.0.113.99").status_code == 429
    assert sign_in(client, "frontdesk", PASSWORD, ip=VICTIM).status_code == 302


def test_a_forged_device_cookie_buys_nothing(client, front_desk_user, clock):
    client.cookies[throttle.DEVICE_COOKIE] = "frontdesk"
    for n in range(throttle.USERNAME_FREE_FAILURES):
        sign_in(client, "frontdesk", ip=f"203.0.113.{n + 1}")
    assert sign_in(client, "frontdesk", ip="203.0.113.99").status_code == 429


def test_overall_failures_pause_sign_in_for_browsers_that_never_signed_in(client, front_desk_user, monkeypatch, clock):
    monkeypatch.setattr(throttle, "OVERALL", throttle.Window("overall", failures=3, seconds=300))
    assert sign_in(client, "frontdesk", PASSWORD, ip=VICTIM).status_code == 302
    client.post(reverse("logout"))
    stranger = type(client)()
    for n in range(3):
        sign_in(stranger, f"someone{n}", ip=f"203.0.113.{n + 1}")
    refused = sign_in(stranger, "frontdesk", PASSWORD, ip="192.0.2.77")
    assert refused.status_code == 429 and refused["Retry-After"] == "300"
    assert sign_in(client, "frontdesk", PASSWORD, ip=VICTIM).status_code == 302


def test_empty_fields_are_not_counted_as_guesses(client, front_desk_user, clock):
    for _ in range(10):
        assert client.post(reverse("login"), {"username": "frontdesk", "password": ""}).status_code == 200
    assert sign_in(client, "frontdesk", PASSWORD).status_code == 302


def test_the_admin_sign_in_is_the_staff_sign_in(client):
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0] == f"{reverse('login')}?next=%2Fadmin%2F"
    posted = client.post(reverse("admin:login"), {"username": "manager", "password": PASSWORD})
    assert posted.status_code == 302 and posted["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_admin_sign_in_attempts_share_the_throttle(client, manager_user, clock):
    for _ in range(5):
        assert sign_in(client, "manager", next_url="/admin/").status_code == 200
    assert sign_in(client, "manager", PASSWORD, next_url="/admin/").status_code == 429


def test_spraying_through_the_admin_login_is_throttled_too(client, clock):
    for n in range(throttle.ADDRESS.failures):
        sign_in(client, f"user{n}", next_url="/admin/")
        client.post(reverse("admin:login"), {"username": f"user{n}", "password": "guess"})  # checks nothing
    assert sign_in(client, "another", next_url="/admin/").status_code == 429


def test_someone_signed_in_but_refused_by_the_admin_gets_403_not_a_redirect_loop(client):
    client.force_login(UserFactory(is_staff=False))
    response = client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403
