"""Imports point down only: treatments < bookings < intake < charting < reminders < audit < reports.

A lower app never imports a higher one (at module level or inside a function: both are read from
the source with `ast`). A higher app hears of a lower one's changes through the lower app's signals
and shows its state through fields the lower app's services write.

medspa is the shell and may be imported by every app. What medspa may import:
- its wiring modules (settings, urls, api, celery, wsgi/asgi and management commands), the
  composition root, may name and import any app: that is how the apps are put together;
- every other medspa module (templatetags, middleware, views, sign-in, context processors, the
  shared helpers the apps import) imports no app at all, or the shell would import what imports it.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["treatments", "bookings", "intake", "charting", "reminders", "audit", "reports"]
SHELL = "medspa"
SHELL_WIRING = {"settings", "urls", "api", "celery", "wsgi", "asgi", "management"}


def _imported_modules(path: Path, package: str) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in a file, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
    return found


def violations(root: Path = ROOT) -> list[str]:
    """Every import that points up the layers, or from medspa's shared modules into an app."""
    problems = []
    for app in [*ORDER, SHELL]:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root).with_suffix("")
            parts = list(relative.parts)
            package = ".".join(parts if parts[-1] == "__init__" else parts[:-1]).removesuffix(".__init__")
            for line, module in _imported_modules(path, package):
                target = module.split(".")[0]
                if target not in ORDER:
                    continue
                where = f"{path.relative_to(root)}:{line} imports {module}"
                if app == SHELL:
                    if len(parts) > 1 and parts[1] not in SHELL_WIRING:
                        problems.append(f"{where} (medspa's shared modules import no app)")
                elif ORDER.index(target) > ORDER.index(app):
                    problems.append(f"{where} ({app} is below {target})")
    return problems


def test_no_import_points_up():
    assert violations() == []


def test_the_check_finds_an_import_that_points_up(tmp_path):
    for app in [*ORDER, SHELL]:
        (tmp_path / app).mkdir()
    (tmp_path / "bookings" / "services.py").write_text("def f():\n    from intake.models import FollowUp\n")
    (tmp_path / "intake" / "views.py").write_text("from . import models\nfrom bookings import models\n")
    (tmp_path / "medspa" / "middleware.py").write_text("import reminders.services\n")
    (tmp_path / "medspa" / "urls.py").write_text("import reminders.urls\n")
    (tmp_path / "reminders" / "signals.py").write_text("from intake import signals\nfrom .models import Message\n")
    assert violations(tmp_path) == [
        "bookings/services.py:2 imports intake.models (bookings is below intake)",
        "medspa/middleware.py:1 imports reminders.services (medspa's shared modules import no app)",
    ]


def shell_borrowers(root: Path = ROOT) -> list[str]:
    """The staff shell is medspa's: no app reaches into another app's views for the access helpers,
    and no app's template extends another app's page."""
    import re

    problems = []
    for app in ORDER:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root).with_suffix("")
            parts = list(relative.parts)
            package = ".".join(parts if parts[-1] == "__init__" else parts[:-1]).removesuffix(".__init__")
            for line, module in _imported_modules(path, package):
                owner, *rest = module.split(".")
                if owner in ORDER and owner != app and rest[:1] == ["views"]:
                    problems.append(f"{path.relative_to(root)}:{line} imports {module}")
        for path in sorted((root / app).rglob("*.html")):
            for match in re.finditer(r'{%\s*extends\s+"([^/"]+)/', path.read_text(encoding="utf-8")):
                if match.group(1) in ORDER and match.group(1) != app:
                    problems.append(f"{path.relative_to(root)} extends {match.group(1)}'s template")
    return problems


def test_every_app_uses_the_shell_not_another_apps_views():
    assert shell_borrowers() == []


def test_the_shell_check_finds_a_borrower(tmp_path):
    for app in [*ORDER, SHELL]:
        (tmp_path / app).mkdir()
    (tmp_path / "intake" / "views.py").write_text("from bookings.views.access import require\n")
    (tmp_path / "reminders" / "page.html").write_text('{% extends "bookings/staff/base.html" %}\n')
    (tmp_path / "charting" / "ok.html").write_text('{% extends "staff/base.html" %}\n')
    assert shell_borrowers(tmp_path) == [
        "intake/views.py:1 imports bookings.views.access",
        "reminders/page.html extends bookings's template",
    ]
