"""Reads for plans, applications, tasks and schedules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, cast

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, Field, Prefetch, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applicants.models import ReturneeProfile, User
from applicants.selectors import profile_is_complete
from loans.applications.models import ApplicationDocument, ApplicationEvent, BusinessPlan, LoanApplication
from loans.choices import ApplicationStatus, DocumentKind
from loans.products.offers import offer_request_errors, offer_schedule
from loans.products.rules import loan_request_errors
from loans.products.schedule import Schedule, schedule_for
from loans.programmes import selectors as programme_selectors

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_DOCUMENTS_PER_APPLICATION = 20
MAX_BYTES_PER_APPLICATION = 50 * 1024 * 1024

PLAN_REQUIRED_FIELDS = (
    "name",
    "section",
    "division",
    "description",
    "stage",
    "municipality",
    "customers",
    "competition",
    "experience",
    "monthly_sales",
    "monthly_costs",
    "jobs_to_create",
)


def plans_for(user: User) -> QuerySet[BusinessPlan]:
    return user.business_plans.annotate(total_investment=Sum("items__amount"), item_count=Count("items"))


def plan_for_owner(*, public_id, user: User) -> BusinessPlan:
    return get_object_or_404(BusinessPlan.objects.prefetch_related("items"), public_id=public_id, owner=user)


def plan_total_investment(plan: BusinessPlan) -> int:
    return sum(item.amount for item in plan.items.all())


def plan_missing(plan: BusinessPlan) -> list[str]:
    """Names of what the plan still lacks to be complete (costs itemised, jobs, sector, municipality…)."""
    missing = [
        str(cast(Field, BusinessPlan._meta.get_field(field)).verbose_name)
        for field in PLAN_REQUIRED_FIELDS
        if getattr(plan, field) in (None, "")
    ]
    if plan.stage == "operating" and plan.operating_since is None:
        missing.append(str(BusinessPlan._meta.get_field("operating_since").verbose_name))
    if not plan.items.all():
        missing.append(_("at least one investment item"))
    return missing


def frozen_plan_missing(snapshot: dict[str, Any]) -> list[str]:
    """plan_missing for a frozen plan (what was submitted, not what the plan says now)."""
    missing = [field for field in PLAN_REQUIRED_FIELDS if snapshot.get(field) in (None, "")]
    if snapshot.get("stage") == "operating" and not snapshot.get("operating_since"):
        missing.append("operating_since")
    if not snapshot.get("items"):
        missing.append("items")
    return missing


def frozen_loan_request_errors(application: LoanApplication, *, day: date) -> dict[str, str]:
    if application.product is None or application.amount is None or application.term_months is None:
        return {"product": _("Choose a product, an amount and a term.")}
    if application.offer is not None:
        # After submission the request is checked against the frozen offer, never the live product.
        return offer_request_errors(
            application.offer,
            amount=application.amount,
            term_months=application.term_months,
            grace_months=application.grace_months or 0,
            total_investment=(application.frozen_plan or {}).get("total_investment"),
        )
    errors = loan_request_errors(
        application.product,
        amount=application.amount,
        term_months=application.term_months,
        grace_months=application.grace_months or 0,
        total_investment=(application.frozen_plan or {}).get("total_investment"),
        day=day,
        require_active=False,
    )
    return errors


def plan_snapshot(plan: BusinessPlan) -> dict[str, Any]:
    items = list(plan.items.all())
    return {
        "public_id": str(plan.public_id),
        "name": plan.name,
        "section": plan.section_id,
        "section_name": plan.section.name if plan.section else "",
        "division": plan.division_id,
        "division_name": plan.division.name if plan.division else "",
        "description": plan.description,
        "stage": plan.stage,
        "operating_since": plan.operating_since.isoformat() if plan.operating_since else None,
        "municipality": plan.municipality_id,
        "municipality_name": plan.municipality.name if plan.municipality else "",
        "department": plan.municipality.department_id if plan.municipality else None,
        "customers": plan.customers,
        "competition": plan.competition,
        "experience": plan.experience,
        "own_contribution": plan.own_contribution,
        "monthly_sales": plan.monthly_sales,
        "monthly_costs": plan.monthly_costs,
        "jobs_to_create": plan.jobs_to_create,
        "items": [
            {"category": item.category, "description": item.description, "amount": item.amount} for item in items
        ],
        "total_investment": sum(item.amount for item in items),
    }


def profile_snapshot(profile: ReturneeProfile) -> dict[str, Any]:
    """The profile as the officer must judge it. Encrypted fields stay out: only their blind index."""
    return {
        "document_type": profile.document_type,
        "document_number_hash": profile.document_number_hash,
        "phone_hash": profile.phone_hash,
        "is_colombian_national": profile.is_colombian_national,
        "first_names": profile.first_names,
        "last_names": profile.last_names,
        "birth_date": profile.birth_date.isoformat() if profile.birth_date else None,
        "sex": profile.sex,
        "department": profile.department_id,
        "municipality": profile.municipality_id,
        "country_returned_from": profile.country_returned_from,
        "departure_date": profile.departure_date.isoformat() if profile.departure_date else None,
        "return_date": profile.return_date.isoformat() if profile.return_date else None,
        "return_type": profile.return_type,
        "forced_return": profile.forced_return,
        "rur_number": profile.rur_number,
        "lives_abroad": profile.lives_abroad,
        "planned_return_date": profile.planned_return_date.isoformat() if profile.planned_return_date else None,
        "education_level": profile.education_level,
        "household_size": profile.household_size,
        "declarations_accepted_at": profile.declarations_accepted_at.isoformat()
        if profile.declarations_accepted_at
        else None,
    }


def applications_for(user: User) -> QuerySet[LoanApplication]:
    """My applications, in one query with what the list shows."""
    return user.loan_applications.select_related("product", "plan").order_by("-created_at")


def latest_draft_for(user: User) -> LoanApplication | None:
    """The draft a person is most likely working on: where a saved plan leads next."""
    return (
        LoanApplication.objects.filter(applicant=user, status=ApplicationStatus.DRAFT).order_by("-updated_at").first()
    )


def application_for_owner(*, public_id, user: User) -> LoanApplication:
    return get_object_or_404(
        LoanApplication.objects.select_related("product", "plan", "applicant"), public_id=public_id, applicant=user
    )


def application_for_status_page(*, public_id, user: User) -> LoanApplication:
    """The application with its events and documents, in a fixed number of queries."""
    return get_object_or_404(
        LoanApplication.objects.select_related("product", "plan", "offer").prefetch_related(
            Prefetch("events", queryset=ApplicationEvent.objects.order_by("created_at", "pk")),
            Prefetch("documents", queryset=ApplicationDocument.objects.order_by("uploaded_at")),
        ),
        public_id=public_id,
        applicant=user,
    )


def document_for_user(*, public_id, user: User) -> ApplicationDocument:
    """The document for its applicant or for staff verified with a second factor; else 404."""
    queryset = ApplicationDocument.objects.select_related("application")
    # is_verified() is set on request.user by django-otp's middleware, not declared on the model.
    if not (user.is_staff and user.is_verified()):  # type: ignore[attr-defined]
        queryset = queryset.filter(application__applicant=user)
    return get_object_or_404(queryset, public_id=public_id)


def check_document_quota(application: LoanApplication, new_size: int) -> None:
    totals = application.documents.aggregate(count=Count("pk"), size=Sum("size"))
    if totals["count"] >= MAX_DOCUMENTS_PER_APPLICATION:
        raise ValidationError(
            _("An application can have at most %(count)d documents. Remove one first.")
            % {"count": MAX_DOCUMENTS_PER_APPLICATION}
        )
    if (totals["size"] or 0) + new_size > MAX_BYTES_PER_APPLICATION:
        raise ValidationError(_("The documents of an application can add up to at most 50 MB. Remove one first."))


def missing_documents(application: LoanApplication) -> list[str]:
    if application.product is None:
        return []
    present = {doc.kind for doc in application.documents.all()}
    return [kind for kind in application.product.required_documents if kind not in present]


@dataclass(frozen=True)
class Task:
    slug: str
    title: StrOrPromise
    done: bool
    url: str


TASK_TITLES = {
    "profile": gettext_lazy("Your profile"),
    "plan": gettext_lazy("Business plan"),
    "loan": gettext_lazy("Loan request"),
    "documents": gettext_lazy("Documents"),
    "declarations": gettext_lazy("Declarations"),
}


def loan_request_problems(application: LoanApplication) -> dict[str, str]:
    if application.product is None or application.amount is None or application.term_months is None:
        return {"product": _("Choose a product, an amount and a term.")}
    total = plan_total_investment(application.plan) if application.plan else None
    return loan_request_errors(
        application.product,
        amount=application.amount,
        term_months=application.term_months,
        grace_months=application.grace_months or 0,
        total_investment=total,
    )


def application_tasks(application: LoanApplication) -> list[Task]:
    profile = ReturneeProfile.objects.filter(user=application.applicant).first()
    pid = application.public_id
    return [
        Task(
            "profile",
            TASK_TITLES["profile"],
            bool(profile and profile_is_complete(profile)),
            reverse("applicants:profile_start"),
        ),
        Task(
            "plan",
            TASK_TITLES["plan"],
            bool(application.plan and not plan_missing(application.plan)),
            reverse("loans:application_plan", args=[pid]),
        ),
        Task(
            "loan",
            TASK_TITLES["loan"],
            not loan_request_problems(application),
            reverse("loans:application_loan", args=[pid]),
        ),
        Task(
            "documents",
            TASK_TITLES["documents"],
            application.product is not None and not missing_documents(application),
            reverse("loans:application_documents", args=[pid]),
        ),
        Task(
            "declarations",
            TASK_TITLES["declarations"],
            application.declarations_accepted_at is not None,
            reverse("loans:application_declarations", args=[pid]),
        ),
    ]


def application_problems(application: LoanApplication) -> list[str]:
    """Why the application cannot be sent yet, first problem first; empty when it can."""
    problems = []
    abroad = still_abroad_problem(application.applicant)
    if abroad:
        problems.append(abroad)
    if not application.applicant.email_verified:
        problems.append(_("Confirm your email address first: open the link we sent you."))
    for task in application_tasks(application):
        if not task.done:
            problems.append(_("Complete this part first: %(task)s.") % {"task": task.title})
    problems.extend(loan_request_problems(application).values() if application.product else [])
    if application.product is not None:
        programme = programme_selectors.enrolment_problem(
            product=application.product, user_id=application.applicant_id
        )
        if programme:
            problems.append(programme)
    return problems


def still_abroad_problem(user: User) -> str | None:
    """Why someone who has not come back yet must wait to send (DOMAIN.md, "Colombians still abroad")."""
    profile = ReturneeProfile.objects.filter(user=user).first()
    if profile is None:
        return None
    today = timezone.localdate()
    if profile.lives_abroad:
        planned = profile.planned_return_date
        when = (
            _("You plan to come back on %(date)s.") % {"date": date_format(planned, "DATE_FORMAT")} if planned else ""
        )
        return " ".join(
            part
            for part in (
                str(
                    _(
                        "You still live abroad, so the application cannot be sent yet: the law lends to people who "
                        "have come back and apply within 12 months of their return."
                    )
                ),
                str(when),
                str(
                    _(
                        "Keep preparing your plan and your programme. When you are back, update “Where you live” "
                        "and “Your return” in your profile, and send it then."
                    )
                ),
            )
            if part
        )
    if profile.return_date and profile.return_date > today:
        return _("Your return date is in the future. Correct it in your profile once you are back, then send it.")
    return None


def application_schedule(application: LoanApplication) -> Schedule | None:
    if loan_request_problems(application) and application.is_draft:
        return None
    product, amount, term_months = application.product, application.amount, application.term_months
    if product is None or amount is None or term_months is None:
        return None
    start = application.submitted_at.date() if application.submitted_at else None

    def compute() -> Schedule:
        return schedule_for(
            product, amount=amount, term_months=term_months, grace_months=application.grace_months or 0, start=start
        )

    offer = application.offer
    if application.is_draft or offer is None:
        return compute()
    # A sent application's schedule is its frozen offer's (an offer never changes; a new one has a new id).
    key = f"offer-schedule:{offer.pk}:{start}"
    return cache.get_or_set(key, lambda: offer_schedule(offer, start=start or timezone.localdate()), 60 * 60)


def document_kind_label(kind: str) -> str:
    return str(DocumentKind(kind).label) if kind in DocumentKind.values else kind


def stuck_submitted_ids(*, older_than_minutes: int) -> list[int]:
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    return list(
        LoanApplication.objects.filter(status=ApplicationStatus.SUBMITTED, submitted_at__lte=cutoff)
        .order_by("submitted_at")
        .values_list("pk", flat=True)[:5000]
    )
