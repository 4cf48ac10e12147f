"""Run pip-audit on the pinned requirements; only an unreachable vulnerability service may skip it."""

import subprocess
import sys

UNREACHABLE = ("ConnectionError", "Max retries exceeded", "Temporary failure in name resolution", "timed out")


def main() -> int:
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "-m",
            "pip_audit",
            "--progress-spinner",
            "off",
            "-r",
            "requirements.txt",
            "-r",
            "requirements-dev.txt",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    sys.stdout.write(result.stdout)
    if result.returncode == 0:
        print("pip-audit: no known vulnerabilities.")
        return 0
    if any(marker in result.stderr for marker in UNREACHABLE):
        print("pip-audit: SKIPPED - the vulnerability service could not be reached:")
        print(result.stderr.strip().splitlines()[-1])
        return 0
    sys.stderr.write(result.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
