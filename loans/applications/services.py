"""Writes for business plans, loan applications and their documents."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import ReturneeProfile, User
from loans.applications import hooks, recheck, selectors, tasks
from loans.applications.documents import CheckedUpload
from loans.applications.lapse import approvals_lapse  # noqa: F401  (part of this module's API)
from loans.applications.models import (
    ApplicationDocument,
    ApplicationMessage,
    BusinessPlan,
    DocumentAccess,
    LoanApplication,
    ReferenceCounter,
)
from loans.applications.notifications import notify_received
from loans.applications.workflow import MOVES, TransitionError, transition
from loans.choices import ApplicationStatus
from loans.eligibility import rules as eligibility
from loans.eligibility.models import RecheckRun
from loans.products.models import LoanOffer, LoanProduct
from loans.products.offers import offer_create
from portal import changes
from portal.queue import enqueue

logger = logging.getLogger(__name__)


class ApplicationError(Exception):
    """A request the applicant can fix; the message says how."""


MAX_PLANS_PER_PERSON = 10


def plan_create(*, owner: User, name: str) -> BusinessPlan:
    """A new plan, up to MAX_PLANS_PER_PERSON per person."""
    with transaction.atomic():
        # Lock the person's row: two quick clicks cannot both pass the limit.
        User.objects.select_for_update().filter(pk=owner.pk).first()
        if BusinessPlan.objects.filter(owner=owner).count() >= MAX_PLANS_PER_PERSON:
            raise ApplicationError(
                _("You already have %(count)s business plans, the most one person can keep. Edit one of them instead.")
                % {"count": MAX_PLANS_PER_PERSON}
            )
        return BusinessPlan.objects.create(owner=owner, name=name)


def plan_update(*, plan: BusinessPlan, data: dict[str, Any]) -> BusinessPlan:
    for field, value in data.items():
        setattr(plan, field, value)
    # Django does not validate a TextField's max_length; the forms do, and so does this.
    for model_field in plan._meta.concrete_fields:
        limit = getattr(model_field, "max_length", None)
        value = getattr(plan, model_field.name, None)
        if limit is not None and isinstance(value, str) and len(value) > limit:
            raise ValidationError(
                {model_field.name: _("Up to %(limit)s characters.") % {"limit": limit}}, code="max_length"
            )
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
    document = None
    try:
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
    except BaseException as error:
        # Nothing half-done stays: the row rolled back, so the stored file goes too.
        if document is not None and document.file.name:
            with suppress(OSError):
                document.file.storage.delete(document.file.name)
        if isinstance(error, OSError):
            logger.warning("Storing an upload failed (%s).", type(error).__name__)
            raise ApplicationError(
                _("We could not store the file just now. Nothing was saved: try again in a few minutes.")
            ) from error
        raise
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
            # application_problems() above refused a draft without a plan.
            locked.frozen_plan = selectors.plan_snapshot(cast(BusinessPlan, locked.plan))
            locked.business_department_id = locked.frozen_plan["department"]
            locked.business_section_id = locked.frozen_plan["section"]
            locked.frozen_profile = selectors.profile_snapshot(ReturneeProfile.objects.get(user=locked.applicant))
            # The terms are frozen with the answers: later edits to the product never reach this application.
            # application_problems() above refused a draft without a product, an amount or a term.
            locked.offer = offer_create(
                product=cast(LoanProduct, locked.product),
                amount=cast(int, locked.amount),
                term_months=cast(int, locked.term_months),
                grace_months=locked.grace_months or 0,
                day=timezone.localdate(),
                created_by=user,
                accepted=True,
            )

        submitted = transition(
            current,
            MOVES["submit"].to,
            actor=user,
            expected_from=MOVES["submit"].sources,
            before_save=freeze,
            notify=lambda locked, event: notify_received(locked.pk),
            on_commit=_after_submit,
        )
    application.refresh_from_db()
    return submitted


def _after_submit(application: LoanApplication) -> None:
    enqueue(tasks.check_eligibility, application.pk)


def application_withdraw(*, application: LoanApplication, user: User, reason: str = "") -> LoanApplication:
    if application.applicant_id != user.pk:
        raise ApplicationError(_("Only the applicant can withdraw this application."))
    if application.status not in MOVES["withdraw"].sources:
        raise ApplicationError(_("A decision was already made; the application can no longer be withdrawn."))
    try:
        return transition(
            application,
            MOVES["withdraw"].to,
            actor=user,
            reason=reason,
            expected_from=MOVES["withdraw"].sources,
        )
    except TransitionError as error:
        raise ApplicationError(str(error)) from error


def application_answer_info(*, application: LoanApplication, user: User, message: str) -> LoanApplication:
    """The applicant answers an officer's question (documents are uploaded apart) → back to in_review."""
    if application.applicant_id != user.pk:
        raise ApplicationError(_("Only the applicant can answer."))
    if not message.strip():
        raise ApplicationError(_("Write your answer."))

    def record(locked):
        ApplicationMessage.objects.create(application=locked, sender=user, from_applicant=True, body=message)

    try:
        return transition(
            application,
            MOVES["answer"].to,
            actor=user,
            expected_from=MOVES["answer"].sources,
            reason=_("Applicant answered"),
            before_save=record,
        )
    except TransitionError as error:
        raise ApplicationError(str(error)) from error


