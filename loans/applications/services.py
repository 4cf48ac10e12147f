"""Writes for business plans, loan applications and their documents."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import ReturneeProfile, User
from loans.applications import selectors
from loans.applications.documents import CheckedUpload
from loans.applications.models import (
    ApplicationDocument,
    BusinessPlan,
    DocumentAccess,
    LoanApplication,
    ReferenceCounter,
)
from loans.applications.workflow import TransitionError, transition
from loans.choices import ApplicationStatus
from loans.eligibility import rules as eligibility
from loans.eligibility.models import EligibilityResult
from portal import changes
from portal.queue import enqueue


class ApplicationError(Exception):
    """A request the applicant can fix; the message says how."""


def plan_create(*, owner: User, name: str) -> BusinessPlan:
    return BusinessPlan.objects.create(owner=owner, name=name)


def plan_update(*, plan: BusinessPlan, data: dict[str, Any]) -> BusinessPlan:
    for field, value in data.items():
        setattr(plan, field, value)
    plan.full_clean()
    plan.save()
    return plan


def application_create(*, applicant: User) -> LoanApplication:
    """A new draft; an existing draft is reused so a double click gives one draft."""
    with transaction.atomic():
        # Lock the user row so two clicks on "new application" cannot create two drafts.
        User.objects.select_for_update().get(pk=applicant.pk)
        draft = applicant.loan_applications.filter(status=ApplicationStatus.DRAFT).first()
        if draft:
            return draft
        with changes.tracking(applicants=[applicant.pk]):  # a new draft counts as started
            return LoanApplication.objects.create(applicant=applicant)


@contextmanager
def _locked(application: LoanApplication, allowed: tuple[str, ...], message: str) -> Iterator[LoanApplication]:
    """Lock the row and check its status there: another tab may have just sent the application."""
    with transaction.atomic():
        locked = LoanApplication.objects.select_for_update().get(pk=application.pk)
        if locked.status not in allowed:
            raise ApplicationError(message)
        yield locked
    application.refresh_from_db()


def _draft(application: LoanApplication):
    return _locked(
        application,
        (ApplicationStatus.DRAFT,),
        _("This application was already sent and can no longer be changed."),
    )


def application_set_plan(*, application: LoanApplication, plan: BusinessPlan) -> None:
    if plan.owner_id != application.applicant_id:
        raise ApplicationError(_("Choose one of your own business plans."))
    with _draft(application) as locked:
        locked.plan = plan
        locked.save(update_fields=["plan", "updated_at"])


def application_set_loan_request(*, application: LoanApplication, product, amount, term_months, grace_months) -> None:
    with _draft(application) as locked, changes.tracking(applications=[locked.pk]):  # the product is a report key
        locked.product = product
        locked.amount = amount
        locked.term_months = term_months
        locked.grace_months = grace_months
        locked.save(update_fields=["product", "amount", "term_months", "grace_months", "updated_at"])


def application_accept_declarations(*, application: LoanApplication) -> None:
    with _draft(application) as locked:
        locked.declarations_accepted_at = timezone.now()
        locked.save(update_fields=["declarations_accepted_at", "updated_at"])


def document_add(*, application: LoanApplication, kind: str, upload: CheckedUpload, user: User) -> ApplicationDocument:
    allowed = (ApplicationStatus.DRAFT, ApplicationStatus.INFO_REQUESTED)
    message = _("Documents can be added to a draft, or when an officer asks for information.")
    # The quota is checked under the same lock, so two parallel uploads cannot both squeeze in.
    with _locked(application, allowed, message) as locked:
        selectors.check_document_quota(locked, upload.size)
        document = ApplicationDocument(
            application=locked,
            kind=kind,
            original_name=upload.original_name,
            content_type=upload.content_type,
            size=upload.size,
            sha256=hashlib.sha256(upload.content).hexdigest(),
            uploaded_by=user,
        )
        document.file.save("upload", upload.as_file(), save=False)
        document.save()
    return document


def document_remove(*, document: ApplicationDocument) -> None:
    if document.application.status != ApplicationStatus.DRAFT:
        raise ApplicationError(_("Documents of a sent application cannot be removed."))
    document.file.delete(save=False)
    document.delete()


def document_access_record(*, document: ApplicationDocument, user: User) -> None:
    DocumentAccess.objects.create(document=document, user=user)


def _next_reference(year: int) -> str:
    counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(year=year)
    ReferenceCounter.objects.filter(pk=year).update(last=F("last") + 1)
    counter.refresh_from_db()
    return f"RP-{year}-{counter.last:06d}"


def application_submit(*, application: LoanApplication, user: User) -> LoanApplication:
    """draft → submitted: freeze the answers, give a reference, queue the eligibility check.

    A replayed POST, a double click or a second tab finds the application already submitted
    and returns it unchanged, so there is one submission.
    """
    if application.applicant_id != user.pk:
        raise ApplicationError(_("Only the applicant can send this application."))
    with transaction.atomic():
        current = LoanApplication.objects.select_for_update().get(pk=application.pk)
        if current.status != ApplicationStatus.DRAFT:
            return current
        problems = selectors.application_problems(current)
        if problems:
            raise ApplicationError(problems[0])

        def freeze(locked: LoanApplication) -> None:
            locked.reference = _next_reference(timezone.localdate().year)
            locked.submitted_at = timezone.now()
            locked.frozen_plan = selectors.plan_snapshot(locked.plan)
            locked.business_department_id = locked.frozen_plan["department"]
            locked.business_section_id = locked.frozen_plan["section"]
            locked.frozen_profile = selectors.profile_snapshot(ReturneeProfile.objects.get(user=locked.applicant))

        submitted = transition(
            current,
            ApplicationStatus.SUBMITTED,
            actor=user,
            expected_from={ApplicationStatus.DRAFT},
            before_save=freeze,
            on_commit=_after_submit,
        )
    application.refresh_from_db()
    return submitted


def _after_submit(application: LoanApplication) -> None:
    from loans.applications.notifications import notify_received
    from loans.eligibility.tasks import check_eligibility

    notify_received(application.pk)
    enqueue(check_eligibility, application.pk)


def application_withdraw(*, application: LoanApplication, user: User, reason: str = "") -> LoanApplication:
    if application.applicant_id != user.pk:
        raise ApplicationError(_("Only the applicant can withdraw this application."))
    if application.status not in ApplicationStatus.withdrawable():
        raise ApplicationError(_("A decision was already made; the application can no longer be withdrawn."))
    try:
        return transition(
            application,
            ApplicationStatus.WITHDRAWN,
            actor=user,
            reason=reason,
            expected_from=set(ApplicationStatus.withdrawable()),
        )
    except TransitionError as error:
        raise ApplicationError(str(error)) from error


def record_eligibility_outcome(application: LoanApplication, outcome: str, verdicts: list[dict]) -> None:
    """Copy the latest outcome and flagged rules onto the application for the officers' queue."""
    application.eligibility_outcome = outcome
    application.review_flags = sorted({v["rule"] for v in verdicts if v["verdict"] != "pass"})


