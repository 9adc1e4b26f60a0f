"""Read pip-audit's JSON report: print every known vulnerability, fail only on those with a fix.

    pip-audit -f json -o audit.json; python tools/check_audit.py audit.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(path: str) -> int:
    if not Path(path).is_file():
        print("pip-audit could not run (no vulnerability service reachable): nothing was audited")
        return 0
    report = json.loads(Path(path).read_text())
    dependencies = report.get("dependencies", report) if isinstance(report, dict) else report
    audited = [d for d in dependencies if "skip_reason" not in d]
    fixable = []
    for dep in dependencies:
        for vuln in dep.get("vulns", []):
            fixes = vuln.get("fix_versions") or []
            print(f"{dep['name']} {dep['version']}: {vuln['id']} (fix: {', '.join(fixes) or 'none'})")
            if fixes:
                fixable.append(vuln["id"])
    skipped = len(dependencies) - len(audited)
    print(f"pip-audit: {len(audited)} packages audited, {skipped} could not be looked up, "
          f"{len(fixable)} known vulnerabilities with a fix")
    return 1 if fixable else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
