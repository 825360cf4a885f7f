"""The screening rules, as one table: what we ask, how serious a "yes" is, and what each side is told.

Severities (the clinical reference's A / D / R):
- ABSOLUTE: no treatment, and no injector can clear it (only "do not treat" or "consultation needed
  first"); online booking of toxin treatments is refused while the hold lasts.
- DEFER: not now; the same hold until an injector clears it with a note saying why it no longer applies.
- REVIEW: an injector decides before treatment, with a note.
Rules never tell a patient to stop a prescribed medicine (question 9): they route to the injector.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum


class Severity(StrEnum):
    ABSOLUTE = "absolute"
    DEFER = "defer"
    REVIEW = "review"


@dataclass(frozen=True)
class FollowUp:
    """A detail asked when the answer is yes."""

    name: str
    label: str
    kind: str = "text"  # text | date | choice
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Rule:
    code: str
    question: str
    severity: Severity
    tells_patient: str
    tells_injector: str
    follow_ups: tuple[FollowUp, ...] = field(default_factory=tuple)
    hint: str = ""


PRODUCTS = (
    ("botox", "Botox"), ("dysport", "Dysport"), ("xeomin", "Xeomin"), ("jeuveau", "Jeuveau"),
    ("daxxify", "Daxxify"), ("letybo", "Letybo"), ("unknown", "Not sure"),
)  # fmt: skip

# Rule 2's follow-up: which allergy. "albumin" rules out every product with human albumin (all but
# Daxxify), "milk" rules out Dysport; "both" and "unsure" rule out both (intake.selectors.product_allergies).
ALLERGY_CHOICES = (
    ("albumin", "Human albumin"), ("milk", "Cow's milk protein"), ("both", "Both"), ("unsure", "Not sure"),
)  # fmt: skip

CALL_YOU = "Thank you for telling us. Before any treatment, the clinic will call you to talk it through."
NOT_NOW = "Thank you. Treatment isn't recommended for now; the clinic will call to plan the right time."
WE_REVIEW = "Thank you. Your injector will look at this before your visit."

RULES: tuple[Rule, ...] = (
    Rule(
        "toxin-reaction",
        "Have you ever reacted badly to Botox, Dysport, Xeomin or any similar product, or to their ingredients?",
        Severity.ABSOLUTE,
        CALL_YOU,
        "Prior reaction to a botulinum toxin product or ingredient: contraindicated.",
        (FollowUp("reaction", "What happened, and with which product?"),),
    ),
    Rule(
        "albumin-milk-allergy",
        "Are you allergic to human albumin or to cow's milk protein?",
        Severity.REVIEW,
        WE_REVIEW,
        "Human albumin allergy: absolute for every product with albumin (Botox, Dysport, Xeomin, Jeuveau, "
        "Letybo: all but Daxxify); cow's milk protein allergy: absolute for Dysport. Choose the product accordingly.",
        (
            FollowUp("which", "Which are you allergic to?", "choice", ALLERGY_CHOICES),
            FollowUp("allergy", "What happens when you react?"),
        ),
    ),
    Rule(
        "skin-infection",
        "Do you have an infection, a cold sore or another skin problem where you'd be injected?",
        Severity.DEFER,
        NOT_NOW,
        "Active infection or skin condition at the injection site: defer until it has healed.",
        (FollowUp("where", "Where, and what is it?"),),
    ),
    Rule(
        "pregnancy",
        "Are you pregnant, trying to become pregnant, or breastfeeding?",
        Severity.DEFER,
        NOT_NOW,
        "Pregnancy, planned pregnancy or breastfeeding: defer (sources disagree on breastfeeding).",
    ),
    Rule(
        "neuromuscular",
        "Do you have myasthenia gravis, Lambert-Eaton syndrome, ALS or another nerve or muscle disease?",
        Severity.REVIEW,
        WE_REVIEW,
        "Neuromuscular disease: usually decline.",
        (FollowUp("condition", "Which condition?"),),
    ),
    Rule(
        "swallowing-breathing-heart",
        "Do you have trouble swallowing or breathing, or any heart disease?",
        Severity.REVIEW,
        WE_REVIEW,
        "Dysphagia, breathing difficulty or cardiac disease.",
        (FollowUp("details", "Please describe"),),
    ),
    Rule(
        "interacting-medicines",
        "Are you taking an antibiotic such as gentamicin or tobramycin, a muscle "
        "relaxant, an anticholinergic, or magnesium?",
        Severity.REVIEW,
        WE_REVIEW,
        "Aminoglycosides, muscle relaxants, anticholinergics or magnesium: potentiation.",
        (FollowUp("medicines", "Which medicines?"),),
    ),
    Rule(
        "recent-toxin",
        "Have you had any Botox-type injection, of any brand, anywhere on the body, in the last 3 months?",
        Severity.REVIEW,
        WE_REVIEW,
        "Toxin treatment under 90 days ago.",
        (FollowUp("when", "About when?", "date"), FollowUp("product", "Which product?", "choice", PRODUCTS)),
    ),
    Rule(
        "bleeding",
        "Do you take a blood thinner, aspirin or anti-inflammatories, fish oil, vitamin E or ginkgo?",
        Severity.REVIEW,
        WE_REVIEW,
        "Bleeding and bruising risk. Never advise stopping a prescribed anticoagulant.",
        (FollowUp("medicines", "Which?"),),
        hint="Don't stop any prescribed medicine; just tell us.",
    ),
    Rule(
        "face-history",
        "Have you had facial surgery, or do you have drooping eyelids or brows, marked asymmetry or deep scarring?",
        Severity.REVIEW,
        WE_REVIEW,
        "Facial surgery, ptosis, marked asymmetry or deep scarring.",
        (FollowUp("details", "Please describe"),),
    ),
    Rule(
        "keloid-bdd",
        "Do you form keloid scars, or have you been diagnosed with body dysmorphic disorder?",
        Severity.REVIEW,
        WE_REVIEW,
        "Keloids or body dysmorphic disorder.",
    ),
    Rule(
        "stopped-working",
        "Have earlier Botox-type treatments stopped working for you?",
        Severity.REVIEW,
        WE_REVIEW,
        "Loss of effect: possible neutralising antibodies.",
        (FollowUp("details", "Please describe"),),
    ),
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}

# Not a question: computed from the date of birth and the clinic's own records.
UNDER_18 = Rule("under-18", "", Severity.ABSOLUTE, CALL_YOU, "Under 18: not treated.")
RECENT_HERE = Rule(
    "recent-toxin-here", "", Severity.REVIEW, WE_REVIEW, "A toxin treatment here under 90 days before this visit."
)
RETREATMENT_DAYS = 90


@dataclass(frozen=True)
class Hit:
    rule: Rule
    detail: str = ""


def _in_words(follow_up: FollowUp, value: object) -> str:
    """A follow-up answer for the hit's detail: a choice by its label ("Cow's milk protein", "Dysport")."""
    if follow_up.kind == "choice":
        return dict(follow_up.choices).get(str(value), str(value or ""))
    return str(value or "")