def eligibility_run(*, application_id: int) -> EligibilityResult | None:
    """Check a submitted application and move it to in_review or ineligible (safe to repeat)."""
    from loans.applications.notifications import notify_eligibility

    application = LoanApplication.objects.select_related("product").filter(pk=application_id).first()
    if application is None or application.status != ApplicationStatus.SUBMITTED:
        return None
    check = eligibility.check_application(application)
    target = ApplicationStatus.INELIGIBLE if check.outcome == "ineligible" else ApplicationStatus.IN_REVIEW
    with transaction.atomic():
        try:
            transition(
                application,
                target,
                reason=f"eligibility {check.ruleset_version}: {check.outcome}",
                expected_from={ApplicationStatus.SUBMITTED},
                before_save=lambda locked: record_eligibility_outcome(
                    locked, check.outcome, [v.as_dict() for v in check.verdicts]
                ),
                on_commit=lambda locked: notify_eligibility(locked.pk),
            )
        except TransitionError:
            # Another run (a redelivered task) already moved it: nothing to do.
            return None
        return eligibility_result_save(application=application, check=check)


def eligibility_result_save(*, application: LoanApplication, check: eligibility.Check) -> EligibilityResult:
    return EligibilityResult.objects.create(
        application=application,
        ruleset_version=check.ruleset_version,
        outcome=check.outcome,
        verdicts=[v.as_dict() for v in check.verdicts],
        started_at=check.started_at,
        duration_ms=check.duration_ms,
    )
