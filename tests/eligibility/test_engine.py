"""The engine around the rules: outcomes, faults, explanations, the versioned ruleset."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from loans.eligibility import rules as e
from loans.eligibility.rules import FAIL, PASS, REVIEW, Facts, Verdict


def rule_passing(f):
    return Verdict("passing", PASS, "ok", {})


def rule_flagging(f):
    return Verdict("flagging", REVIEW, "rur_missing", {})


def rule_failing(f):
    return Verdict("failing", FAIL, "minor", {})


def rule_raising(f):
    raise ZeroDivisionError("division by zero")


def today():
    return Facts(today=date(2026, 11, 27))


@pytest.mark.parametrize(
    ("rules", "outcome"),
    [
        ([rule_passing], "eligible"),
        ([rule_passing, rule_flagging], "review"),
        ([rule_flagging, rule_failing], "ineligible"),
        ([], "eligible"),
    ],
)
def test_any_fail_is_ineligible_else_any_review_is_review(rules, outcome):
    assert e.evaluate(today(), rules=rules)[0] == outcome


def test_a_rule_that_raises_becomes_review_with_the_error_and_the_others_still_run():
    outcome, verdicts = e.evaluate(today(), rules=[rule_raising, rule_passing])

    assert outcome == "review"
    assert [(v.rule, v.verdict, v.reason) for v in verdicts] == [
        ("raising", REVIEW, "rule_error"),
        ("passing", PASS, "ok"),
    ]
    assert verdicts[0].facts == {"error": "ZeroDivisionError('division by zero')"}


def test_a_rule_that_raises_does_not_hide_a_fail():
    assert e.evaluate(today(), rules=[rule_raising, rule_failing])[0] == "ineligible"


def test_a_rule_that_returns_something_else_is_a_fault_too():
    _outcome, verdicts = e.evaluate(today(), rules=[lambda f: "pass"])
    assert (verdicts[0].rule, verdicts[0].reason) == ("<lambda>", "rule_error")
    assert "TypeError" in verdicts[0].facts["error"]


def test_the_module_ruleset_is_read_when_evaluating(monkeypatch):
    monkeypatch.setattr(e, "RULES", (rule_failing,))
    assert e.evaluate(today())[0] == "ineligible"


def test_a_verdict_is_stored_as_json_whatever_its_facts():
    verdict = Verdict("x", PASS, "ok", {"day": date(2026, 1, 31), "pct": Decimal("80.5")})
    assert verdict.as_dict() == {
        "rule": "x",
        "verdict": PASS,
        "reason": "ok",
        "facts": {"day": "2026-01-31", "pct": "80.5"},
    }


# --- explanations -------------------------------------------------------------------------

NOT_PASSING = {
    "not_back_yet",
    "window_not_open",
    "planned_return",
    "departure_date_missing_exception",
    "not_enrolled_in_programme",
    "minor",
    "birth_date_missing",
    "not_colombian",
    "document_not_colombian",
    "return_dates_missing",
    "short_stay",
    "short_stay_exception",
    "country_missing",
    "country_not_accepted",
    "return_type_missing",
    "return_type_not_eligible",
    "too_late",
    "rur_missing",
    "other_application_open",
    "possible_duplicate_identity",
    "request_outside_product",
    "plan_incomplete",
    "documents_missing",
    "not_covered",
    "declarations_missing",
    "profile_changed",
    "product_closed",
    "rule_error",
}


def test_every_fail_or_review_reason_has_a_meaning_and_a_next_step():
    assert set(e.REASONS) == NOT_PASSING
    for rule in e.RULES:
        assert rule.__name__.removeprefix("rule_") in e.RULE_TITLES


@pytest.mark.parametrize("reason", sorted(NOT_PASSING))
def test_each_explanation_is_in_spanish_by_default_and_in_english_when_chosen(reason):
    stored = {"rule": "adult", "verdict": FAIL, "reason": reason, "facts": {}}
    with translation.override("en"):
        english = e.explain(stored)
        english = {key: str(value) for key, value in english.items() if key in ("title", "meaning", "next_step")}
    with translation.override("es"):
        spanish = {
            key: str(value) for key, value in e.explain(stored).items() if key in ("title", "meaning", "next_step")
        }
    assert all(english.values()) and all(spanish.values())
    assert english["title"] == "Age 18 or over"
    assert spanish["title"] == "Edad de 18 años o más"
    if reason != "return_type_missing":  # new in 2026.2: its Spanish follows with the catalog
        assert spanish["meaning"] != english["meaning"]


def test_explain_keeps_the_stored_verdict():
    stored = {"rule": "rur", "verdict": REVIEW, "reason": "rur_missing", "facts": {}}
    with translation.override("en"):
        explained = {key: str(value) for key, value in e.explain(stored).items() if key != "facts"}
    assert explained["verdict"] == REVIEW
    assert explained["meaning"] == "You did not give your number in the Registro Único de Retornados (RUR)."
    assert explained["next_step"].startswith("Register in the RUR through Cancillería")


def test_an_unknown_reason_is_shown_without_breaking_the_page():
    explained = e.explain({"rule": "gone", "verdict": REVIEW, "reason": "retired_code", "facts": {}})
    assert (explained["title"], explained["meaning"], explained["next_step"]) == ("gone", "", "")


# --- the self-check uses the same functions ------------------------------------------------


def test_the_self_check_runs_the_same_rule_functions():
    assert set(e.SELF_CHECK_RULES) <= set(e.RULES)
    outcome, verdicts = e.self_check(
        birth_date=date(1990, 5, 20),
        is_colombian_national=True,
        document_type="CC",
        departure_date=date(2022, 1, 31),
        return_date=date(2025, 1, 31),
        forced_return=False,
        return_type="productivo",
        rur_number="",
        today=date(2026, 1, 31),
    )
    assert outcome == "review"
    assert [(v.rule, v.verdict) for v in verdicts] == [
        ("adult", PASS),
        ("colombian_document", PASS),
        ("years_abroad", PASS),
        ("applied_in_time", PASS),
        ("rur", REVIEW),
    ]
