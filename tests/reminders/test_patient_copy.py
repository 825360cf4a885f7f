"""Patient copy says the same thing everywhere it says it:

- aspirin and ibuprofen are skipped only "unless a doctor prescribed them", and never "stop a
  prescribed medicine without asking" (the aftercare sheet, pre-care, area pages, consent, intake,
  emails and texts: every source file and, for what data migrations ship, the database);
- one window for rubbing or massaging the treated area, on the sheet, the consent, the area pages
  and the messages.
"""

import ast
import re
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags

from intake.selectors import consent_text_for
from reminders.models import Message
from tests.factories import MessageFactory
from treatments.models import AftercareStep, Service, TreatmentArea

from .chart import NEW_YORK, Given, chart, complete, visit, words

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
# Data migrations are checked by what they leave in the database (a later one corrects an earlier).
SKIP_DIRS = {"tests", "migrations", "node_modules", ".venv", "var", "bench", "static", ".git"}
PAINKILLER = re.compile(r"aspirin|ibuprofen|nsaid|anti-inflammator", re.IGNORECASE)
UNLESS = "unless a doctor prescribed"
NEVER_STOP = "never stop a prescribed medicine without asking"
RUBBING = re.compile(r"\b(?:rub|rubs|rubbing|rubbed)\b|massag", re.IGNORECASE)
WINDOW = re.compile(r"\b(\d+(?:\s*(?:–|-|to)\s*\d+)?)\s*(hours?|days?|minutes?|weeks?)\b", re.IGNORECASE)


def source_texts() -> list[tuple[str, str]]:
    """(where, text) for every string in the project's Python and every template or text file."""
    found = []
    for path in sorted(ROOT.rglob("*")):
        if path.suffix not in (".py", ".html", ".txt") or SKIP_DIRS & set(path.relative_to(ROOT).parts):
            continue
        where = str(path.relative_to(ROOT))
        content = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            found += [(where, node.value) for node in ast.walk(ast.parse(content))
                      if isinstance(node, ast.Constant) and isinstance(node.value, str)]  # fmt: skip
        else:
            found.append((where, strip_tags(content)))
    return found


def database_texts() -> list[tuple[str, str]]:
    """The patient copy the data migrations ship and Managers edit."""
    found = [(f"aftercare step {s.pk} {s.key}", f"{s.title}. {s.body}") for s in AftercareStep.objects.all()]
    for service in Service.objects.all():
        found.append((f"service {service.slug}", service.summary))
        if text := consent_text_for(service):
            found.append((f"consent {text.title} v{text.version}", text.body))
    for area in TreatmentArea.objects.all():
        found.append((f"area {area.slug}", " ".join([area.summary, area.patient_cautions, area.expectations])))
    return found


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", " ".join(text.split("\n\n"))) if s.strip()]


def painkiller_advice_problems(texts) -> tuple[list[str], int]:
    """Texts that tell the patient to skip aspirin or ibuprofen without the prescribed-medicine rule."""
    problems, advice = [], 0
    for where, text in texts:
        for sentence in sentences(text):
            if not PAINKILLER.search(sentence) or sentence.endswith("?"):  # a question asks, it advises nothing
                continue
            advice += 1
            flat = " ".join(text.lower().split())
            if UNLESS not in flat or NEVER_STOP not in flat:
                problems.append(f"{where}: {sentence}")
    return problems, advice


def rubbing_windows(texts) -> tuple[dict[str, set[str]], list[str]]:
    """The window each text gives for rubbing or massage (in the clause that names it), and texts
    that name rubbing or massage with no window or with more than one."""
    windows: dict[str, set[str]] = {}
    unclear = []
    for where, text in texts:
        for sentence in sentences(text):
            for clause in re.split(r"[,;:(]|\band\b", sentence):
                if not RUBBING.search(clause):
                    continue
                found = {f"{amount} {unit.lower().rstrip('s')}" for amount, unit in WINDOW.findall(clause)}
                if len(found) != 1:
                    unclear.append(f"{where}: {clause.strip()}")
                windows.setdefault(where, set()).update(found)
    return windows, unclear


def charted_visit_messages() -> list[tuple[str, str]]:
    appointment = visit(datetime(2027, 3, 3, 10, tzinfo=NEW_YORK))
    chart(appointment, Given("botox-cosmetic", "glabella", units="20"))
    complete(appointment)
    pre_care = MessageFactory(appointment=appointment, kind="pre-care", step="week", due_at=appointment.start,
                              dedupe_key="copy-test-pre-care")  # fmt: skip
    messages = [pre_care, *Message.objects.filter(appointment=appointment, kind="aftercare")]
    return [(f"{m.kind}/{m.step} {channel}", words(m, channel)) for m in messages for channel in ("email", "sms")]


def area_pages(client) -> list[tuple[str, str]]:
    pages = {
        area.slug: client.get(reverse("treatments:area-detail", args=[area.slug]))
        for area in TreatmentArea.objects.active()
    }
    return [(f"page {slug}", strip_tags(page.content.decode())) for slug, page in pages.items()]


def test_aspirin_and_ibuprofen_are_skipped_only_unless_prescribed_everywhere(client):
    texts = source_texts() + database_texts() + charted_visit_messages() + area_pages(client)
    problems, advice = painkiller_advice_problems(texts)
    assert not problems, "\n".join(problems)
    # It found the advice where it is given: pre-care (source and both channels), the sheet (the
    # catalog, its email and text) and every area page that shows the sheet.
    assert advice >= 6 + TreatmentArea.objects.active().count()


def test_the_check_catches_the_old_wording():
    shipped = "For 24–48 hours skip strenuous exercise, alcohol, aspirin and ibuprofen. Wait 7 days."
    asked = "Do you take a blood thinner, aspirin or anti-inflammatories, fish oil, vitamin E or ginkgo?"
    problems, _ = painkiller_advice_problems([("old sheet", shipped), ("screening question", asked)])
    assert problems == ["old sheet: For 24–48 hours skip strenuous exercise, alcohol, aspirin and ibuprofen."]


def test_one_rubbing_and_massage_window_on_the_sheet_the_consent_the_area_pages_and_the_messages(client):
    texts = source_texts() + database_texts() + charted_visit_messages() + area_pages(client)
    windows, unclear = rubbing_windows(texts)
    assert not unclear, "\n".join(unclear)
    assert set().union(*windows.values()) == {"24 hour"}, windows
    named = " ".join(windows)
    assert "aftercare step" in named and "consent Consent to neuromodulator treatment" in named
    assert "page lip-flip" in named and "aftercare/sheet email" in named and "aftercare/upright sms" in named


def test_the_window_check_catches_two_windows():
    windows, unclear = rubbing_windows([("sheet", "For the next 4 hours don't rub the treated areas."),
                                        ("consent", "Avoid rubbing the area for 24 to 48 hours.")])  # fmt: skip
    assert windows == {"sheet": {"4 hour"}, "consent": {"24 to 48 hour"}} and not unclear