# --- eligibility re-checks of applications in review ---------------------------------------


def recheck_start(*, product: LoanProduct | None, user: User | None) -> RecheckRun:
    """Record a run and queue its planning once the row is committed."""
    return recheck_queue(run=RecheckRun(product=product, started_by=user))


def recheck_queue(*, run: RecheckRun) -> RecheckRun:
    """Save a new run under the current ruleset and queue its planning after the commit."""
    run.ruleset_version = eligibility.RULESET_VERSION
    run.status = RecheckRun.Status.QUEUED
    with transaction.atomic():
        run.save()
        transaction.on_commit(lambda: enqueue(tasks.recheck_plan, run.pk))
    return run


def recheck_resume(*, run: RecheckRun) -> int:
    """Queue again what a run has not checked yet (chunks lost while the broker was down)."""
    if run.status == RecheckRun.Status.QUEUED:
        return 1 if enqueue(tasks.recheck_plan, run.pk) else 0
    if run.status not in (RecheckRun.Status.RUNNING, RecheckRun.Status.FAILED):
        return 0
    RecheckRun.objects.filter(pk=run.pk).update(status=RecheckRun.Status.RUNNING)
    missing = list(
        recheck.scope(run.product_id).exclude(recheck_items__run=run).order_by("pk").values_list("pk", flat=True)
    )
    RecheckRun.objects.filter(pk=run.pk).update(total=F("done") + len(missing))
    if not missing:
        recheck.finish_if_complete(run.pk)
        return 0
    return tasks.queue_recheck_chunks(run.pk, missing)


def offer_accept(*, application: LoanApplication, user: User, offer_id: int) -> LoanOffer:
    """The applicant accepts the new offer shown to them (one button); recorded with the time."""
    if application.applicant_id != user.pk:
        raise ApplicationError(_("Only the applicant can accept this offer."))
    with transaction.atomic():
        locked = LoanApplication.objects.select_for_update().get(pk=application.pk)
        offer = LoanOffer.objects.select_for_update().filter(pk=offer_id).first()
        if offer is None or locked.offer_id is None:
            raise ApplicationError(_("This offer does not exist."))
        if offer.pk != locked.offer_id:
            raise ApplicationError(_("This offer was replaced by a newer one. Review the new offer below."))
        if offer.accepted_at is not None:
            raise ApplicationError(_("You already accepted this offer."))
        if offer.declined_at is not None or locked.status not in (
            ApplicationStatus.RECOMMENDED,
            ApplicationStatus.APPROVED,
        ):
            raise ApplicationError(_("This offer can no longer be accepted."))
        offer.accepted_at = timezone.now()
        offer.save(update_fields=["accepted_at"])
        hooks.offer_accepted(locked.pk, offer.pk)  # other rooms' callbacks, after the commit
    return offer


def offer_decline(*, application: LoanApplication, user: User, offer_id: int) -> LoanApplication:
    """The applicant declines the offer: an approved application ends as cancelled, a recommended one as withdrawn.

    Either way the person may apply again.
    """
    if application.applicant_id != user.pk:
        raise ApplicationError(_("Only the applicant can decline this offer."))
    # Declining an approved offer cancels the approval; declining a recommendation withdraws the application.
    if application.status in MOVES["decline"].sources:
        target = MOVES["decline"].to
    elif application.status == ApplicationStatus.RECOMMENDED:
        target = MOVES["withdraw"].to
    else:
        raise ApplicationError(_("This offer can no longer be declined."))

    def record(locked: LoanApplication) -> None:
        if locked.offer_id != offer_id:
            raise TransitionError(_("This offer was replaced by a newer one. Review the new offer below."))
        LoanOffer.objects.filter(pk=offer_id).update(declined_at=timezone.now())

    try:
        return transition(
            application,
            target,
            actor=user,
            reason=_("The applicant declined the offer."),
            expected_from={application.status},
            before_save=record,
        )
    except TransitionError as error:
        raise ApplicationError(str(error)) from error
