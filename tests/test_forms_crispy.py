"""Every form is drawn by crispy-forms (medspa/forms.py): no page includes the old hand-written
partial, no post form renders a field's bare widget or writes its own inputs, and what the pack's
templates emit passes the Content-Security-Policy lint."""

import re
from pathlib import Path

import crispy_bootstrap5
import crispy_forms
import pytest

from tests.test_templates_csp import ROOT, problems, web_templates

FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.IGNORECASE | re.DOTALL)
POST = re.compile(r"""\bmethod\s*=\s*["']?post\b""", re.IGNORECASE)
INCLUDE = re.compile(r"""\{%\s*include\s+["']([^"']+)["']""")
# `{{ form.x }}`, `{{ field }}`, `{{ row.weekday }}`, `{{ formset.management_form }}`, `{{ cell.field }}`…
# printed as an element's content (not inside a tag's attribute) and through no filter: a bare widget.
BARE_FIELD = re.compile(r"\{\{\s*((?:form|formset|field|row|answer|\w+_form)(?:\.\w+)?|[\w.]+\.field)\s*\}\}")
CONTROL = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.IGNORECASE | re.DOTALL)
NOT_A_FIELD = re.compile(r"""\btype\s*=\s*["']?(hidden|submit|button)\b""", re.IGNORECASE)

# Controls a post form writes itself because no form field stands behind them, each with why.
OWN_CONTROLS = {
    # The free times, computed by slots_available: the form's `start` is the time picked.
    "bookings/templates/bookings/staff/_slot_choices.html": {"input"},
    # The patient search box belongs to the page's GET form (form="find-patient"), not the booking.
    "bookings/templates/bookings/staff/book.html": {"input"},
    # One reason per warning the checks raised on the saved draft; the warnings are not form fields.
    "charting/templates/charting/_record_form.html": {"textarea"},
}


def template_path(name: str) -> Path | None:
    for candidate in [ROOT / "templates" / name, *ROOT.glob(f"*/templates/{name}")]:
        if candidate.is_file():
            return candidate
    return None


def post_forms() -> list[tuple[Path, str]]:
    """Each post form of every web template, with the partials it includes (one level) as separate parts."""
    found = []
    for path in web_templates():
        for form in FORM.findall(path.read_text()):
            if not POST.search(form[: form.index(">")]):
                continue
            found.append((path, form))
            for name in INCLUDE.findall(form):
                if (partial := template_path(name)) is not None:
                    found.append((partial, partial.read_text()))
    return found


def outside_tags(html: str) -> str:
    """The template without what sits inside a tag's angle brackets (attribute values)."""
    return re.sub(r"<[a-zA-Z][^<>]*>", "<>", html)


def test_the_hand_written_partial_is_gone_and_nothing_includes_it():
    assert not (ROOT / "bookings/templates/bookings/staff/_form_field.html").exists()
    assert [str(p.relative_to(ROOT)) for p in web_templates() if "_form_field.html" in p.read_text()] == []


def test_the_walk_finds_the_post_forms_and_their_partials():
    names = {str(path.relative_to(ROOT)) for path, _ in post_forms()}
    assert {"templates/registration/login.html", "intake/templates/intake/_step.html",
            "bookings/templates/bookings/staff/_slot_choices.html"} <= names  # fmt: skip


@pytest.mark.parametrize("path, form", post_forms(), ids=lambda value: getattr(value, "name", "form"))
def test_a_post_form_draws_its_fields_through_crispy(path, form):
    name = str(path.relative_to(ROOT))
    bare = BARE_FIELD.findall(outside_tags(form))
    assert bare == [], f"{name} renders bare widgets {bare}: use |as_crispy_field or |crispy"
    own = {tag.lower() for tag, attributes in CONTROL.findall(form) if not NOT_A_FIELD.search(attributes)}
    assert own <= OWN_CONTROLS.get(name, set()), f"{name} writes its own {sorted(own)}: draw the field with crispy"


def test_the_check_catches_a_bare_widget_and_a_hand_written_input():
    assert BARE_FIELD.findall(outside_tags("<td>{{ row.weekday }}</td><p>{{ form.signature }}{{ cell.field }}</p>"))
    assert BARE_FIELD.findall(outside_tags("{% for field in form %}{{ field }}{% endfor %}")) == ["field"]
    assert not BARE_FIELD.findall(outside_tags('<input value="{{ form.date.value }}">{{ form.notes|as_crispy_field }}'))
    assert not BARE_FIELD.findall(outside_tags('<input name="lot_rows" value="{{ form.lot_rows }}">{{ form|crispy }}'))
    assert CONTROL.findall('<select name="state">') and NOT_A_FIELD.search(' type="hidden" name="next"')


def pack_templates() -> list[Path]:
    return sorted(
        path
        for package in (crispy_forms, crispy_bootstrap5)
        for path in (Path(package.__file__).parent / "templates").rglob("*.html")
        if "bootstrap5" in path.parts or package is crispy_forms
    )


def test_the_packs_templates_are_found():
    assert any(path.name == "field.html" for path in pack_templates())


@pytest.mark.parametrize("path", pack_templates(), ids=lambda p: "/".join(p.parts[-3:]))
def test_the_packs_templates_hold_nothing_the_policy_refuses(path):
    assert problems(path.read_text()) == []
