"""A rule cannot change under an old version number: every stored result names the ruleset
it was judged by, so the number must move when the rules do."""

from loans.applications import checks
from loans.eligibility import rules as eligibility

# One line per released ruleset. Changing a rule, its order, a reason code or how facts are
# gathered changes the fingerprint: bump RULESET_VERSION, add its line, say what changed in
# docs/ELIGIBILITY.md ("Versions").
FINGERPRINTS = {
    # Re-recorded when loans/ was cut into packages: facts_for_application moved to
    # loans.applications.checks and lost its in-function imports; no rule, order or reason changed.
    "2026.2": "5d5ca3fec79cdd14",
    # Issue 11: "returned" (a planned return is no return), years abroad counted by calendar months
    # and never past today, forced return without departure date is review, programme enrolment.
    "2026.3": "875cb901b0de351c",
}


def test_the_rules_match_the_fingerprint_recorded_for_this_version():
    fingerprint = checks.ruleset_fingerprint()
    assert eligibility.RULESET_VERSION in FINGERPRINTS, (
        f"Record ruleset {eligibility.RULESET_VERSION}: {fingerprint!r} in FINGERPRINTS."
    )
    assert FINGERPRINTS[eligibility.RULESET_VERSION] == fingerprint, (
        f"The rules changed but RULESET_VERSION is still {eligibility.RULESET_VERSION}. Bump it and record "
        f"{fingerprint!r} for the new version."
    )
