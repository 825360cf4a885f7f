"""The CI's security steps: bandit finds nothing high in the code, and the pip-audit step never
passes quietly when it audited nothing."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / ".ci" / "pip_audit_report.py"


def run_report(tmp_path, dependencies, *, status=0, strict=False):
    report = tmp_path / "audit.json"
    if dependencies is not None:
        report.write_text(json.dumps({"dependencies": dependencies, "fixes": []}))
    env = {"PATH": "/usr/bin:/bin", **({"PIP_AUDIT_STRICT": "1"} if strict else {})}
    return subprocess.run([sys.executable, REPORT, report, str(status)], capture_output=True, text=True, env=env)


def test_a_known_vulnerability_fails_the_build(tmp_path):
    vulns = [{"id": "PYSEC-2099-1", "fix_versions": ["9.9.9"]}]
    result = run_report(tmp_path, [{"name": "django", "version": "5.2.0", "vulns": vulns}], status=1)
    assert result.returncode == 1
    assert "VULNERABLE django 5.2.0: PYSEC-2099-1 (fixed in 9.9.9)" in result.stdout


@pytest.mark.parametrize("strict", [False, True])
def test_packages_that_could_not_be_audited_are_reported_and_fail_only_when_strict(tmp_path, strict):
    skipped = [{"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited"}]
    result = run_report(tmp_path, skipped, strict=strict)
    assert "NOT AUDITED: 1 packages" in result.stdout and "0 of 1 packages audited" in result.stdout
    assert result.returncode == (1 if strict else 0)


def test_an_audit_that_could_not_run_says_so(tmp_path):
    result = run_report(tmp_path, None, status=1)
    assert "NOT AUDITED. pip-audit could not run (exit 1)" in result.stdout and result.returncode == 0


def test_a_clean_audit_passes(tmp_path):
    result = run_report(tmp_path, [{"name": "django", "version": "5.2.19", "vulns": []}])
    assert result.returncode == 0 and "1 of 1 packages audited, 0 with known vulnerabilities" in result.stdout


def test_bandit_finds_nothing_of_high_severity_and_confidence_in_the_code():
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-q", "-c", "pyproject.toml", "-r", ".",
         "--severity-level", "high", "--confidence-level", "high"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
