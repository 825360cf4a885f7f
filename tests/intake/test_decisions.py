"""The injector's decisions per hit severity, the review form as a browser posts it, rule 2's
structured answer and the products it rules out, and a review's top-up counting as the last toxin."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import AppointmentStatus, IntakeStatus, Source
from intake.models import Decision, MedicalHistory, ScreeningDecision
from intake.selectors import product_allergies
from intake.services import IntakeError, screening_decide
from tests.factories import AppointmentFactory
from tests.html_forms import browser_post_data
from tests.intake.conftest import all_no
from tests.intake.gate_helpers import intake
from treatments.models import Service

pytestmark = pytest.mark.django_db

REACTION = {"toxin-reaction": "yes", "toxin-reaction.reaction": "Hives after Dysport"}
INFECTION = {"skin-infection": "yes", "skin-infection.where": "Cold sore, upper lip"}
BLEEDING = {"bleeding": "yes", "bleeding.medicines": "Fish oil"}


def review_page(client, appointment) -> str:
    return client.get(reverse("intake:review", args=[appointment.reference])).content.decode()


def decide(client, appointment, decision: str, note: str = ""):
    """Choose and type on the rendered form, then post what the browser sends."""
    data = browser_post_data(review_page(client, appointment), button="Record decision")
    data["decision"], data["note"] = [decision], [note]
    return client.post(reverse("intake:review", args=[appointment.reference]), data)


def held(appointment) -> bool:
    appointment.patient.refresh_from_db()
    return appointment.patient.treatment_hold


# Absolute: never cleared


def test_an_absolute_hit_is_not_offered_cleared_and_a_posted_clear_is_refused(client, visit, injector_user):
    appointment, token = visit()
    intake(client, token, REACTION)
    client.force_login(injector_user)
    page = review_page(client, appointment)
    assert 'value="cleared"' not in page and "Cleared to treat" not in page
    assert 'value="do_not_treat"' in page and 'value="consultation"' in page
    response = decide(client, appointment, "cleared", "The reaction was to a cream")  # a forged post
    assert response.status_code == 200
    assert "can&#x27;t be cleared: an absolute contraindication" in response.content.decode()
    assert not ScreeningDecision.objects.exists() and held(appointment)
    assert decide(client, appointment, "do_not_treat").status_code == 302  # no note needed to refuse
    appointment.refresh_from_db()
    assert appointment.intake_status == IntakeStatus.FLAGGED and held(appointment)


def test_the_service_refuses_to_clear_an_absolute_hit_with_a_field_error(client, visit, injector_user):
    appointment, token = visit(dob=timezone.now().date().replace(year=timezone.now().year - 17))  # under 18
    intake(client, token)
    with pytest.raises(IntakeError) as refused:
        screening_decide(appointment=appointment, decision=Decision.CLEARED, note="Looks older",
                         actor=injector_user, now=timezone.now())  # fmt: skip
    assert refused.value.field == "decision" and "under 18" in refused.value.detail
    assert not ScreeningDecision.objects.exists() and held(appointment)


# Defer: cleared only with a note saying why it no longer applies


def test_clearing_a_defer_hit_needs_a_note(client, visit, injector_user):
    appointment, token = visit()
    intake(client, token, INFECTION)
    assert held(appointment)
    client.force_login(injector_user)
    page = review_page(client, appointment)
    assert 'value="cleared"' in page and "why it no longer applies" in page
    response = decide(client, appointment, "cleared", "   ")
    assert response.status_code == 200 and "Write why it no longer applies" in response.content.decode()
    assert not ScreeningDecision.objects.exists() and held(appointment)
    with pytest.raises(IntakeError) as refused:
        screening_decide(appointment=appointment, decision=Decision.CLEARED, note="", actor=injector_user,
                         now=timezone.now())  # fmt: skip
    assert refused.value.field == "note"
    assert decide(client, appointment, "cleared", "Healed: seen at the consultation").status_code == 302
    assert ScreeningDecision.objects.get().note == "Healed: seen at the consultation"
    assert not held(appointment)


def test_a_defer_hit_can_be_kept_on_hold_without_a_note(client, visit, injector_user):
    appointment, token = visit()
    intake(client, token, {"pregnancy": "yes"})
    client.force_login(injector_user)
    assert decide(client, appointment, "do_not_treat").status_code == 302
    assert held(appointment)


# Review: the injector's decision with a note


@pytest.mark.parametrize("decision", ["cleared", "consultation", "do_not_treat"])
def test_a_review_hit_needs_a_note_whatever_the_decision(client, visit, injector_user, decision):
    appointment, token = visit()
    intake(client, token, BLEEDING)
    client.force_login(injector_user)
    assert "Note (required)" in review_page(client, appointment)
    response = decide(client, appointment, decision, "")
    assert response.status_code == 200 and "Write a note with your decision" in response.content.decode()
    assert not ScreeningDecision.objects.exists()
    assert decide(client, appointment, decision, "Fish oil: stop is not needed, pressure after").status_code == 302
    assert ScreeningDecision.objects.get().decision == decision


# Rule 2: which allergy, and the products it rules out


@pytest.mark.parametrize(
    "which,expected",
    [("albumin", {"albumin"}), ("milk", {"milk"}), ("both", {"albumin", "milk"}), ("unsure", {"albumin", "milk"})],
)
def test_product_allergies_follow_the_choice(client, visit, which, expected):
    appointment, token = visit()
    intake(client, token, {"albumin-milk-allergy": "yes", "albumin-milk-allergy.which": which,
                           "albumin-milk-allergy.allergy": "Hives"})  # fmt: skip
    history = MedicalHistory.objects.get()
    assert history.answers["albumin-milk-allergy.which"] == which
    assert product_allergies(appointment) == frozenset(expected)


def test_no_allergy_rules_nothing_out_and_the_choice_is_required(client, visit):
    appointment, token = visit()
    intake(client, token)
    assert product_allergies(appointment) == frozenset()
    _later, later_token = visit(hour=14)
    posted = {**all_no(), "albumin-milk-allergy": "yes", "albumin-milk-allergy.allergy": "Hives"}
    response = client.post(reverse("intake:step", args=[later_token, "history"]), posted)
    assert response.status_code == 400 and response.content.decode().count("Please tell us a little more.") == 1


def test_an_unproven_links_allergies_add_the_patients_own(client, visit):
    _own, own_token = visit()
    intake(client, own_token, {"albumin-milk-allergy": "yes", "albumin-milk-allergy.which": "milk",
                               "albumin-milk-allergy.allergy": "Hives"})  # fmt: skip
    appointment, token = visit(hour=11, source=Source.ONLINE)
    intake(client, token)  # says no allergy
    assert not appointment.identity_verified and product_allergies(appointment) == frozenset({"milk"})


def test_an_older_history_with_a_yes_but_no_choice_counts_as_both(client, visit):
    appointment, token = visit()
    intake(client, token)
    MedicalHistory.objects.filter(appointment=appointment).update(
        answers={"albumin-milk-allergy": "yes", "albumin-milk-allergy.allergy": "Which, and what happens? Milk"}
    )
    assert product_allergies(appointment) == frozenset({"albumin", "milk"})


def test_the_injector_reads_which_allergy_and_the_products_it_rules_out(client, visit, injector_user):
    appointment, token = visit()
    intake(client, token, {"albumin-milk-allergy": "yes", "albumin-milk-allergy.which": "milk",
                           "albumin-milk-allergy.allergy": "Hives"})  # fmt: skip
    client.force_login(injector_user)
    page = review_page(client, appointment)
    assert "Cow&#x27;s milk protein; Hives" in page  # the hit's detail, in words
    assert "(Botox, Dysport, Xeomin, Jeuveau, Letybo: all but Daxxify)" in page
    assert "cow&#x27;s milk protein allergy: absolute for Dysport" in page


# A review's top-up is the last toxin treatment too


def test_a_top_up_at_a_review_counts_as_the_last_toxin_treatment(client, visit):
    appointment, token = visit()
    review = Service.objects.get(slug="two-week-review")  # the catalog's: not a toxin treatment by itself
    assert not review.is_toxin_treatment
    AppointmentFactory(patient=appointment.patient, service=review, status=AppointmentStatus.COMPLETED,
                       start=appointment.start - timedelta(days=60), toxin_given=True)  # fmt: skip
    intake(client, token)
    hits = list(MedicalHistory.objects.get().hits.values_list("code", "detail"))
    expected_day = (appointment.start - timedelta(days=60)).date()
    assert hits == [("recent-toxin-here", f"Last toxin treatment here on {expected_day:%b %-d, %Y}")]


def test_a_review_without_units_is_not_a_toxin_treatment(client, visit):
    appointment, token = visit()
    review = Service.objects.get(slug="two-week-review")  # the catalog's: not a toxin treatment by itself
    assert not review.is_toxin_treatment
    AppointmentFactory(patient=appointment.patient, service=review, status=AppointmentStatus.COMPLETED,
                       start=appointment.start - timedelta(days=60), toxin_given=False)  # fmt: skip
    intake(client, token)
    assert not MedicalHistory.objects.get().hits.exists()


# The patient pages claim no review that doesn't happen


def test_the_home_page_says_which_answers_an_injector_reviews(client, clinic):
    page = " ".join(client.get(reverse("treatments:home")).content.decode().split())
    assert "every answer" not in page
    assert "pick out any answer that needs a closer look, and a licensed injector reviews those" in page
