"""Playwright driving Debian's Chromium (`playwright install` cannot download browsers here)."""

import os
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
ROOT = Path(__file__).resolve().parents[2]
# Screenshots to look at after a run; var/ is not committed.
SCREENSHOTS = ROOT / "var" / "screenshots"
# axe-core, pinned in package.json and installed by `npm ci` (node_modules/ is not committed).
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# axe's default rules, plus the experimental one that checks a control's spoken name contains
# its visible text (WCAG 2.5.3, Label in Name).
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"label-content-name-mismatch": {"enabled": True}}}
BLOCKING_IMPACTS = ("serious", "critical")


@pytest.fixture
def browser(db):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is missing at {CHROMIUM}; CI must run the browser tests")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in the test's thread while it is started.
    # With a loop running, Django hands this thread other connection objects (asgiref's
    # Local), so the browser starts after the test database is set up (the `db` argument)
    # and stops before it is flushed; meanwhile the tests' own ORM calls stay synchronous,
    # so Django's async guard is lifted for exactly that long.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
            # The connections the test opened while the loop ran are its own; close them here,
            # or the test database cannot be dropped at the end of the run.
            connections.close_all()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    if os.environ.get("PIN_AT"):  # the session runs at a pinned instant (tests/pinclock.py): so does the page
        from datetime import UTC, datetime

        page.clock.install(time=datetime.now(UTC))
    yield page
    context.close()


def screenshot(page, name: str, *, docs: str | None = None) -> Path:
    """The page, whole, in var/screenshots/<name>.png. With `docs`, the README's picture too when
    DOCS_SCREENSHOTS=1: docs/<docs>.png at CSS-pixel size in 256 colours (small enough to commit)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if docs and os.environ.get("DOCS_SCREENSHOTS") == "1":
        _docs_copy(path, ROOT / "docs" / f"{docs}.png", page.viewport_size["width"])
    return path


def _docs_copy(source: Path, target: Path, css_width: int, max_height: int = 1600) -> None:
    from PIL import Image

    with Image.open(source) as image:
        scale = css_width / image.width
        small = image.convert("RGB").resize((css_width, round(image.height * scale)), Image.LANCZOS)
        small = small.crop((0, 0, css_width, min(small.height, max_height)))
        small.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)


class Axe:
    """Runs axe-core in a page; injected as a script tag, so the page's context must bypass CSP."""

    def __init__(self, script: Path) -> None:
        self.script = script

    def violations(self, page, *, context: str | dict = "document") -> list[dict]:
        """Every violation on the page now: rule id, impact, help text and the offending nodes."""
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(self.script))
        return page.evaluate(
            """async ([context, options]) => {
                const target = context === "document" ? document : context;
                const result = await window.axe.run(target, options);
                return result.violations.map((v) => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map((n) => n.target.join(" ") + ": " + n.failureSummary),
                }));
            }""",
            [context, AXE_OPTIONS],
        )

    def assert_no_serious(self, page, where: str) -> list[dict]:
        """Fails on any serious or critical violation; returns the milder ones for the caller."""
        found = self.violations(page)
        blocking = [v for v in found if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"axe on {where}:\n" + "\n".join(
            f"- {v['impact']} {v['id']} ({v['help']}):\n    " + "\n    ".join(v["nodes"][:5]) for v in blocking
        )
        return found


@pytest.fixture
def axe():
    if not AXE_JS.exists():
        message = f"axe-core is missing at {AXE_JS}; run `npm ci` in the repository root"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must run the accessibility checks)")
        pytest.skip(message)
    return Axe(AXE_JS)
