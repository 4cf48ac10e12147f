"""A rule cannot change under an old version number: every stored result names the ruleset
it was judged by, so the number must move when the rules do."""

from loans.eligibility import rules as eligibility

# One line per released ruleset. Changing a rule, its order, a reason code or how facts are
# gathered changes the fingerprint: bump RULESET_VERSION, add its line, say what changed in
# docs/ELIGIBILITY.md ("Versions").
FINGERPRINTS = {
    # Re-recorded when loans/ was cut into packages: only the import lines of
    # facts_for_application changed (module paths), no rule, order or reason.
    "2026.2": "e646cfb87ea16c1a",
}


def test_the_rules_match_the_fingerprint_recorded_for_this_version():
    fingerprint = eligibility.ruleset_fingerprint()
    assert eligibility.RULESET_VERSION in FINGERPRINTS, (
        f"Record ruleset {eligibility.RULESET_VERSION}: {fingerprint!r} in FINGERPRINTS."
    )
    assert FINGERPRINTS[eligibility.RULESET_VERSION] == fingerprint, (
        f"The rules changed but RULESET_VERSION is still {eligibility.RULESET_VERSION}. Bump it and record "
        f"{fingerprint!r} for the new version."
    )
