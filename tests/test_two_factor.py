"""Two-factor sign-in: who must use it, setting up the app, codes and recovery codes."""

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from medspa.roles import FRONT_DESK
from medspa.signin.two_factor import recovery_codes_replace
from tests.conftest import totp_code as code_for
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["/staff/", "/staff/review/", "/staff/outbox/", "/admin/"]


def key_from_page(html: str) -> bytes:
    import base64

    text = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    return base64.b32decode(text + "=" * (-len(text) % 8))


def password_step(client, username):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def assert_held_at(client, url_name):
    for page in STAFF_PAGES:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse(url_name)), page


def test_front_desk_signs_in_with_a_password_alone_by_default(client, front_desk_user):
    response = password_step(client, "frontdesk")
    assert response["Location"] == reverse("bookings:staff-day")
    assert client.get("/staff/").status_code == 200


def test_front_desk_must_set_up_an_app_when_the_clinic_requires_it(client, front_desk_user, settings):
    settings.OTP_REQUIRED_FOR_FRONT_DESK = True
    response = password_step(client, "frontdesk")
    assert response["Location"].startswith(reverse("two-factor-enrol"))
    assert_held_at(client, "two-factor-enrol")


def test_front_desk_who_set_up_an_app_is_asked_for_its_code(client, front_desk_user):
    TOTPDevice.objects.create(user=front_desk_user, confirmed=True)
    assert password_step(client, "frontdesk")["Location"].startswith(reverse("two-factor-verify"))
    assert_held_at(client, "two-factor-verify")


@pytest.mark.parametrize("role", ["Injector", "Manager"])
def test_injectors_and_managers_must_set_up_an_app_before_any_staff_page(client, role):
    user = UserFactory(username="newstaff", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    response = password_step(client, "newstaff")
    assert response["Location"] == f"{reverse('two-factor-enrol')}?next=%2Fstaff%2F"
    assert_held_at(client, "two-factor-enrol")

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "<svg" in html and 'role="img"' in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert key_from_page(html) == device.bin_key

    with time_machine.travel(time.time(), tick=False) as clock:
        wrong = client.post(response["Location"], {"code": "000000", "next": "/staff/"})
        assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
        assert_held_at(client, "two-factor-enrol")
        paused = client.post(response["Location"], {"code": code_for(device), "next": "/staff/"})
        assert paused.status_code == 429 and "Too many attempts" in paused.content.decode()
        clock.shift(3)  # the pause after a wrong code is over
        done = client.post(response["Location"], {"code": code_for(device), "next": "/staff/"})
    assert done.status_code == 200
    codes = re.findall(r'<li class="col">([a-z2-7]+)</li>', done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == set(codes)
    assert client.get("/staff/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_injector_with_an_app_needs_its_code_and_a_wrong_code_is_refused(client, injector_user):
    device = TOTPDevice.objects.get(user=injector_user)
    response = password_step(client, "injector")
    assert response["Location"].startswith(reverse("two-factor-verify"))
    assert_held_at(client, "two-factor-verify")
    verify_url = f"{reverse('two-factor-verify')}?next=/staff/review/"
    wrong = client.post(verify_url, {"code": "123456"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    assert_held_at(client, "two-factor-verify")
    with time_machine.travel(time.time() + 2, tick=False):  # wrong codes pause checking for a moment
        right = client.post(verify_url, {"code": code_for(device)})
    assert right.status_code == 302 and right["Location"] == "/staff/review/"
    assert client.get("/staff/review/").status_code == 200


def test_wrong_codes_pause_checking_with_429(client, injector_user):
    device = TOTPDevice.objects.get(user=injector_user)
    password_step(client, "injector")
    with time_machine.travel(datetime(2026, 3, 2, 14, 0, tzinfo=UTC), tick=False) as clock:
        for wait in (1, 2, 4):  # each wrong code doubles the pause before the next is checked
            assert client.post(reverse("two-factor-verify"), {"code": "000000"}).status_code == 400
            refused = client.post(reverse("two-factor-verify"), {"code": code_for(device)})
            assert refused.status_code == 429 and refused["Retry-After"] == str(wait + 1)
            assert "Too many attempts" in refused.content.decode()
            clock.shift(timedelta(seconds=wait + 1))
        assert client.post(reverse("two-factor-verify"), {"code": code_for(device)}).status_code == 302


def test_a_recovery_code_signs_in_once(client, injector_user):
    codes = recovery_codes_replace(user=injector_user)
    password_step(client, "injector")
    used = client.post(reverse("two-factor-verify"), {"code": codes[3].upper()}, follow=True)
    assert used.redirect_chain[-1][0] == reverse("bookings:staff-day")
    assert "signed in with a recovery code; 9 left" in used.content.decode()
    client.post(reverse("logout"))
    password_step(client, "injector")
    again = client.post(reverse("two-factor-verify"), {"code": codes[3]})
    assert again.status_code == 400
    assert_held_at(client, "two-factor-verify")


def test_an_app_code_cannot_be_used_twice(client, injector_user):
    device = TOTPDevice.objects.get(user=injector_user)
    code = code_for(device)
    password_step(client, "injector")
    assert client.post(reverse("two-factor-verify"), {"code": code}).status_code == 302
    client.post(reverse("logout"))
    password_step(client, "injector")
    assert client.post(reverse("two-factor-verify"), {"code": code}).status_code == 400


def test_a_password_alone_cannot_replace_the_app(client, injector_user):
    password_step(client, "injector")
    response = client.get(reverse("two-factor-enrol"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("two-factor-verify"))
    assert TOTPDevice.objects.filter(user=injector_user).count() == 1
    assert client.post(reverse("two-factor-enrol"), {"code": "000000"}).status_code == 302


def test_an_unconfirmed_app_does_not_count(client):
    user = UserFactory(username="desk2", is_staff=True)
    user.groups.add(Group.objects.get(name=FRONT_DESK))
    TOTPDevice.objects.create(user=user, confirmed=False)
    assert password_step(client, "desk2")["Location"] == reverse("bookings:staff-day")


def test_sign_in_pages_stay_open_to_a_session_that_owes_a_code(client, injector_user):
    password_step(client, "injector")
    assert client.get(reverse("two-factor-verify")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_demo_injector_and_manager_sign_in_with_the_printed_key(client, settings, capsys):
    import base64

    from django.core.management import call_command

    settings.DEBUG = True
    call_command("demo_seed")
    out = capsys.readouterr().out
    key = re.search(r"injector / injector-demo\s+authenticator key ([A-Z2-7 ]+)", out).group(1).strip()
    device = TOTPDevice.objects.get(user__username="injector")
    assert base64.b32encode(device.bin_key).decode().rstrip("=") == key.replace(" ", "")
    call_command("demo_seed")
    assert TOTPDevice.objects.filter(user__username__in=["injector", "manager"]).count() == 2
    call_command("demo_code", "injector")
    code = capsys.readouterr().out.strip().splitlines()[-1]
    assert client.post(reverse("login"), {"username": "injector", "password": "injector-demo"}).status_code == 302
    assert client.post(reverse("two-factor-verify"), {"code": code}).status_code == 302
    assert client.get("/staff/review/").status_code == 200
