"""The eligibility check of an application: gather its facts, run the rules, record the result
and, for a submitted application, make the move (``eligible`` or ``ineligible``).

The rules themselves (``loans.eligibility.rules``) only see ``Facts``; this module knows where
each fact lives in an application, its frozen snapshots and its product.
"""

from __future__ import annotations

import time
from datetime import date

from django.db import DatabaseError, transaction
from django.utils import timezone

from applicants.models import ReturneeProfile
from loans.applications import selectors
from loans.applications.models import LoanApplication
from loans.applications.notifications import notify_eligibility
from loans.applications.workflow import MOVES, TransitionError, transition
from loans.choices import ApplicationStatus
from loans.eligibility import rules as eligibility
from loans.eligibility.models import EligibilityResult
from loans.eligibility.rules import REVIEW, Check, Facts, Verdict, evaluate, outcome_of
from loans.programmes import selectors as programme_selectors


def ruleset_fingerprint() -> str:
    """The fingerprint of the rules and of how this module gathers their facts (see RULESET_VERSION)."""
    return eligibility.ruleset_fingerprint(facts_for_application)


def facts_for_application(application) -> Facts:
    """Facts of a submitted application: its frozen answers, its product, and live duplicate checks."""

    profile = application.frozen_profile or {}
    plan = application.frozen_plan or {}
    product = application.product

    def as_date(value):
        return date.fromisoformat(value) if value else None

    current_profile = ReturneeProfile.objects.filter(user_id=application.applicant_id).first()
    # Compared on the keys the frozen copy has: a field added to the profile later is no change.
    current = selectors.profile_snapshot(current_profile) if current_profile else None
    changed = current is None or {key: current.get(key) for key in profile} != profile
    document_hash = profile.get("document_number_hash") or ""
    duplicates = (
        ReturneeProfile.objects.filter(document_number_hash=document_hash)
        .exclude(user_id=application.applicant_id)
        .count()
        if document_hash
        else 0
    )
    submitted_on = (
        timezone.localtime(application.submitted_at).date() if application.submitted_at else timezone.localdate()
    )
    return Facts(
        today=submitted_on,
        birth_date=as_date(profile.get("birth_date")),
        document_type=profile.get("document_type", ""),
        is_colombian_national=profile.get("is_colombian_national"),
        country_returned_from=profile.get("country_returned_from", ""),
        departure_date=as_date(profile.get("departure_date")),
        return_date=as_date(profile.get("return_date")),
        return_type=profile.get("return_type", ""),
        forced_return=profile.get("forced_return"),
        rur_number=profile.get("rur_number", ""),
        declarations_complete=bool(profile.get("declarations_accepted_at") and application.declarations_accepted_at),
        min_years_abroad=product.min_years_abroad,
        max_months_since_return=product.max_months_since_return,
        accepted_countries=list(product.accepted_countries or []),
        eligible_return_types=list(product.eligible_return_types or []),
        covered_departments=list(product.covered_departments.values_list("code", flat=True)),
        other_open_applications=LoanApplication.objects.filter(
            applicant_id=application.applicant_id, status__in=ApplicationStatus.open_states()
        )
        .exclude(pk=application.pk)
        .count(),
        duplicate_identity_accounts=duplicates,
        loan_request_errors=selectors.frozen_loan_request_errors(application, day=submitted_on),
        plan_missing=selectors.frozen_plan_missing(plan),
        missing_documents=selectors.missing_documents(application),
        business_department=plan.get("department") or "",
        profile_changed_since_submission=changed,
        product_active=product.is_active,
        lives_abroad=bool(profile.get("lives_abroad")),
        accepted_programmes=sorted(product.accepted_programmes.values_list("pk", flat=True)),
        enrolled_programmes=programme_selectors.enrolled_programme_ids(application.applicant_id),
    )


def check_application(application) -> Check:
    """Gather the facts and run every rule, timed; a fault becomes 'review' with the error.

    Gathering facts reads several tables. If that raises for one application (a bad frozen
    snapshot, a product without a parameter), the result records the error for an officer
    instead of leaving the application stuck in 'submitted'. Database errors propagate: the
    task retries them, since they say nothing about the application.
    """
    started_at = timezone.now()
    started = time.perf_counter()
    try:
        facts = facts_for_application(application)
    except DatabaseError:
        raise
    except Exception as error:  # noqa: BLE001 - recorded for an officer, never a silent stop
        verdicts = [Verdict("facts", REVIEW, "rule_error", {"error": repr(error)[:300]})]
    else:
        _outcome, verdicts = evaluate(facts)
    duration_ms = int((time.perf_counter() - started) * 1000)
    return Check(outcome_of(verdicts), verdicts, started_at, duration_ms)


def record_eligibility_outcome(application: LoanApplication, outcome: str, verdicts: list[dict]) -> None:
    """Copy the latest outcome and flagged rules onto the application for the officers' queue."""
    application.eligibility_outcome = outcome
    application.review_flags = sorted({v["rule"] for v in verdicts if v["verdict"] != "pass"})


def eligibility_run(*, application_id: int) -> EligibilityResult | None:
    """Check a submitted application and move it to in_review or ineligible (safe to repeat)."""
    application = LoanApplication.objects.select_related("product").filter(pk=application_id).first()
    if application is None or application.status not in MOVES["eligible"].sources:
        return None
    check = check_application(application)
    move = MOVES["ineligible" if check.outcome == "ineligible" else "eligible"]
    with transaction.atomic():
        try:
            transition(
                application,
                move.to,
                reason=f"eligibility {check.ruleset_version}: {check.outcome}",
                # The check moves only a submitted application, whichever its outcome.
                expected_from=MOVES["eligible"].sources,
                before_save=lambda locked: record_eligibility_outcome(
                    locked, check.outcome, [v.as_dict() for v in check.verdicts]
                ),
            )
        except TransitionError:
            # Another run (a redelivered task) already moved it: nothing to do.
            return None
        result = eligibility_result_save(application=application, check=check)
        # In the same transaction as the move and its result; delivered after commit.
        notify_eligibility(application.pk)
        return result


def eligibility_result_save(*, application: LoanApplication, check: eligibility.Check) -> EligibilityResult:
    return EligibilityResult.objects.create(
        application=application,
        ruleset_version=check.ruleset_version,
        outcome=check.outcome,
        verdicts=[v.as_dict() for v in check.verdicts],
        started_at=check.started_at,
        duration_ms=check.duration_ms,
    )
