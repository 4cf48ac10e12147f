"""Each rule at its boundaries, on exact dates (docs/DOMAIN.md, "Eligibility")."""

from datetime import date

import pytest

from applicants.choices import DocumentType, ReturnType
from loans.eligibility import rules as e
from loans.eligibility.rules import FAIL, PASS, REVIEW, Facts


def facts(**kwargs) -> Facts:
    return Facts(**{"today": date(2026, 11, 27), **kwargs})


def verdict(rule, **kwargs):
    v = rule(facts(**kwargs))
    return (v.verdict, v.reason) if v is not None else None


# --- adult ------------------------------------------------------------------------------


def test_17_years_and_364_days_is_a_minor():
    assert verdict(e.rule_adult, birth_date=date(2008, 11, 28), today=date(2026, 11, 27)) == (FAIL, "minor")


def test_18_on_the_birthday_itself():
    assert verdict(e.rule_adult, birth_date=date(2008, 11, 28), today=date(2026, 11, 28)) == (PASS, "adult")


def test_born_on_29_february_turns_18_on_1_march():
    assert verdict(e.rule_adult, birth_date=date(2008, 2, 29), today=date(2026, 2, 28)) == (FAIL, "minor")
    assert verdict(e.rule_adult, birth_date=date(2008, 2, 29), today=date(2026, 3, 1)) == (PASS, "adult")


def test_a_missing_birth_date_fails_and_says_so():
    assert verdict(e.rule_adult) == (FAIL, "birth_date_missing")


def test_the_age_is_recorded_in_the_facts():
    assert e.rule_adult(facts(birth_date=date(1985, 5, 20))).facts == {"age": 41}


# --- Colombian document -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("document_type", "national", "expected"),
    [
        (DocumentType.CEDULA_CIUDADANIA, True, (PASS, "cedula")),
        (DocumentType.CEDULA_CIUDADANIA, None, (PASS, "cedula")),
        (DocumentType.PASAPORTE, True, (PASS, "colombian_passport")),
        (DocumentType.PASAPORTE, None, (FAIL, "document_not_colombian")),
        (DocumentType.CEDULA_EXTRANJERIA, True, (FAIL, "document_not_colombian")),
        (DocumentType.PPT, None, (FAIL, "document_not_colombian")),
        (DocumentType.CEDULA_CIUDADANIA, False, (FAIL, "not_colombian")),
    ],
)
def test_colombian_document(document_type, national, expected):
    assert verdict(e.rule_colombian_document, document_type=document_type, is_colombian_national=national) == expected


# --- years abroad -----------------------------------------------------------------------


def test_exactly_3_years_abroad_passes():
    assert verdict(e.rule_years_abroad, departure_date=date(2022, 1, 31), return_date=date(2025, 1, 31)) == (
        PASS,
        "enough_years",
    )


def test_one_day_short_of_3_years_fails():
    assert verdict(e.rule_years_abroad, departure_date=date(2022, 1, 31), return_date=date(2025, 1, 30)) == (
        FAIL,
        "short_stay",
    )


def test_left_on_29_february_completes_3_years_on_28_february_as_the_12_months_count():
    """One way of counting leap days (docs/ELIGIBILITY.md, "Dates"): 36 months after 29 Feb is 28 Feb."""
    left = date(2020, 2, 29)
    assert verdict(e.rule_years_abroad, departure_date=left, return_date=date(2023, 2, 27)) == (FAIL, "short_stay")
    assert verdict(e.rule_years_abroad, departure_date=left, return_date=date(2023, 2, 28)) == (PASS, "enough_years")


@pytest.mark.parametrize(
    ("forced", "return_type"),
    [(True, ReturnType.PRODUCTIVO), (False, ReturnType.HUMANITARIO), (None, ReturnType.SOLIDARIO)],
)
def test_a_short_stay_after_a_forced_or_humanitarian_return_is_for_review(forced, return_type):
    assert verdict(
        e.rule_years_abroad,
        departure_date=date(2024, 1, 1),
        return_date=date(2025, 1, 1),
        forced_return=forced,
        return_type=return_type,
    ) == (REVIEW, "short_stay_exception")


def test_the_product_sets_the_years_required():
    dates = {"departure_date": date(2023, 6, 1), "return_date": date(2025, 6, 1)}
    assert verdict(e.rule_years_abroad, min_years_abroad=2, **dates) == (PASS, "enough_years")
    assert verdict(e.rule_years_abroad, min_years_abroad=3, **dates) == (FAIL, "short_stay")


def test_missing_dates_fail_and_say_so():
    assert verdict(e.rule_years_abroad, departure_date=date(2020, 1, 1)) == (FAIL, "return_dates_missing")


# --- applied within 12 months of return -------------------------------------------------


def test_12_months_after_returning_on_31_january_is_still_in_time():
    assert verdict(e.rule_applied_in_time, return_date=date(2025, 1, 31), today=date(2026, 1, 31)) == (
        PASS,
        "in_time",
    )


def test_the_day_after_12_months_is_too_late():
    assert verdict(e.rule_applied_in_time, return_date=date(2025, 1, 31), today=date(2026, 2, 1)) == (
        FAIL,
        "too_late",
    )


