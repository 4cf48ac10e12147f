"""What the applications package holds about a person, for the personal-data registry
(applicants.personal_data): business plans, applications with their frozen copies, events
and history rows, and documents with their files.

A disbursed application is part of the loan's ledger that the law keeps (loans.servicing):
it stays, minimised (no frozen copies, no bank account), and its history rows lose the plan.
Any other application keeps only what the open statistics count (status, product, amount,
department, sector) and loses its history rows. An open application is withdrawn through
the workflow's transition first.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from applicants.personal_data import DataProvider
from loans.applications.models import ApplicationDocument, ApplicationEvent, BusinessPlan, LoanApplication
from loans.applications.workflow import TransitionError, transition
from loans.choices import ApplicationStatus

WITHDRAWAL_REASON = "Ley 1581: consent withdrawn or data erased"


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _plan(plan: BusinessPlan) -> dict[str, Any]:
    return {
        "name": plan.name,
        "sector": str(plan.section) if plan.section_id else "",
        "activity": str(plan.division) if plan.division_id else "",
        "description": plan.description,
        "stage": plan.get_stage_display() if plan.stage else "",
        "operating_since": _iso(plan.operating_since),
        "municipality": plan.municipality.name if plan.municipality_id else "",
        "customers": plan.customers,
        "competition": plan.competition,
        "experience": plan.experience,
        "own_contribution": plan.own_contribution,
        "monthly_sales": plan.monthly_sales,
        "monthly_costs": plan.monthly_costs,
        "jobs_to_create": plan.jobs_to_create,
        "investment": [
            {"category": item.get_category_display(), "description": item.description, "amount": item.amount}
            for item in plan.items.all()
        ],
        "updated_at": _iso(plan.updated_at),
    }


def _application(application: LoanApplication) -> dict[str, Any]:
    return {
        "reference": application.reference,
        "status": application.get_status_display(),
        "product": str(application.product) if application.product_id else "",
        "amount": application.amount,
        "term_months": application.term_months,
        "grace_months": application.grace_months,
        "bank_account": application.bank_account or "",
        "submitted_at": _iso(application.submitted_at),
        "decided_at": _iso(application.decided_at),
        "plan_as_submitted": application.frozen_plan,
        "profile_as_submitted": application.frozen_profile,
        "events": [
            {
                "when": _iso(e.created_at),
                "from": e.from_status,
                "to": e.to_status,
                "reason": e.reason,
                "message_to_applicant": e.message_to_applicant,
            }
            for e in application.events.order_by("created_at", "pk")
        ],
        "history": [
            {"when": _iso(h.history_date), "status": h.status, "plan_as_submitted": h.frozen_plan}
            for h in application.history.order_by("history_date")
        ],
        "documents": [
            {
                "kind": d.get_kind_display(),
                "file_name": d.original_name,
                "content_type": d.content_type,
                "size": d.size,
                "sha256": d.sha256,
                "uploaded_at": _iso(d.uploaded_at),
            }
            for d in application.documents.all()
        ],
    }


def export(user) -> dict[str, Any]:
    return {
        "business_plans": [_plan(p) for p in BusinessPlan.objects.filter(owner=user).prefetch_related("items")],
        "applications": [
            _application(a)
            for a in LoanApplication.objects.filter(applicant=user).select_related("product").order_by("created_at")
        ],
    }


def stop_processing(user, actor) -> None:
    """Withdraw every application still open to the applicant, through the transition."""
    for application in LoanApplication.objects.filter(applicant=user, status__in=ApplicationStatus.withdrawable()):
        try:
            transition(
                application.pk,
                ApplicationStatus.WITHDRAWN,
                actor=actor,
                reason=WITHDRAWAL_REASON,
                expected_from=set(ApplicationStatus.withdrawable()),
            )
        except TransitionError:
            continue  # decided meanwhile: nothing left to withdraw


def erase(user) -> dict[str, int]:
    counts = {"applications": 0, "documents": 0, "history_rows": 0, "plans": 0}
    for application in LoanApplication.objects.filter(applicant=user):
        for document in ApplicationDocument.objects.filter(application=application):
            if document.file:
                document.file.delete(save=False)
            document.delete()
            counts["documents"] += 1
        ApplicationEvent.objects.filter(application=application).update(reason="", message_to_applicant="")
        LoanApplication.objects.filter(pk=application.pk).update(
            frozen_plan=None, frozen_profile=None, bank_account=None, bank_account_hash="", plan=None
        )
        history = application.history.all()
        if application.status == ApplicationStatus.DISBURSED:
            counts["history_rows"] += history.update(frozen_plan=None, plan=None)
        else:
            counts["history_rows"] += history.delete()[0]
        counts["applications"] += 1
    counts["plans"] = BusinessPlan.objects.filter(owner=user).delete()[0]
    return counts


PROVIDER = DataProvider(
    name="loans.applications",
    label=_("Business plans and applications"),
    export=export,
    erase=erase,
    stop_processing=stop_processing,
    order=300,  # after review, eligibility and servicing, which find rows through the applications
)
