"""Issue 11: a planned return is never a return, one definition of years abroad, leap days
counted one way, a forced return without a departure date is for review, programme enrolment."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applicants.choices import ReturnType
from loans.eligibility import dates
from loans.eligibility import rules as e
from loans.eligibility.rules import FAIL, PASS, PLANNED, REVIEW, Facts
from tests.eligibility.test_self_check_page import answers

TODAY = date(2026, 11, 27)


def facts(**kwargs) -> Facts:
    return Facts(**{"today": TODAY, **kwargs})


def verdict(rule, **kwargs):
    v = rule(facts(**kwargs))
    return (v.verdict, v.reason) if v is not None else None


# --- one definition of years abroad ----------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "back", "years"),
    [
        (date(2020, 2, 29), date(2023, 2, 27), 2),
        (date(2020, 2, 29), date(2023, 2, 28), 3),  # 36 months after 29 Feb: 28 Feb, as the 12-month window
        (date(2022, 1, 31), date(2025, 1, 30), 2),
        (date(2022, 1, 31), date(2025, 1, 31), 3),
        (date(2021, 3, 31), date(2024, 2, 29), 2),
    ],
)
def test_years_abroad_count_calendar_months(left, back, years):
    assert dates.years_abroad(left, back, TODAY) == years


def test_leap_day_counts_the_same_way_for_years_abroad_and_the_12_month_window():
    left = date(2024, 2, 29)
    assert dates.apply_by(left, 12) == date(2025, 2, 28)
    assert dates.years_abroad(left, date(2025, 2, 28), TODAY) == 1
    assert dates.years_abroad(left, date(2025, 2, 27), TODAY) == 0


def test_years_abroad_are_never_counted_into_the_future():
    # Left 6 years ago, plans to come back in 6 months: today it is 6 years, not 6.5.
    left = date(2020, 11, 27)
    assert dates.years_abroad(left, date(2027, 5, 27), TODAY) == 6
    assert dates.years_abroad(date(2024, 1, 1), date(2027, 6, 1), TODAY) == 2


# --- a return that has not happened ------------------------------------------------------


def test_a_return_today_counts_and_tomorrow_does_not():
    assert verdict(e.rule_returned, return_date=TODAY) == (PASS, "back_in_colombia")
    assert verdict(e.rule_returned, return_date=TODAY + timedelta(days=1)) == (FAIL, "not_back_yet")


def test_the_12_month_window_opens_on_the_day_of_return():
    assert verdict(e.rule_applied_in_time, return_date=TODAY) == (PASS, "in_time")
    assert verdict(e.rule_applied_in_time, return_date=TODAY + timedelta(days=1)) == (FAIL, "window_not_open")


def test_someone_who_says_they_live_abroad_has_not_returned():
    assert verdict(e.rule_returned, lives_abroad=True) == (FAIL, "not_back_yet")
    assert verdict(e.rule_applied_in_time, lives_abroad=True) == (FAIL, "window_not_open")


def test_a_future_return_date_never_passes_the_engine():
    outcome, verdicts = e.evaluate(
        facts(
            birth_date=date(1990, 1, 1),
            is_colombian_national=True,
            document_type="CC",
            departure_date=date(2015, 1, 1),
            return_date=TODAY + timedelta(days=180),
            return_type=ReturnType.PRODUCTIVO,
            forced_return=False,
            rur_number="RUR-1",
            country_returned_from="US",
            declarations_complete=True,
        )
    )
    assert outcome == "ineligible"
    assert {v.rule: v.reason for v in verdicts if v.verdict != PASS} == {
        "returned": "not_back_yet",
        "applied_in_time": "window_not_open",
    }


@pytest.mark.parametrize("days_ahead", [1, 180])
def test_the_self_check_answers_for_a_planned_return_and_never_says_eligible(days_ahead):
    outcome, verdicts = e.self_check(
        birth_date=date(1990, 1, 1),
        is_colombian_national=True,
        document_type="CC",
        departure_date=date(2020, 11, 27),
        return_date=TODAY + timedelta(days=days_ahead),
        forced_return=False,
        return_type=ReturnType.PRODUCTIVO,
        rur_number="",
        today=TODAY,
    )
    assert outcome == PLANNED
    assert (verdicts[0].rule, verdicts[0].verdict, verdicts[0].reason) == ("returned", PLANNED, "planned_return")
    assert verdicts[0].facts["deadline"] == dates.apply_by(TODAY + timedelta(days=days_ahead), 12).isoformat()


def test_a_return_today_in_the_self_check_is_judged_as_a_return():
    outcome, _verdicts = e.self_check(
        birth_date=date(1990, 1, 1),
        is_colombian_national=True,
        document_type="CC",
        departure_date=date(2015, 1, 1),
        return_date=TODAY,
        forced_return=False,
        return_type=ReturnType.PRODUCTIVO,
        rur_number="RUR-1",
        today=TODAY,
    )
    assert outcome == "eligible"


def test_a_planned_return_after_too_short_a_stay_is_still_ineligible():
    outcome, verdicts = e.self_check(
        birth_date=date(1990, 1, 1),
        is_colombian_national=True,
        document_type="CC",
        departure_date=date(2025, 1, 1),
        return_date=TODAY + timedelta(days=30),
        forced_return=False,
        return_type=ReturnType.PRODUCTIVO,
        rur_number="RUR-1",
        today=TODAY,
    )
    assert outcome == "ineligible"
    assert ("years_abroad", FAIL, "short_stay") in {(v.rule, v.verdict, v.reason) for v in verdicts}


@pytest.mark.django_db
def test_the_self_check_page_tells_someone_still_in_new_york_when_they_would_qualify(client):
    client.cookies["django_language"] = "en"
    today = timezone.localdate()
    planned = today + timedelta(days=182)

    response = client.get(
        reverse("loans:self_check"),
        answers(departure_date=(today - timedelta(days=6 * 366)).isoformat(), return_date=planned.isoformat()),
    )

    page = response.content.decode()
    assert response.context["outcome"] == "planned"
    assert "You have not come back yet. When you are back and registered in the RUR you would qualify." in page
    assert "You seem to meet the basic requirements." not in page
    assert response.context["planned_deadline"] == dates.apply_by(planned, 12)


# --- forced return without a departure date -----------------------------------------------


@pytest.mark.parametrize(
    ("forced", "return_type", "expected"),
    [
        (True, ReturnType.PRODUCTIVO, (REVIEW, "departure_date_missing_exception")),
        (False, ReturnType.HUMANITARIO, (REVIEW, "departure_date_missing_exception")),
        (False, ReturnType.PRODUCTIVO, (FAIL, "return_dates_missing")),
    ],
)
def test_a_forced_return_without_a_departure_date_is_for_review_not_a_fail(forced, return_type, expected):
    assert (
        verdict(e.rule_years_abroad, return_date=date(2026, 1, 1), forced_return=forced, return_type=return_type)
        == expected
    )


# --- programme enrolment ------------------------------------------------------------------


def test_the_programme_rule_at_its_boundaries():
    assert verdict(e.rule_programme_enrolled) is None  # the self-check knows nothing of programmes
    assert verdict(e.rule_programme_enrolled, accepted_programmes=[]) == (PASS, "no_programme_required")
    assert verdict(e.rule_programme_enrolled, accepted_programmes=[1, 2], enrolled_programmes=[2]) == (
        PASS,
        "enrolled_in_programme",
    )
    assert verdict(e.rule_programme_enrolled, accepted_programmes=[1], enrolled_programmes=[3]) == (
        FAIL,
        "not_enrolled_in_programme",
    )
