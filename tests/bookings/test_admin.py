"""The patient admin: a treatment hold and its reason are for clinical staff only."""

import pytest
from django.urls import reverse

from intake.models import AccessLog
from tests.factories import PatientFactory
from tests.html_forms import rendered_form

pytestmark = pytest.mark.django_db

REASON = "Screening 2026-11-02: pregnancy"


@pytest.fixture
def held():
    return PatientFactory(first_name="Hana", treatment_hold=True, treatment_hold_reason=REASON)


def change_url(patient):
    return reverse("admin:bookings_patient_change", args=[patient.pk])


def post_as_browser(client, patient, **changes):
    html = client.get(change_url(patient)).content.decode()
    data, checkboxes = rendered_form(html, form_id="patient_form")
    if "treatment_hold" in checkboxes:
        data.pop("treatment_hold", None)  # the box unticked: a browser sends nothing for it
    data.update(changes)
    return client.post(change_url(patient), data)


def test_front_desk_cannot_lift_a_hold_by_saving_the_patient_in_the_admin(client, front_desk_user, held):
    client.force_login(front_desk_user)
    response = post_as_browser(client, held, phone="+19415550111")
    assert response.status_code == 302, response.content.decode()[:2000]
    held.refresh_from_db()
    assert held.phone == "+19415550111"  # the save went through…
    assert held.treatment_hold is True  # …and the hold stayed
    assert held.treatment_hold_reason == REASON


def test_front_desk_cannot_set_a_hold_by_posting_the_fields_the_form_does_not_show(client, front_desk_user):
    patient = PatientFactory()
    client.force_login(front_desk_user)
    html = client.get(change_url(patient)).content.decode()
    data, _ = rendered_form(html, form_id="patient_form")
    client.post(change_url(patient), {**data, "treatment_hold": "on", "treatment_hold_reason": "made up"})
    patient.refresh_from_db()
    assert (patient.treatment_hold, patient.treatment_hold_reason) == (False, "")


def test_front_desk_sees_that_a_hold_exists_but_neither_the_box_nor_the_reason(client, front_desk_user, held):
    client.force_login(front_desk_user)
    html = client.get(change_url(held)).content.decode()
    assert REASON not in html
    assert 'name="treatment_hold"' not in html and 'name="treatment_hold_reason"' not in html
    assert "Treatment hold" in html  # shown read-only
    assert not AccessLog.objects.exists()


def test_front_desk_does_not_see_the_reason_when_adding_a_patient(client, front_desk_user):
    client.force_login(front_desk_user)
    html = client.get(reverse("admin:bookings_patient_add")).content.decode()
    assert 'name="treatment_hold"' not in html and 'name="treatment_hold_reason"' not in html


def test_an_injector_reading_the_hold_in_the_admin_is_access_logged(client, injector_user, held):
    injector_user.is_superuser = False
    client.force_login(injector_user)
    html = client.get(change_url(held)).content.decode()
    assert REASON in html
    entry = AccessLog.objects.get()
    assert (entry.actor, entry.patient, entry.what) == (injector_user, held, "treatment hold")
    assert entry.path == change_url(held)


def test_a_manager_can_lift_a_hold_in_the_admin_and_the_history_says_who(client, manager_user, held):
    client.force_login(manager_user)
    response = post_as_browser(client, held, treatment_hold_reason="")
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.treatment_hold is False
    latest = held.audit_history.first()
    assert latest.history_user == manager_user and latest.treatment_hold is False


def test_intake_answers_are_not_in_the_admin():
    """Answers are read on the review page, which logs the read; the admin has no unlogged way in."""
    from django.contrib import admin

    from intake.models import FollowUp, IntakeDraft, MedicalHistory, ScreeningDecision, ScreeningHit

    for model in (MedicalHistory, IntakeDraft, FollowUp, ScreeningHit, ScreeningDecision):
        assert not admin.site.is_registered(model), model


# A provider's hours and time off: shown in the admin, changed only on the hours screen


@pytest.fixture
def provider_with_time():
    from datetime import UTC, datetime, time

    from bookings.models import TimeOff
    from tests.factories import LocationFactory, ProviderFactory, WorkingHoursFactory

    provider = ProviderFactory()
    location = LocationFactory(name="Sarasota")
    WorkingHoursFactory(provider=provider, location=location, weekday=0, start=time(9), end=time(12))
    TimeOff.objects.create(provider=provider, start=datetime(2030, 1, 2, 14, tzinfo=UTC),
                           end=datetime(2030, 1, 2, 18, tzinfo=UTC), reason="Training")  # fmt: skip
    return provider


def provider_url(provider):
    return reverse("admin:bookings_provider_change", args=[provider.pk])


def test_the_provider_admin_shows_hours_and_time_off_and_links_to_the_hours_screen(
    client, manager_user, provider_with_time
):
    client.force_login(manager_user)
    html = client.get(provider_url(provider_with_time)).content.decode()
    assert "Monday" in html and "Sarasota" in html and "Training" in html  # shown…
    data, _ = rendered_form(html, form_id="provider_form")
    rows = [name for name in data if name.startswith(("working_hours-0-", "time_off-0-"))]
    assert [name for name in rows if not name.endswith(("-id", "-provider"))] == []  # …not as fields
    # No blank row to add from (the admin's script copies it) and no box to delete one.
    assert 'id="working_hours-empty"' not in html and 'id="time_off-empty"' not in html and "-DELETE" not in html
    hours_screen = reverse("bookings:staff-provider-hours", args=[provider_with_time.pk])
    assert f'href="{hours_screen}"' in html


def test_a_post_to_the_provider_admin_changes_no_hours_or_time_off(client, manager_user, provider_with_time):
    """Forged inline rows (a new block, a deleted time off, a changed end) are ignored: only the
    hours screen's services change them, after listing the appointments a change would strand."""
    provider = provider_with_time
    hours = list(provider.working_hours.values_list("weekday", "start", "end"))
    time_off = list(provider.time_off.values_list("pk", "start", "end"))
    client.force_login(manager_user)
    data, _ = rendered_form(client.get(provider_url(provider)).content.decode(), form_id="provider_form")
    block, away = provider.working_hours.get(), provider.time_off.get()
    forged = {
        **data,
        "title": "Senior nurse injector",
        "working_hours-TOTAL_FORMS": "2",
        "working_hours-0-id": str(block.pk), "working_hours-0-provider": str(provider.pk),
        "working_hours-0-end": "10:00",
        "working_hours-1-provider": str(provider.pk), "working_hours-1-weekday": "2",
        "working_hours-1-location": str(block.location_id),
        "working_hours-1-start": "09:00", "working_hours-1-end": "17:00",
        "time_off-0-id": str(away.pk), "time_off-0-provider": str(provider.pk), "time_off-0-DELETE": "on",
    }  # fmt: skip
    response = client.post(provider_url(provider), forged)
    assert response.status_code == 302, response.content.decode()[:2000]
    provider.refresh_from_db()
    assert provider.title == "Senior nurse injector"  # the provider's own fields still save
    assert list(provider.working_hours.values_list("weekday", "start", "end")) == hours
    assert list(provider.time_off.values_list("pk", "start", "end")) == time_off
