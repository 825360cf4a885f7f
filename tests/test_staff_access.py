"""Staff sign-in, the roles created by migration, and who may edit the catalog."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from medspa.roles import FRONT_DESK, INJECTOR, MANAGER
from tests.factories import PASSWORD, UserFactory
from treatments.models import Service, TreatmentArea

pytestmark = pytest.mark.django_db


def test_roles_exist_with_catalog_rights():
    perms = {
        g.name: set(g.permissions.filter(content_type__app_label="treatments").values_list("codename", flat=True))
        for g in Group.objects.all()
    }
    assert {FRONT_DESK, INJECTOR, MANAGER} <= set(perms)
    assert "change_treatmentarea" in perms[MANAGER] and "delete_service" in perms[MANAGER]
    for role in (FRONT_DESK, INJECTOR):
        assert "view_treatmentarea" in perms[role]
        assert not {p for p in perms[role] if p.startswith(("add_", "change_", "delete_"))}


def test_staff_pages_require_sign_in(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sign_in_lands_on_the_day_with_the_role_shown(client, front_desk_user):
    response = client.post(reverse("login"), {"username": "frontdesk", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("bookings:staff-day")
    assert "Sam · Front desk" in response.content.decode()


def test_footer_offers_sign_in_only_to_someone_signed_out(client, front_desk_user):
    assert "Staff sign-in" in client.get("/").content.decode()
    client.force_login(front_desk_user)
    for path in ("/", reverse("bookings:staff-day")):
        html = client.get(path).content.decode()
        assert "Staff sign-in" not in html, path
        assert f'href="{reverse("bookings:staff-day")}">Staff: today\'s schedule' in html, path


def test_wrong_password_is_told_on_the_form_and_keeps_the_username(client, front_desk_user):
    response = client.post(reverse("login"), {"username": "frontdesk", "password": "nope"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please enter a correct username and password" in html
    assert 'value="frontdesk"' in html


def test_empty_sign_in_names_each_missing_field(client):
    html = client.post(reverse("login"), {"username": "", "password": ""}).content.decode()
    assert 'id="username-error"' in html and 'id="password-error"' in html


def _change_url(obj) -> str:
    return reverse(f"admin:treatments_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.mark.parametrize("user_fixture", ["front_desk_user", "injector_user"])
def test_front_desk_and_injector_can_read_but_not_edit_the_catalog(client, request, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    area = TreatmentArea.objects.get(slug="masseter")
    page = client.get(_change_url(area))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = client.post(_change_url(area), {"name": "Changed"})
    assert response.status_code == 403
    assert client.get(reverse("admin:treatments_service_add")).status_code == 403
    area.refresh_from_db()
    assert area.name == "Jawline and masseters"


def test_manager_edits_a_service_duration_in_the_admin(client, manager_user):
    client.force_login(manager_user)
    service = Service.objects.get(slug="two-week-review")
    page = client.get(_change_url(service))
    assert 'name="_save"' in page.content.decode()
    data = {
        "name": service.name, "slug": service.slug, "kind": service.kind, "summary": service.summary,
        "duration_minutes": 20, "buffer_before_minutes": 0, "buffer_after_minutes": 5, "price": "0.00",
        "price_note": "", "bookable_online": "on", "sort_order": 2, "is_active": "on",
        "aftercare_steps-TOTAL_FORMS": 0, "aftercare_steps-INITIAL_FORMS": 0,
    }  # fmt: skip
    response = client.post(_change_url(service), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    service.refresh_from_db()
    assert service.duration_minutes == 20


def test_manager_gets_a_field_error_for_a_too_short_service(client, manager_user):
    client.force_login(manager_user)
    service = Service.objects.get(slug="two-week-review")
    response = client.post(
        _change_url(service),
        {"name": service.name, "slug": service.slug, "kind": service.kind, "duration_minutes": 2,
         "buffer_before_minutes": 0, "buffer_after_minutes": 0, "price": "-1", "sort_order": 0,
         "aftercare_steps-TOTAL_FORMS": 0, "aftercare_steps-INITIAL_FORMS": 0},
    )  # fmt: skip
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "duration_minutes" in errors
    service.refresh_from_db()
    assert service.duration_minutes == 15


def test_staff_without_a_role_reach_no_catalog(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:treatments_treatmentarea_changelist")).status_code == 403


def test_demo_seed_is_idempotent_and_gives_one_login_per_role(settings, capsys):
    settings.DEBUG = True
    call_command("demo_seed")
    call_command("demo_seed")
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=["frontdesk", "injector", "manager"])
    assert users.count() == 3
    assert {u.username: [g.name for g in u.groups.all()] for u in users} == {
        "frontdesk": [FRONT_DESK],
        "injector": [INJECTOR],
        "manager": [MANAGER],
    }
    assert all(u.is_staff and not u.is_superuser for u in users)
    assert get_user_model().objects.get(username="manager").check_password("manager-demo")
    assert "manager / manager-demo" in capsys.readouterr().out


def test_demo_seed_refuses_to_run_in_production(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_seed")


def test_front_desk_never_sees_why_treatment_is_on_hold(client, front_desk_user, injector_user):
    from tests.factories import PatientFactory

    patient = PatientFactory(treatment_hold=True, treatment_hold_reason="Screening: reacted to a toxin before")
    admin_url = reverse("admin:bookings_patient_change", args=[patient.pk])
    profile_url = reverse("bookings:staff-patient", args=[patient.pk])
    client.force_login(front_desk_user)
    for url in (admin_url, profile_url):
        html = client.get(url).content.decode()
        assert "reacted to a toxin" not in html, url
    assert "Treatment on hold" in client.get(profile_url).content.decode()
    client.force_login(injector_user)
    assert "reacted to a toxin" in client.get(admin_url).content.decode()


def test_sign_in_pauses_after_five_failures_for_that_username(client, front_desk_user):
    from django.core.cache import cache

    cache.clear()
    for _ in range(5):
        assert client.post(reverse("login"), {"username": "frontdesk", "password": "guess"}).status_code == 200
    blocked = client.post(reverse("login"), {"username": "frontdesk", "password": PASSWORD})
    assert blocked.status_code == 429 and "Too many attempts" in blocked.content.decode()
    other = client.post(reverse("login"), {"username": "FrontDesk2", "password": "guess"})
    assert other.status_code == 200  # another username is not blocked
    cache.clear()
    assert client.post(reverse("login"), {"username": "frontdesk", "password": PASSWORD}).status_code == 302
