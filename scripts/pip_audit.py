"""Run pip-audit on the pinned requirements.

Only an unreachable vulnerability service may skip the audit, and then this says so plainly:
a connection error, or a service that answers "not found" for every single package (a
registry mirror without PyPI's JSON API), counts as unreachable. Any vulnerability fails.
"""

import json
import subprocess
import sys

UNREACHABLE = ("ConnectionError", "Max retries exceeded", "Name or service not known", "timed out")


def main() -> int:
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "-m",
            "pip_audit",
            "--progress-spinner",
            "off",
            "--format",
            "json",
            "-r",
            "requirements.txt",
            "-r",
            "requirements-dev.txt",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if any(marker in result.stderr for marker in UNREACHABLE):
        print("pip-audit: SKIPPED - the vulnerability service could not be reached:")
        print("  " + result.stderr.strip().splitlines()[-1])
        return 0
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        sys.stderr.write(result.stdout + result.stderr)
        return result.returncode or 1
    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            print(f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixes})")
    if vulnerable:
        return 1
    if dependencies and not audited:
        print(
            f"pip-audit: SKIPPED - the vulnerability service answered 'not found' for all {len(dependencies)} "
            "packages (this registry has no PyPI JSON API); nothing could be audited."
        )
        return 0
    skipped = len(dependencies) - len(audited)
    print(f"pip-audit: {len(audited)} packages audited, no known vulnerabilities ({skipped} not on the service).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
