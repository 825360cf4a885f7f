"""Read pip-audit's JSON report and say plainly what it found and what it could NOT check.

pip-audit answers "No known vulnerabilities found" and exits 0 even when it audited nothing
(each package "not found on PyPI": its vulnerability service, PyPI's per-version JSON API, is
unreachable or a mirror does not serve it). A security step must not pass quietly like that.

Exit 1: a known vulnerability in an installed pinned package (always fails the build).
Exit 1: the audit could not run or skipped packages, when PIP_AUDIT_STRICT=1.
Exit 0: otherwise, with a loud NOT AUDITED banner when anything was skipped.
"""

import json
import os
import sys
from pathlib import Path


def main(report: str, pip_audit_status: int) -> int:
    strict = os.environ.get("PIP_AUDIT_STRICT") == "1"
    path = Path(report)
    if not path.is_file() or not path.stat().st_size:
        print(f"pip-audit: NOT AUDITED. pip-audit could not run (exit {pip_audit_status}); its error is above.")
        print("           Usually its vulnerability service (pypi.org) was unreachable.")
        return 1 if strict else 0
    dependencies = json.loads(path.read_text())["dependencies"]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if "skip_reason" in d]
    audited = len(dependencies) - len(skipped)
    for d in vulnerable:
        for v in d["vulns"]:
            fix = ", ".join(v.get("fix_versions") or []) or "no fixed version yet"
            print(f"pip-audit: VULNERABLE {d['name']} {d['version']}: {v['id']} (fixed in {fix})")
    print(
        f"pip-audit: {audited} of {len(dependencies)} packages audited, {len(vulnerable)} with known vulnerabilities."
    )
    if skipped:
        print(f"pip-audit: NOT AUDITED: {len(skipped)} packages, e.g. {skipped[0]['skip_reason']}")
        print(
            "           (the vulnerability data could not be fetched for them; set PIP_AUDIT_STRICT=1 to fail on this)"
        )
    if vulnerable:
        return 1
    return 1 if (strict and skipped) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
