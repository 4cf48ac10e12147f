"""What the loans app holds about a person, for the personal-data registry
(applicants.personal_data): business plans, applications with their frozen copies, events
and history rows, documents and their files, officers' messages and notes, eligibility
results, loans, instalments and payments.

Registered from LoansConfig.ready(). When the layout moves these models into subject
packages, this module splits with them (one provider per package).

Kept by law: a disbursed loan's ledger (the loan, its instalments and payments, and the
application it came from, minimised) for ten years after its last entry (Ley 962 de 2005
art. 28). Everything else is erased; an open application is first withdrawn through the
workflow's transition.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applicants.personal_data import DataProvider, Retention

from .choices import ApplicationStatus
from .models import (
    ApplicationDocument,
    ApplicationEvent,
    ApplicationMessage,
    BusinessPlan,
    EligibilityResult,
    FollowUpVisit,
    Loan,
    LoanApplication,
    ReviewNote,
)
from .workflow import TransitionError, transition

RETENTION_YEARS = 10


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


def _loan(loan: Loan) -> dict[str, Any]:
    return {
        "principal": loan.principal,
        "annual_rate_pct": str(loan.annual_rate_pct),
        "term_months": loan.term_months,
        "grace_months": loan.grace_months,
        "disbursed_on": _iso(loan.disbursed_on),
        "bank_reference": loan.bank_reference,
        "state": loan.get_state_display(),
        "days_in_arrears": loan.days_in_arrears,
        "instalments": [
            {
                "number": i.number,
                "due_date": _iso(i.due_date),
                "payment": i.payment,
                "paid_interest": i.paid_interest,
                "paid_principal": i.paid_principal,
                "paid_on": _iso(i.paid_on),
            }
            for i in loan.instalments.order_by("number")
        ],
        "payments": [
            {"paid_on": _iso(r.paid_on), "amount": r.amount, "bank_reference": r.bank_reference}
            for r in loan.repayments.order_by("paid_on", "pk")
        ],
        "follow_up_visits": [
            {"due_on": _iso(v.due_on), "done_on": _iso(v.done_on), "notes": v.notes} for v in loan.visits.all()
        ],
    }


def _application(application: LoanApplication) -> dict[str, Any]:
    loan = Loan.objects.filter(application=application).first()
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
        "messages": [{"when": _iso(m.created_at), "body": m.body} for m in application.messages.all()],
        "officer_notes": [{"when": _iso(n.created_at), "note": n.body} for n in application.notes.all()],
        "eligibility_results": [
            {"when": _iso(r.created_at), "outcome": r.outcome, "verdicts": r.verdicts}
            for r in application.eligibility_results.all()
        ],
        "loan": _loan(loan) if loan else None,
    }


def export(user) -> dict[str, Any]:
    return {
        "business_plans": [_plan(p) for p in BusinessPlan.objects.filter(owner=user).prefetch_related("items")],
        "applications": [
            _application(a) for a in LoanApplication.objects.filter(applicant=user).order_by("created_at")
        ],
    }


def _kept(application: LoanApplication) -> bool:
    return application.status == ApplicationStatus.DISBURSED or Loan.objects.filter(application=application).exists()


def _last_ledger_entry(loan: Loan) -> date:
    last_payment = loan.repayments.aggregate(last=Max("paid_on"))["last"]
    last_due = loan.instalments.aggregate(last=Max("due_date"))["last"]
    return max(d for d in (loan.disbursed_on, last_payment, last_due) if d is not None)


def retained(user) -> list[Retention]:
    kept = []
    for loan in Loan.objects.filter(application__applicant=user).select_related("application"):
        last = _last_ledger_entry(loan)
        kept.append(
            Retention(
                what=_("Loan %(reference)s: disbursement, repayment schedule and payments")
                % {"reference": loan.application.reference},
                reason=_(
                    "Accounting records of a disbursed public loan must be kept for ten years after the last entry "
                    "(Ley 962 de 2005, art. 28). Only the amounts, dates and bank references are kept."
                ),
                until=last.replace(year=last.year + RETENTION_YEARS).isoformat(),
            )
        )
    return kept


def stop_processing(user, actor) -> None:
    """Withdraw every application still open to the applicant, through the transition."""
    for application in LoanApplication.objects.filter(
        applicant=user, status__in=ApplicationStatus.withdrawable()
    ).only("pk"):
        try:
            transition(
                application.pk,
                ApplicationStatus.WITHDRAWN,
                actor=actor,
                reason="Ley 1581: consent withdrawn or data erased",
                expected_from=set(ApplicationStatus.withdrawable()),
            )
        except TransitionError:
            continue  # moved meanwhile (decided): nothing left to withdraw


def _delete_files(documents) -> int:
    count = 0
    for document in documents:
        if document.file:
            document.file.delete(save=False)
        document.delete()
        count += 1
    return count


def erase(user) -> dict[str, int]:
    counts = {"applications": 0, "documents": 0, "history_rows": 0, "messages": 0, "notes": 0, "plans": 0}
    for application in LoanApplication.objects.filter(applicant=user):
        kept = _kept(application)
        counts["documents"] += _delete_files(ApplicationDocument.objects.filter(application=application))
        counts["messages"] += ApplicationMessage.objects.filter(application=application).delete()[0]
        counts["notes"] += ReviewNote.objects.filter(application=application).delete()[0]
        ApplicationEvent.objects.filter(application=application).update(reason="", message_to_applicant="")
        EligibilityResult.objects.filter(application=application).update(verdicts=[])
        # The statistics keep the application's status, product, amount and department; what
        # describes the person (frozen copies, bank account) goes, in the history rows too.
        LoanApplication.objects.filter(pk=application.pk).update(
            frozen_plan=None, frozen_profile=None, bank_account=None, bank_account_hash="", plan=None
        )
        history = application.history.all()
        if kept:
            counts["history_rows"] += history.update(frozen_plan=None, plan=None)
        else:
            counts["history_rows"] += history.delete()[0]
        FollowUpVisit.objects.filter(loan__application=application).update(notes="")
        counts["applications"] += 1
    counts["plans"] = BusinessPlan.objects.filter(owner=user).delete()[0]
    return counts


PROVIDER = DataProvider(
    name="loans",
    label=gettext_lazy("Business plans, applications and loans"),
    export=export,
    erase=erase,
    retained=retained,
    stop_processing=stop_processing,
    order=100,
)
