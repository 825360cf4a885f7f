"""No web page template holds what the Content-Security-Policy refuses.

Inline event handlers (onclick=, onchange=, ...), style attributes, <script> blocks that are
code rather than JSON data, and <style> blocks without the request's nonce. Email templates
are not web pages (mail clients need inline styles), so they are left out.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIP_DIRS = {".venv", "node_modules", "var", ".git", "tests"}


def is_email(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return "email" in parts or path.name == "email.html"


def web_templates() -> list[Path]:
    found = []
    for path in sorted(ROOT.rglob("*.html")):
        parts = path.relative_to(ROOT).parts
        if SKIP_DIRS & set(parts) or "templates" not in parts or is_email(path):
            continue
        found.append(path)
    return found


HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE | re.DOTALL)
SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style\b([^>]*)>", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def problems(text: str) -> list[str]:
    found = []
    if match := HANDLER.search(text):
        found.append(f"inline event handler: {match.group(0)[-60:]!r}")
    if match := STYLE_ATTRIBUTE.search(text):
        found.append(f"style attribute: {match.group(0)[-60:]!r}")
    for match in SCRIPT.finditer(text):
        attributes = match.group(1)
        if "src=" not in attributes and 'type="application/json"' not in attributes:
            found.append(f"inline script: {match.group(0)!r}")
    for match in STYLE_BLOCK.finditer(text):
        if "nonce=" not in match.group(1):
            found.append(f"<style> without a nonce: {match.group(0)!r}")
    if match := JAVASCRIPT_URL.search(text):
        found.append(f"javascript: URL: {match.group(0)!r}")
    return found


def test_the_walk_finds_the_templates_and_leaves_out_the_emails():
    names = {str(p.relative_to(ROOT)) for p in web_templates()}
    assert "templates/base.html" in names and "bookings/templates/bookings/staff/_grid.html" in names
    assert not any("/email/" in name or name.endswith("email.html") for name in names)


@pytest.mark.parametrize("path", web_templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_template_has_nothing_the_policy_refuses(path):
    assert problems(path.read_text()) == []


@pytest.mark.parametrize(
    "html",
    [
        '<select name="x" onchange="this.form.submit()">',
        '<button type="button"\n        onclick="window.print()">',
        '<div class="a" style="max-width: 40rem;">',
        "<script>alert(1)</script>",
        "<style>.a{color:red}</style>",
        '<a href="javascript:void(0)">',
    ],
)
def test_the_lint_catches_each_kind(html):
    assert problems(html)


@pytest.mark.parametrize(
    "html",
    [
        '<script type="module" src="{% static \'js/page.js\' %}"></script>',
        '<script type="application/json" id="booking-config">{}</script>',
        '<style nonce="{{ request.csp_nonce }}">#a{grid-row:1}</style>',
        '<button type="button" data-print>Print</button>',
        "<p>Add the conversation notes</p>",
    ],
)
def test_the_lint_lets_the_allowed_kinds_through(html):
    assert problems(html) == []
