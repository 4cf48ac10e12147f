"""The check of a submitted application: stored result, one transition, faults become review."""

import pytest
from django.db import OperationalError
from django.urls import reverse

from applicants.models import Notification, ReturneeProfile
from loans.applications import checks, services, tasks
from loans.choices import ApplicationStatus
from loans.eligibility import rules as eligibility
from loans.models import ApplicationEvent, EligibilityResult, LoanApplication

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def submitted(ready_draft, owner, monkeypatch):
    """Sent, with the check not run yet (as when the worker has not picked it up)."""
    monkeypatch.setattr("loans.applications.services.enqueue", lambda task, *args, **kwargs: True)
    services.application_submit(application=ready_draft, user=owner)
    monkeypatch.undo()
    ready_draft.refresh_from_db()
    assert ready_draft.status == ApplicationStatus.SUBMITTED
    return ready_draft


def reasons(result: EligibilityResult) -> dict[str, tuple[str, str]]:
    return {v["rule"]: (v["verdict"], v["reason"]) for v in result.verdicts}


def test_the_task_stores_version_every_verdict_and_timing_and_moves_through_the_transition(submitted):
    assert tasks.check_eligibility.delay(submitted.pk).get() == "eligible"

    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.IN_REVIEW
    result = EligibilityResult.objects.get(application=submitted)
    assert result.ruleset_version == eligibility.RULESET_VERSION == "2026.3"
    assert [v["rule"] for v in result.verdicts] == [rule.__name__.removeprefix("rule_") for rule in eligibility.RULES]
    assert {v["verdict"] for v in result.verdicts} == {"pass"}
    assert result.started_at <= result.created_at
    assert result.duration_ms >= 0
    event = ApplicationEvent.objects.get(application=submitted, to_status=ApplicationStatus.IN_REVIEW)
    assert (event.from_status, event.actor, event.reason) == ("submitted", None, "eligibility 2026.3: eligible")
    assert (submitted.eligibility_outcome, submitted.review_flags) == ("eligible", [])


def test_a_second_run_changes_nothing_and_notifies_once(submitted):
    checks.eligibility_run(application_id=submitted.pk)
    assert checks.eligibility_run(application_id=submitted.pk) is None
    assert EligibilityResult.objects.filter(application=submitted).count() == 1
    assert Notification.objects.filter(kind="eligibility_result").count() == 1


def test_a_failing_rule_makes_it_ineligible_with_the_products_own_parameters(submitted):
    submitted.product.min_years_abroad = 20
    submitted.product.accepted_countries = ["ES"]
    submitted.product.save()

    checks.eligibility_run(application_id=submitted.pk)

    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.INELIGIBLE
    result = EligibilityResult.objects.get(application=submitted)
    assert result.outcome == "ineligible"
    assert reasons(result)["years_abroad"] == ("fail", "short_stay")
    assert result.verdicts[3]["facts"]["required"] == 20  # after adult, document, returned
    assert reasons(result)["country"] == ("fail", "country_not_accepted")
    assert sorted(submitted.review_flags) == ["country", "years_abroad"]


def test_a_profile_changed_during_the_check_is_for_review(submitted, owner):
    ReturneeProfile.objects.filter(user=owner).update(rur_number="RUR-999999")

    checks.eligibility_run(application_id=submitted.pk)

    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.IN_REVIEW
    result = EligibilityResult.objects.get(application=submitted)
    assert result.outcome == "review"
    assert reasons(result)["profile_unchanged"] == ("review", "profile_changed")
    # The rules judged what was sent, not the new profile.
    assert reasons(result)["rur"] == ("pass", "rur_given")


def test_a_product_closed_after_sending_is_for_review(submitted):
    submitted.product.is_active = False
    submitted.product.save()

    checks.eligibility_run(application_id=submitted.pk)

    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.IN_REVIEW
    result = EligibilityResult.objects.get(application=submitted)
    assert (result.outcome, reasons(result)["product_open"]) == ("review", ("review", "product_closed"))
    assert reasons(result)["loan_request"] == ("pass", "request_within_product")


