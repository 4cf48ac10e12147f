"""A rule cannot change under an old version number: every stored result names the ruleset
it was judged by, so the number must move when the rules do."""

from loans import eligibility

# One line per released ruleset. Changing a rule, its order, a reason code or how facts are
# gathered changes the fingerprint: bump RULESET_VERSION, add its line, say what changed in
# docs/ELIGIBILITY.md ("Versions").
FINGERPRINTS = {
    "2026.2": "c7ed53cc5ef3bbfb",
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