def test_the_deadline_is_in_the_facts():
    v = e.rule_applied_in_time(facts(return_date=date(2025, 1, 31), today=date(2026, 1, 31)))
    assert v.facts == {"return_date": "2025-01-31", "deadline": "2026-01-31"}


def test_a_month_without_that_day_ends_on_its_last_day():
    # 31 August + 6 months: there is no 31 February, so the period ends on 28 February.
    back = date(2025, 8, 31)
    assert (
        verdict(e.rule_applied_in_time, return_date=back, max_months_since_return=6, today=date(2026, 2, 28))[0]
        == PASS
    )
    assert (
        verdict(e.rule_applied_in_time, return_date=back, max_months_since_return=6, today=date(2026, 3, 1))[0] == FAIL
    )


def test_returned_on_29_february_has_until_28_february():
    back = date(2024, 2, 29)
    assert verdict(e.rule_applied_in_time, return_date=back, today=date(2025, 2, 28))[0] == PASS
    assert verdict(e.rule_applied_in_time, return_date=back, today=date(2025, 3, 1))[0] == FAIL


def test_applying_on_the_return_day_is_in_time():
    assert verdict(e.rule_applied_in_time, return_date=date(2026, 11, 27))[0] == PASS


# --- country, return type, RUR, declarations ---------------------------------------------


def test_country():
    assert verdict(e.rule_country) == (FAIL, "country_missing")
    assert verdict(e.rule_country, country_returned_from="US") == (PASS, "country_accepted")
    assert verdict(e.rule_country, country_returned_from="US", accepted_countries=["US", "ES"]) == (
        PASS,
        "country_accepted",
    )
    assert verdict(e.rule_country, country_returned_from="VE", accepted_countries=["US", "ES"]) == (
        FAIL,
        "country_not_accepted",
    )


def test_return_type():
    assert verdict(e.rule_return_type) == (FAIL, "return_type_missing")
    assert verdict(e.rule_return_type, return_type=ReturnType.LABORAL) == (PASS, "return_type_ok")
    assert verdict(
        e.rule_return_type, return_type=ReturnType.LABORAL, eligible_return_types=[ReturnType.PRODUCTIVO]
    ) == (FAIL, "return_type_not_eligible")


@pytest.mark.parametrize(("rur", "expected"), [("RUR-1", PASS), ("", REVIEW), ("   ", REVIEW), (None, REVIEW)])
def test_a_missing_rur_number_is_for_review_not_a_rejection(rur, expected):
    assert verdict(e.rule_rur, rur_number=rur)[0] == expected


def test_declarations():
    assert verdict(e.rule_declarations, declarations_complete=True) == (PASS, "declared")
    assert verdict(e.rule_declarations) == (FAIL, "declarations_missing")


# --- rules only a stored application can answer --------------------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        e.rule_one_application,
        e.rule_unique_identity,
        e.rule_loan_request,
        e.rule_plan_complete,
        e.rule_documents,
        e.rule_covered_department,
        e.rule_profile_unchanged,
        e.rule_product_open,
    ],
)
def test_without_the_fact_the_rule_is_left_out(rule):
    assert rule(facts()) is None


def test_one_application():
    assert verdict(e.rule_one_application, other_open_applications=0) == (PASS, "no_other_application")
    assert verdict(e.rule_one_application, other_open_applications=1) == (FAIL, "other_application_open")


def test_a_document_number_used_by_another_account_is_for_review():
    assert verdict(e.rule_unique_identity, duplicate_identity_accounts=0) == (PASS, "identity_unique")
    assert verdict(e.rule_unique_identity, duplicate_identity_accounts=2) == (REVIEW, "possible_duplicate_identity")


def test_loan_request_plan_and_documents():
    assert verdict(e.rule_loan_request, loan_request_errors={}) == (PASS, "request_within_product")
    assert verdict(e.rule_loan_request, loan_request_errors={"amount": "too much"}) == (
        FAIL,
        "request_outside_product",
    )
    assert verdict(e.rule_plan_complete, plan_missing=[]) == (PASS, "plan_complete")
    assert verdict(e.rule_plan_complete, plan_missing=["jobs_to_create"]) == (FAIL, "plan_incomplete")
    assert verdict(e.rule_documents, missing_documents=[]) == (PASS, "documents_complete")
    assert verdict(e.rule_documents, missing_documents=["id_document"]) == (FAIL, "documents_missing")


def test_covered_department():
    assert verdict(e.rule_covered_department, business_department="05") == (PASS, "covered")
    assert verdict(e.rule_covered_department, business_department="05", covered_departments=["05", "11"]) == (
        PASS,
        "covered",
    )
    assert verdict(e.rule_covered_department, business_department="76", covered_departments=["05", "11"]) == (
        FAIL,
        "not_covered",
    )


def test_a_profile_changed_after_sending_or_a_closed_product_is_for_review():
    assert verdict(e.rule_profile_unchanged, profile_changed_since_submission=False) == (PASS, "profile_unchanged")
    assert verdict(e.rule_profile_unchanged, profile_changed_since_submission=True) == (REVIEW, "profile_changed")
    assert verdict(e.rule_product_open, product_active=True) == (PASS, "product_open")
    assert verdict(e.rule_product_open, product_active=False) == (REVIEW, "product_closed")