def test_a_rule_that_raises_is_recorded_as_review_with_the_error(submitted, monkeypatch):
    def rule_broken(facts):
        return facts.no_such_fact

    monkeypatch.setattr(eligibility, "RULES", (*eligibility.RULES, rule_broken))

    checks.eligibility_run(application_id=submitted.pk)

    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.IN_REVIEW
    result = EligibilityResult.objects.get(application=submitted)
    assert result.outcome == "review"
    broken = result.verdicts[-1]
    assert (broken["rule"], broken["verdict"], broken["reason"]) == ("broken", "review", "rule_error")
    assert "no_such_fact" in broken["facts"]["error"]
    assert submitted.review_flags == ["broken"]


def test_facts_that_cannot_be_gathered_are_recorded_as_review(submitted, monkeypatch):
    def broken_snapshot(application):
        raise KeyError("department")

    monkeypatch.setattr(checks, "facts_for_application", broken_snapshot)

    checks.eligibility_run(application_id=submitted.pk)

    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.IN_REVIEW
    result = EligibilityResult.objects.get(application=submitted)
    assert result.verdicts == [
        {"rule": "facts", "verdict": "review", "reason": "rule_error", "facts": {"error": "KeyError('department')"}}
    ]


def test_a_database_error_leaves_it_submitted_and_the_sweeper_checks_it_later(submitted, monkeypatch):
    def database_down(application):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(checks, "facts_for_application", database_down)
    with pytest.raises(OperationalError):
        checks.eligibility_run(application_id=submitted.pk)
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert not EligibilityResult.objects.exists()

    monkeypatch.undo()
    assert tasks.sweep_submitted.delay(older_than_minutes=0).get() == 1

    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.IN_REVIEW


def test_a_batch_checks_each_id_once_and_skips_what_is_not_submitted(submitted, ready_draft):
    assert tasks.check_eligibility_batch.delay([submitted.pk, submitted.pk, 999_999]).get() == 1
    assert LoanApplication.objects.get(pk=submitted.pk).status == ApplicationStatus.IN_REVIEW
    assert EligibilityResult.objects.count() == 1


# --- what the applicant reads ----------------------------------------------------------------


@pytest.fixture
def flagged(submitted, owner):
    """In review with the RUR number missing (a 'review' rule)."""
    profile = submitted.frozen_profile
    profile["rur_number"] = ""
    LoanApplication.objects.filter(pk=submitted.pk).update(frozen_profile=profile)
    ReturneeProfile.objects.filter(user=owner).update(rur_number="")
    checks.eligibility_run(application_id=submitted.pk)
    submitted.refresh_from_db()
    return submitted


def test_the_applicant_reads_each_flagged_rule_in_spanish(owner_client, flagged):
    page = owner_client.get(reverse("loans:application_detail", args=[flagged.public_id])).content.decode()

    assert flagged.status == ApplicationStatus.IN_REVIEW
    assert "Usted no dio su número del Registro Único de Retornados (RUR)." in page
    assert "Inscríbase en el RUR con la Cancillería" in page
    assert "En revisión" in page


def test_the_applicant_reads_it_in_english_when_chosen(owner_client, flagged):
    owner_client.cookies["django_language"] = "en"
    page = owner_client.get(reverse("loans:application_detail", args=[flagged.public_id])).content.decode()

    assert "Points an officer will review" in page
    assert "You did not give your number in the Registro Único de Retornados (RUR)." in page
    assert "What to do:" in page
    assert "Register in the RUR through Cancillería (Colombia Nos Une)" in page


def test_an_ineligible_applicant_reads_why_and_what_to_do(owner_client, submitted):
    submitted.product.accepted_countries = ["ES"]
    submitted.product.save()
    checks.eligibility_run(application_id=submitted.pk)
    owner_client.cookies["django_language"] = "en"

    page = owner_client.get(reverse("loans:application_detail", args=[submitted.public_id])).content.decode()

    assert "Why the application does not meet the requirements" in page
    assert "This loan does not accept returns from that country." in page
    assert "Look at the other products, or ask the programme for advice." in page
