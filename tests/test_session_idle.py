"""A staff session ends after SESSION_IDLE_MINUTES without a request; passwords are strong."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_a_session_in_use_stays_and_an_idle_one_ends_after_30_minutes(client, injector_user, clock):
    client.force_login(injector_user)
    assert client.get("/staff/review/").status_code == 200
    for _ in range(4):  # two hours of work, a request every 29 minutes
        clock.shift(timedelta(minutes=29))
        assert client.get("/staff/review/").status_code == 200
    clock.shift(timedelta(minutes=31))
    response = client.get("/staff/review/", follow=True)
    assert response.redirect_chain[0][0] == f"{reverse('login')}?next=%2Fstaff%2Freview%2F"
    assert "signed out after 30 minutes without activity" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_idle_limit_is_a_setting(client, front_desk_user, settings, clock):
    settings.SESSION_IDLE_MINUTES = 5
    client.force_login(front_desk_user)
    assert client.get("/staff/").status_code == 200
    clock.shift(timedelta(minutes=4))
    assert client.get("/staff/").status_code == 200
    clock.shift(timedelta(minutes=5, seconds=1))
    assert client.get("/staff/").status_code == 302


def test_the_stored_session_outlives_the_idle_limit_by_minutes_not_days(client, front_desk_user):
    client.force_login(front_desk_user)
    client.get("/staff/")
    assert client.session.get_expiry_age() == 35 * 60


@pytest.mark.parametrize("password", ["Short-pw-1", "password1234", "84920175639201", "frontdesk-2026"])
def test_weak_passwords_are_refused(front_desk_user, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=front_desk_user)


def test_a_long_uncommon_passphrase_is_accepted(front_desk_user):
    validate_password("lantern quarry velvet 42", user=front_desk_user)