def screen(answers: dict, *, date_of_birth: date, visit_day: date, last_toxin_here: date | None = None) -> list[Hit]:
    """The rules a set of answers trips, most serious first. Pure: no database, no clock."""
    hits = []
    for rule in RULES:
        if answers.get(rule.code) == "yes":
            details = [_in_words(f, answers.get(f"{rule.code}.{f.name}", "")) for f in rule.follow_ups]
            hits.append(Hit(rule, "; ".join(d for d in details if d)))
    age = visit_day.year - date_of_birth.year - ((visit_day.month, visit_day.day) < (date_of_birth.month,
                                                                                     date_of_birth.day))  # fmt: skip
    if age < 18:
        hits.append(Hit(UNDER_18, f"Age {age} on the day of the visit"))
    if last_toxin_here is not None and (visit_day - last_toxin_here) < timedelta(days=RETREATMENT_DAYS):
        hits.append(Hit(RECENT_HERE, f"Last toxin treatment here on {last_toxin_here:%b %-d, %Y}"))
    order = {Severity.ABSOLUTE: 0, Severity.DEFER: 1, Severity.REVIEW: 2}
    return sorted(hits, key=lambda hit: order[hit.rule.severity])


def blocks_treatment(hits: list[Hit]) -> bool:
    return any(hit.rule.severity in (Severity.ABSOLUTE, Severity.DEFER) for hit in hits)


class Outcome(StrEnum):
    """What the patient is told once their intake is in, from the most serious hit."""

    ALL_SET = "all-set"  # no hits
    WE_REVIEW = "review"  # review hits only: the injector looks before the visit
    NOT_NOW = "not-now"  # a defer hit: treatment stops for now
    CALL_YOU = "call-you"  # an absolute hit: the clinic calls before any treatment

    @property
    def message(self) -> str:
        """The words on the done page; empty for ALL_SET (the page thanks them in its own words)."""
        return {Outcome.CALL_YOU: CALL_YOU, Outcome.NOT_NOW: NOT_NOW, Outcome.WE_REVIEW: WE_REVIEW}.get(self, "")

    @property
    def blocked(self) -> bool:
        """Whether it stops treatment for now (the page then leads with it)."""
        return self in (Outcome.CALL_YOU, Outcome.NOT_NOW)


def outcome_for(severities: Iterable[str]) -> Outcome:
    """The outcome of a screening with hits of these severities. Pure."""
    found = set(severities)
    if Severity.ABSOLUTE in found:
        return Outcome.CALL_YOU
    if Severity.DEFER in found:
        return Outcome.NOT_NOW
    return Outcome.WE_REVIEW if found else Outcome.ALL_SET


def rule_for(code: str) -> Rule | None:
    """The rule behind a stored hit's code, computed ones included."""
    return RULES_BY_CODE.get(code) or {UNDER_18.code: UNDER_18, RECENT_HERE.code: RECENT_HERE}.get(code)


def decision_refusal(severities: set[str], *, clears: bool, note: str) -> tuple[str, str] | None:
    """Why an injector's decision on hits of these severities can't be recorded, as (field, message),
    or None. The one rule for the review form and the service:

    - an absolute hit is never cleared (only "do not treat" or "consultation needed first");
    - a defer hit is cleared only with a note saying why it no longer applies;
    - a review hit needs a note with whatever is decided.
    """
    if clears and Severity.ABSOLUTE in severities:
        return "decision", (
            "This can't be cleared: an absolute contraindication (a reaction to a toxin product or its "
            "ingredients, or under 18). Choose “Do not treat” or “Consultation needed first”."
        )
    if note.strip():
        return None
    if clears and Severity.DEFER in severities:
        return "note", (
            "Write why it no longer applies (for example: the infection has healed, or the patient is no "
            "longer pregnant or breastfeeding)."
        )
    if Severity.REVIEW in severities:
        return "note", "Write a note with your decision: what you checked and why."
    return None
