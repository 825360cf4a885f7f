"""The appointment page offers what the visit's order, its day and the person's role allow;
the action URLs refuse the rest (clock pinned with time-machine)."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from bookings.models import Appointment, AppointmentStatus, EventKind
from bookings.selectors import review_service
from bookings.services import appointment_check_in, appointment_complete
from tests.bookings.conftest import at, booked_at, next_weekday, week_hours
from tests.factories import PatientFactory, ProviderFactory, ServiceFactory
from tests.html_forms import browser_post_data, selected_option
from treatments.models import ServiceKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def monday():
    return next_weekday(0)


def book(clinic, start, **kwargs) -> Appointment:
    return booked_at(clinic, start, patient=PatientFactory(first_name="Nina", last_name="Holt"), **kwargs)


def page(client, appointment) -> str:
    response = client.get(reverse("bookings:staff-appointment", args=[appointment.reference]))
    assert response.status_code == 200
    return response.content.decode()


def act(client, appointment, action, **kwargs):
    return client.post(reverse("bookings:staff-appointment-action", args=[appointment.reference, action]), **kwargs)


def buttons(html: str) -> set[str]:
    offered = {"Confirm", "Check in", "Mark no-show", "Complete", "Undo check-in", "Undo no-show",
               "Cancel appointment", "Book two-week review"}  # fmt: skip
    found = {name for name in offered if f">{name}</button>" in html or f">{name}</a>" in html}
    return found | ({"Move"} if ">Move</a>" in html else set())


def test_check_in_is_offered_only_on_the_appointments_day(client, front_desk_user, clinic, monday):
    appointment = book(clinic, at(monday, 10))
    with time_machine.travel(at(monday - timedelta(days=2), 11), tick=False):  # the Saturday before
        client.force_login(front_desk_user)  # at the pinned time: sessions end after 30 idle minutes
        html = page(client, appointment)
        assert "Check in" not in buttons(html) and "Check-in opens on the day of the appointment." in html
        refused = act(client, appointment, "check-in", follow=True).content.decode()
        assert "check in on the day of their appointment: Monday" in refused
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    with time_machine.travel(at(monday, 9, 40), tick=False):
        client.force_login(front_desk_user)
        assert buttons(page(client, appointment)) == {"Confirm", "Check in", "Move", "Cancel appointment"}
        assert "Checked in." in act(client, appointment, "check-in", follow=True).content.decode()


def test_after_check_in_the_page_offers_undo_and_complete_once_started(client, front_desk_user, clinic, monday):
    appointment = book(clinic, at(monday, 10))
    with time_machine.travel(at(monday, 9, 40), tick=False):
        client.force_login(front_desk_user)  # at the pinned time: sessions end after 30 idle minutes
        act(client, appointment, "check-in")
        html = page(client, appointment)
        assert buttons(html) == {"Undo check-in"}
        assert "completed once it has started" in html and "To move or cancel, undo the check-in first." in html
    with time_machine.travel(at(monday, 10, 5), tick=False):
        assert buttons(page(client, appointment)) == {"Complete", "Undo check-in"}
        back = act(client, appointment, "undo-check-in", data={"next": page_url(appointment)}, follow=True)
        assert "Check-in undone." in back.content.decode()
        assert buttons(back.content.decode()) == {"Confirm", "Check in", "Move", "Mark no-show", "Cancel appointment"}
        # Post exactly what the page renders: check in again, then complete.
        for label in ("Check in", "Complete"):
            form = browser_post_data(page(client, appointment), button=label)
            url = reverse("bookings:staff-appointment-action",
                          args=[appointment.reference, "check-in" if label == "Check in" else "complete"])  # fmt: skip
            assert client.post(url, form).status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.COMPLETED
    assert list(appointment.events.values_list("kind", flat=True)) == [
        EventKind.BOOKED, EventKind.CHECKED_IN, EventKind.CHECK_IN_UNDONE, EventKind.CHECKED_IN, EventKind.COMPLETED,
    ]  # fmt: skip


def page_url(appointment) -> str:
    return reverse("bookings:staff-appointment", args=[appointment.reference])


def test_a_no_show_can_be_undone_from_the_page(client, front_desk_user, clinic, monday):
    appointment = book(clinic, at(monday, 10))
    with time_machine.travel(at(monday, 10, 20), tick=False):
        client.force_login(front_desk_user)  # at the pinned time: sessions end after 30 idle minutes
        act(client, appointment, "no-show")
        assert buttons(page(client, appointment)) == {"Undo no-show"}
        html = act(client, appointment, "undo-no-show", data={"next": page_url(appointment)}, follow=True)
        assert "No-show undone." in html.content.decode() and "Check in" in buttons(html.content.decode())
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.events.filter(kind=EventKind.NO_SHOW_UNDONE, actor=front_desk_user).exists()


# Injectors


@pytest.fixture
def treatment(clinic):
    """A completed-able treatment the clinic's provider gives, and the catalog's two-week review."""
    service = ServiceFactory(name="Neuromodulator treatment", kind=ServiceKind.TREATMENT, duration_minutes=30)
    review = review_service()
    assert review is not None and review.kind == ServiceKind.REVIEW
    clinic.provider.services.add(service, review)
    return service


@pytest.fixture
def injector(clinic, injector_user):
    clinic.provider.user = injector_user
    clinic.provider.save()
    return injector_user


def test_an_injector_completes_their_own_visit_and_nothing_else(client, clinic, injector, treatment, monday):
    colleague = ProviderFactory(services=[treatment])
    week_hours(colleague, clinic.location)
    mine = book(clinic, at(monday, 10), service=treatment)
    theirs = book(clinic, at(monday, 10), service=treatment, provider=colleague)
    for appointment in (mine, theirs):
        appointment_check_in(appointment=appointment, actor=None, now=at(monday, 9, 50))
    with time_machine.travel(at(monday, 10, 25), tick=False):
        client.force_login(injector)  # at the pinned time: sessions end after 30 idle minutes
        assert buttons(page(client, mine)) == {"Complete"}
        for action in ("check-in", "undo-check-in", "no-show", "undo-no-show", "confirm"):
            assert act(client, mine, action).status_code == 403, action
        assert client.get(reverse("bookings:staff-appointment-move", args=[mine.reference])).status_code == 403
        assert client.post(reverse("bookings:staff-appointment-cancel", args=[mine.reference]),
                           {"reason": "x"}).status_code == 403  # fmt: skip
        assert client.get(page_url(theirs)).status_code == 403
        assert act(client, theirs, "complete").status_code == 403
        assert "Completed." in act(client, mine, "complete", follow=True).content.decode()
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == (AppointmentStatus.COMPLETED, AppointmentStatus.CHECKED_IN)
    assert mine.events.get(kind=EventKind.COMPLETED).actor == injector


def _completed(clinic, monday, service, provider=None) -> Appointment:
    appointment = book(clinic, at(monday, 10), service=service, provider=provider)
    appointment_check_in(appointment=appointment, actor=None, now=at(monday, 9, 50))
    return appointment_complete(appointment=appointment, actor=None, now=at(monday, 10, 30))


def test_an_injector_books_the_two_week_review_for_their_own_patient(client, clinic, injector, treatment, monday):
    visit = _completed(clinic, monday, treatment)
    review = review_service()
    client.force_login(injector)
    html = page(client, visit)
    assert buttons(html) == {"Book two-week review"}
    link = reverse("bookings:staff-book") + f"?review_of={visit.reference}"
    assert link in html
    form_page = client.get(link)
    assert form_page.status_code == 200
    booking = form_page.content.decode()
    assert selected_option(booking, name="service") == str(review.pk)
    assert selected_option(booking, name="provider") == str(clinic.provider.pk)
    assert selected_option(booking, name="location") == str(clinic.location.pk)
    two_weeks = monday + timedelta(days=14)
    assert f'value="{two_weeks}"' in booking and "Nina Holt" in booking and 'name="q"' not in booking
    data = browser_post_data(booking, button="Book")
    data["start"] = [at(two_weeks, 10).isoformat()]  # the time the injector picks
    data["patient"] = [str(PatientFactory().pk)]  # someone else's id slipped in changes nothing
    done = client.post(reverse("bookings:staff-book"), data)
    assert done.status_code == 302
    booked = Appointment.objects.get(service=review)
    assert (booked.patient, booked.provider, booked.location, booked.start, booked.booked_by) == (
        visit.patient, clinic.provider, clinic.location, at(two_weeks, 10), injector,
    )  # fmt: skip


def test_an_injector_may_not_book_anything_else(client, clinic, injector, treatment, monday):
    colleague = ProviderFactory(services=[treatment])
    week_hours(colleague, clinic.location)
    theirs = _completed(clinic, monday, treatment, provider=colleague)
    mine_not_done = book(clinic, at(monday, 11), service=treatment)
    client.force_login(injector)
    assert client.get(reverse("bookings:staff-book")).status_code == 403
    assert client.get(reverse("bookings:staff-book"), {"review_of": theirs.reference}).status_code == 403
    assert client.get(reverse("bookings:staff-book"), {"review_of": mine_not_done.reference}).status_code == 403
    mine = _completed(clinic, monday + timedelta(days=1), treatment)
    other = client.post(reverse("bookings:staff-book"), {
        "review_of": mine.reference, "service": treatment.pk, "location": clinic.location.pk,
        "provider": colleague.pk, "date": monday + timedelta(days=15), "start": at(monday + timedelta(days=15), 10),
    })  # fmt: skip
    assert other.status_code == 200 and "Select a valid choice" in other.content.decode()
    assert not Appointment.objects.filter(start__gt=at(monday + timedelta(days=2), 0)).exists()


def test_front_desk_is_offered_the_review_after_a_treatment_not_after_a_consultation(
    client, front_desk_user, clinic, treatment, monday
):
    client.force_login(front_desk_user)
    assert "Book two-week review" in buttons(page(client, _completed(clinic, monday, treatment)))
    consultation = _completed(clinic, monday + timedelta(days=1), clinic.service)
    assert buttons(page(client, consultation)) == set()
