"""The screening table: every rule's severity, and the checks computed rather than asked."""

from datetime import date

import pytest

from intake.screening import RULES, RULES_BY_CODE, Severity, blocks_treatment, screen

# The clinical reference's questions 1–12 (13, under 18, is computed from the date of birth).
EXPECTED = {
    "toxin-reaction": Severity.ABSOLUTE,
    "albumin-milk-allergy": Severity.REVIEW,
    "skin-infection": Severity.DEFER,  # temporary: treat once it has healed (issue 11)
    "pregnancy": Severity.DEFER,
    "neuromuscular": Severity.REVIEW,
    "swallowing-breathing-heart": Severity.REVIEW,
    "interacting-medicines": Severity.REVIEW,
    "recent-toxin": Severity.REVIEW,
    "bleeding": Severity.REVIEW,
    "face-history": Severity.REVIEW,
    "keloid-bdd": Severity.REVIEW,
    "stopped-working": Severity.REVIEW,
}
ADULT = date(1990, 1, 1)
VISIT = date(2027, 3, 15)


def all_no() -> dict:
    return {rule.code: "no" for rule in RULES}


def test_the_table_has_every_question_with_its_severity_and_both_messages():
    assert {rule.code: rule.severity for rule in RULES} == EXPECTED
    for rule in RULES:
        assert rule.question.endswith("?") and rule.tells_patient and rule.tells_injector


@pytest.mark.parametrize("code", list(EXPECTED))
def test_each_yes_trips_its_rule_with_its_severity(code):
    hits = screen({**all_no(), code: "yes"}, date_of_birth=ADULT, visit_day=VISIT)
    assert [(hit.rule.code, hit.rule.severity) for hit in hits] == [(code, EXPECTED[code])]
    assert blocks_treatment(hits) == (EXPECTED[code] in (Severity.ABSOLUTE, Severity.DEFER))


def test_all_no_trips_nothing():
    assert screen(all_no(), date_of_birth=ADULT, visit_day=VISIT) == []


def test_under_18_on_the_day_of_the_visit_is_absolute():
    hits = screen(all_no(), date_of_birth=date(2009, 3, 16), visit_day=VISIT)
    assert [(h.rule.code, h.rule.severity) for h in hits] == [("under-18", Severity.ABSOLUTE)]
    assert screen(all_no(), date_of_birth=date(2009, 3, 15), visit_day=VISIT) == []


def test_a_treatment_here_under_90_days_before_is_a_review_hit():
    hits = screen(all_no(), date_of_birth=ADULT, visit_day=VISIT, last_toxin_here=date(2027, 1, 1))
    assert [h.rule.code for h in hits] == ["recent-toxin-here"]
    assert screen(all_no(), date_of_birth=ADULT, visit_day=VISIT, last_toxin_here=date(2026, 12, 15)) == []


def test_hits_come_most_serious_first_with_the_details_given():
    answers = {**all_no(), "bleeding": "yes", "bleeding.medicines": "Warfarin", "pregnancy": "yes",
               "toxin-reaction": "yes", "toxin-reaction.reaction": "Hives after Dysport"}  # fmt: skip
    hits = screen(answers, date_of_birth=ADULT, visit_day=VISIT)
    assert [h.rule.code for h in hits] == ["toxin-reaction", "pregnancy", "bleeding"]
    assert hits[0].detail == "Hives after Dysport"
    assert "Never advise stopping" in RULES_BY_CODE["bleeding"].tells_injector
